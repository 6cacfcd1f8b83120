import type { AppServices } from '../../../kit/context.js';
import type { Dispatcher } from '../../../platform/jobs/dispatch.js';
import { startRowJobRuntime } from '../../../platform/jobs/row-runtime.js';
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
  const runtime = startRowJobRuntime({
    label: 'image variant',
    db: app.db,
    logger: app.logger,
    channel: CHANNEL,
    queue: VARIANT_QUEUE,
    dueSql: `SELECT id FROM asset_variants WHERE status = 'PENDING' AND (lease_until IS NULL OR lease_until < now()) AND id > $1 ORDER BY id LIMIT $2`,
    // A retry due within a few seconds is still the drain's to wait for (tests use short delays).
    pendingSql: `SELECT count(*)::int AS n FROM asset_variants WHERE status = 'PENDING' AND (lease_until IS NULL OR lease_until < now() + interval '5 seconds')`,
    run: (id) => worker.attempt(id),
    concurrency: c.ASSET_VARIANT_CONCURRENCY,
    sweepMs: c.ASSET_SWEEP_INTERVAL_MS,
    redisUrl: (opts.redisUrl === undefined ? c.REDIS_URL : opts.redisUrl) ?? null,
    prefix: c.QUEUE_PREFIX,
    lockMs: c.ASSET_VARIANT_LEASE_MS,
    onSweep: () => void keepHouse(),
  });

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

  const heartbeat = setInterval(() => {
    worker.renewLeases().catch((err: unknown) => app.logger.warn({ err }, 'image variant lease renewal failed'));
  }, c.ASSET_VARIANT_LEASE_MS / 3);
  heartbeat.unref();
  return {
    dispatcher: runtime.dispatcher,
    wake: () => runtime.wake(),
    drain: () => runtime.drain(),
    async sweep() {
      await housekeeping;
      const result = await keepHouse();
      runtime.wake();
      return result;
    },
    async stop() {
      await runtime.stop();
      await housekeeping;
      clearInterval(heartbeat);
    },
  };
}
