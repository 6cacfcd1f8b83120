import type { Logger } from 'pino';
import type { Database } from '../db/client.js';
import { createBullmqDispatcher, createLocalDispatcher, type Dispatcher, type RunAttempt } from './dispatch.js';

/*
 * A background job whose state is a table's row (a render, an image variant):
 * rows written by any transaction are found at its commit (a trigger NOTIFYs
 * `channel`; a sweep every `sweepMs` is the fallback, and also takes over rows
 * whose worker died) and handed to the jobs runtime: BullMQ with a Redis URL
 * (job id = row id), in-process without. The row decides whether work is due;
 * `run` claims it (a lease) before working.
 */

export interface RowJobOptions {
  label: string;
  db: Database;
  logger: Logger;
  /** NOTIFY channel of the table's insert trigger. */
  channel: string;
  /** BullMQ queue name. */
  queue: string;
  /** Ids of rows due now (including those whose lease lapsed), after $1 in id order, at most $2 (a slice at a time). */
  dueSql: string;
  /** How many rows are due or in progress (drain waits for none). */
  pendingSql: string;
  run: RunAttempt;
  concurrency: number;
  sweepMs: number;
  redisUrl: string | null;
  prefix: string;
  lockMs: number;
  /** More work for the sweep, on the same timer (the assets domain drops expired uploads there). */
  onSweep?: () => void;
}

export interface RowJobRuntime {
  dispatcher: Dispatcher;
  /** Look for due rows now. */
  wake(): void;
  /** Everything due now is done (or failed), awaited (tests, the CLI). */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

const SLICE = 500;

export function startRowJobRuntime(o: RowJobOptions): RowJobRuntime {
  const dispatcher = o.redisUrl
    ? createBullmqDispatcher(o.queue, o.redisUrl, o.run, {
        label: o.label,
        concurrency: o.concurrency,
        logger: o.logger,
        prefix: o.prefix,
        lockMs: o.lockMs,
      })
    : createLocalDispatcher(o.run, { label: o.label, concurrency: o.concurrency, logger: o.logger });

  async function handOver(): Promise<void> {
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows = await o.db.query<{ id: string }>(o.dueSql, [after, SLICE]);
      if (!rows.length) return;
      const now = new Date();
      await dispatcher.enqueue(rows.map((r) => ({ id: r.id, runAt: now })));
      if (rows.length < SLICE) return;
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
        await handOver().catch((err: unknown) => o.logger.warn({ err }, `${o.label} hand-over failed; the sweep retries`));
      }
    });
    return running;
  };
  const listening = o.db
    .listen(o.channel, () => void look())
    .catch((err: unknown) => {
      o.logger.warn({ err }, `${o.label} runtime cannot listen for commits; sweeping only`);
      return null;
    });
  const sweeper = setInterval(() => {
    void look();
    o.onSweep?.();
  }, o.sweepMs);
  sweeper.unref();
  void look();

  return {
    dispatcher,
    wake: () => void look(),
    async drain() {
      for (;;) {
        await look();
        await dispatcher.idle();
        const [row] = await o.db.query<{ n: number }>(o.pendingSql);
        if (!row!.n) return;
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async stop() {
      stopped = true;
      clearInterval(sweeper);
      await running;
      await (await listening)?.close();
      await dispatcher.close();
    },
  };
}
