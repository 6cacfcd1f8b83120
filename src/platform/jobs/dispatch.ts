import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import { createRedis } from '../redis.js';

/*
 * Waking workers up for due rows (webhook deliveries, outgoing messages). Two
 * implementations of one small interface: BullMQ on Redis (many worker
 * processes; job id = row id, so a row is queued at most once however often it
 * is enqueued), and an in-process one for the embedded default (no Redis).
 * Neither decides anything: the row in PostgreSQL says whether an attempt is
 * due, and each queue's sweeper puts back whatever a queue lost.
 */

export interface Due {
  id: string;
  runAt: Date;
}

export interface Dispatcher {
  kind: 'bullmq' | 'in-process';
  enqueue(items: Due[]): Promise<void>;
  /** Resolves when nothing is running or waiting to run now (tests, shutdown). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/** One attempt at the row `id`: PENDING with nextAttemptAt puts the same job back until then. */
export type RunAttempt = (id: string) => Promise<{ status: string; nextAttemptAt?: Date }>;

export interface DispatcherOptions {
  concurrency: number;
  logger: Logger;
  /** Names the rows in log lines ("webhook delivery", "message"). */
  label: string;
}

/** BullMQ (CommonJS, as `import` loads it too) only with REDIS_URL: the embedded default never loads it. */
const require = createRequire(import.meta.url);

export function createBullmqDispatcher(
  queueName: string,
  redisUrl: string,
  run: RunAttempt,
  opts: DispatcherOptions & { prefix: string; process?: boolean; lockMs?: number },
): Dispatcher {
  const { DelayedError, Queue, Worker } = require('bullmq') as typeof import('bullmq');
  const queueConnection = createRedis(redisUrl);
  const workerConnection = opts.process === false ? null : createRedis(redisUrl);
  const queue = new Queue(queueName, {
    connection: queueConnection,
    prefix: opts.prefix,
    // Finished jobs leave Redis: the delivery row keeps the history, and the same id can be queued again (redeliver).
    defaultJobOptions: { removeOnComplete: true, removeOnFail: true, attempts: 1 },
  });
  queue.on('error', (err) => opts.logger.warn({ err, queue: queueName }, `${opts.label} queue connection error`));
  const worker =
    workerConnection === null
      ? null
      : new Worker<{ id: string }>(
          queueName,
          async (job, token) => {
            const outcome = await run(job.data.id);
            if (outcome.status === 'PENDING' && outcome.nextAttemptAt) {
              // Same job, same id, back to delayed until the next attempt is due.
              await job.moveToDelayed(outcome.nextAttemptAt.getTime(), token);
              throw new DelayedError();
            }
            return outcome.status;
          },
          {
            connection: workerConnection,
            concurrency: opts.concurrency,
            prefix: opts.prefix,
            // A job whose worker died (its lock not renewed) goes back to waiting within lockDuration + stalledInterval,
            // as its delivery's lease lapses (WEBHOOK_LEASE_MS): under 10 s by default, not BullMQ's 30 s + 30 s.
            // Stalling again and again (a worker blocked rather than dead) never fails a job: the claim decides.
            lockDuration: opts.lockMs ?? 30_000,
            stalledInterval: Math.max(500, Math.round((opts.lockMs ?? 30_000) / 2)),
            maxStalledCount: 1_000,
          },
        );
  worker?.on('error', (err) => opts.logger.warn({ err, queue: queueName }, `${opts.label} worker connection error`));
  worker?.on('failed', (job, err) => opts.logger.error({ err, id: job?.data.id }, `${opts.label} attempt crashed; the sweeper retries it`));
  return {
    kind: 'bullmq',
    async enqueue(items) {
      if (!items.length) return;
      const now = Date.now();
      await queue.addBulk(
        items.map((i) => ({ name: 'attempt', data: { id: i.id }, opts: { jobId: i.id, delay: Math.max(0, i.runAt.getTime() - now) } })),
      );
    },
    async idle() {
      for (;;) {
        const counts = await queue.getJobCounts('active', 'wait', 'prioritized');
        if (!counts.active && !counts.wait && !counts.prioritized) return;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      await worker?.close();
      await queue.close();
      // BullMQ never closes a connection it was handed (it may be shared): these two would stay open, reconnecting
      // for ever, and once Redis is gone print ioredis's "Unhandled error event", as BullMQ took its listener off.
      workerConnection?.disconnect();
      queueConnection.disconnect();
    },
  };
}

/** Later than this, the in-process dispatcher sets no timer: the sweeper finds the delivery when it is due. */
const MAX_TIMER_MS = 10 * 60_000;

export function createLocalDispatcher(run: RunAttempt, opts: DispatcherOptions): Dispatcher {
  const waiting = new Set<string>();
  const running = new Set<string>();
  const timers = new Map<string, NodeJS.Timeout>();
  let idleWaiters: (() => void)[] = [];
  let closed = false;

  const settleIdle = () => {
    if (waiting.size || running.size) return;
    idleWaiters.forEach((r) => r());
    idleWaiters = [];
  };

  function pump() {
    for (const id of waiting) {
      if (running.size >= opts.concurrency || closed) break;
      waiting.delete(id);
      if (running.has(id)) continue;
      running.add(id);
      run(id)
        .then((o) => {
          if (o.status === 'PENDING' && o.nextAttemptAt) schedule({ id, runAt: o.nextAttemptAt });
        })
        .catch((err) => opts.logger.error({ err, id }, `${opts.label} attempt crashed; the sweeper retries it`))
        .finally(() => {
          running.delete(id);
          pump();
          settleIdle();
        });
    }
    settleIdle();
  }

  function schedule(item: Due) {
    if (closed) return;
    const delay = item.runAt.getTime() - Date.now();
    if (delay <= 0) {
      waiting.add(item.id);
      return;
    }
    if (delay > MAX_TIMER_MS || timers.has(item.id)) return;
    const t = setTimeout(() => {
      timers.delete(item.id);
      waiting.add(item.id);
      pump();
    }, delay);
    t.unref();
    timers.set(item.id, t);
  }

  return {
    kind: 'in-process',
    async enqueue(items) {
      items.forEach(schedule);
      pump();
    },
    idle: () => (waiting.size || running.size ? new Promise<void>((r) => idleWaiters.push(r)) : Promise.resolve()),
    async close() {
      closed = true;
      timers.forEach((t) => clearTimeout(t));
      timers.clear();
      waiting.clear();
      while (running.size) await new Promise((r) => setTimeout(r, 20));
    },
  };
}
