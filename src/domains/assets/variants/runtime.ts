import type { AppServices } from '../../../kit/context.js';
import { createBullmqDispatcher, createLocalDispatcher, type Dispatcher } from '../../../platform/jobs/dispatch.js';
import { type HousekeepingResult, runHousekeeping } from '../housekeeping.js';
import { createVariantWorker } from './generate.js';

/*
 * The background side of Assets: image variants written by any transaction
 * (the rows come with the image's READY) are found at its commit (NOTIFY on
 * asset_variants; a sweep every ASSET_SWEEP_INTERVAL_MS as the fallback, which
 * also takes over the variants of workers that died) and handed to the jobs
 * runtime: BullMQ with REDIS_URL (job id = variant id), in-process without.
 * The same sweep drops unfinished uploads past their time and deletes objects
 * left to delete. Runs in the worker process, and in the api on the embedded
 * default.
 */

export const VARIANT_QUEUE = 'asset-variants';
const CHANNEL = 'asset_variants';
const SLICE = 500;

export interface AssetRuntime {
  dispatcher: Dispatcher;
  /** Look for due variants now. */
  wake(): void;
  /** Every variant due now (or within a few seconds: a retry) is made or failed, awaited (tests). */
  drain(): Promise<void>;
  /** One sweep now: lost variants handed over, expired uploads dropped, objects deleted (tests, operators). */
  sweep(): Promise<HousekeepingResult>;
  stop(): Promise<void>;
}

export interface AssetRuntimeOptions {
  /** BullMQ on this Redis; null: in-process. Defaults to config REDIS_URL. */
  redisUrl?: string | null;
  /** Attempts at a variant before it is FAILED (default 3). */
  maxAttempts?: number;
  /** Before the first retry (doubling after); default 5 s. */
  retryDelayMs?: number;
}

export function startAssetRuntime(app: AppServices, opts: AssetRuntimeOptions = {}): AssetRuntime {
  const c = app.config;
  const worker = createVariantWorker({
    db: app.db,
    // Read from the app each time, as every assets service does.
    get storage() {
      return app.storage;
    },
    logger: app.logger,
    leaseMs: c.ASSET_VARIANT_LEASE_MS,
    maxAttempts: opts.maxAttempts ?? 3,
    retryDelayMs: opts.retryDelayMs ?? 5_000,
  });
  const redisUrl = opts.redisUrl === undefined ? c.REDIS_URL : opts.redisUrl;
  const run = (id: string) => worker.attempt(id);
  const dispatcher = redisUrl
    ? createBullmqDispatcher(VARIANT_QUEUE, redisUrl, run, {
        label: 'image variant',
        concurrency: c.ASSET_VARIANT_CONCURRENCY,
        logger: app.logger,
        prefix: c.QUEUE_PREFIX,
        lockMs: c.ASSET_VARIANT_LEASE_MS,
      })
    : createLocalDispatcher(run, { label: 'image variant', concurrency: c.ASSET_VARIANT_CONCURRENCY, logger: app.logger });

  /** PENDING variants not leased by a live worker, a slice at a time. */
  async function handOver(): Promise<number> {
    let total = 0;
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows = await app.db.query<{ id: string }>(
        `SELECT id FROM asset_variants WHERE status = 'PENDING' AND (lease_until IS NULL OR lease_until < now()) AND id > $1 ORDER BY id LIMIT ${SLICE}`,
        [after],
      );
      if (!rows.length) return total;
      const now = new Date();
      await dispatcher.enqueue(rows.map((r) => ({ id: r.id, runAt: now })));
      total += rows.length;
      if (rows.length < SLICE) return total;
      after = rows[rows.length - 1]!.id;
    }
  }

  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  let again = false;
  const look = () => {
    if (stopped) return running;
    again = true;
    // One look at a time; a wake-up during a look makes one more after it.
    running = running.then(async () => {
      while (again && !stopped) {
        again = false;
        await handOver().catch((err: unknown) => app.logger.warn({ err }, 'image variant hand-over failed; the sweep retries'));
      }
    });
    return running;
  };

  const cleanup = {
    db: app.db,
    get storage() {
      return app.storage;
    },
    logger: app.logger,
  };
  let housekeeping: Promise<HousekeepingResult> | null = null;
  const keepHouse = () =>
    (housekeeping ??= runHousekeeping(cleanup)
      .catch((err: unknown) => {
        app.logger.warn({ err }, 'asset housekeeping failed; trying again at the next sweep');
        return { expiredUploads: 0, deletedObjects: 0 };
      })
      .finally(() => (housekeeping = null)));

  const listening = app.db
    .listen(CHANNEL, () => void look())
    .catch((err: unknown) => {
      app.logger.warn({ err }, 'asset runtime cannot listen for commits; sweeping only');
      return null;
    });
  const sweeper = setInterval(() => {
    void look();
    void keepHouse();
  }, c.ASSET_SWEEP_INTERVAL_MS);
  sweeper.unref();
  const heartbeat = setInterval(() => {
    worker.renewLeases().catch((err: unknown) => app.logger.warn({ err }, 'image variant lease renewal failed'));
  }, c.ASSET_VARIANT_LEASE_MS / 3);
  heartbeat.unref();
  void look();

  return {
    dispatcher,
    wake: () => void look(),
    async drain() {
      for (;;) {
        await look();
        await dispatcher.idle();
        const due = await app.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM asset_variants WHERE status = 'PENDING' AND (lease_until IS NULL OR lease_until < now() + interval '5 seconds')`,
        );
        if (!due[0]!.n) return;
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async sweep() {
      await housekeeping;
      const result = await keepHouse();
      await look();
      return result;
    },
    async stop() {
      stopped = true;
      clearInterval(sweeper);
      await running;
      await housekeeping;
      await (await listening)?.close();
      await dispatcher.close();
      clearInterval(heartbeat);
    },
  };
}
