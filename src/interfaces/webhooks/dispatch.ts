import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import { createRedis } from '../../platform/redis.js';
import type { AttemptOutcome } from './delivery.js';

declare module '../../kit/context.js' {
  interface AppServices {
    /**
     * Hands deliveries a request just made due (redeliver, test-send) to the
     * webhook queue at once. Unset: the worker's sweeper finds them within
     * WEBHOOK_SWEEP_INTERVAL_MS.
     */
    webhookDispatch?: (items: { id: string; runAt: Date }[]) => Promise<void>;
  }
}

/*
 * Waking workers up for due deliveries. Two implementations of one small
 * interface: BullMQ on Redis (many worker processes; job id = delivery id, so
 * a delivery is queued at most once however often it is enqueued), and an
 * in-process one for the embedded default (no Redis). Neither decides
 * anything: the delivery row in PostgreSQL says whether an attempt is due,
 * and the sweeper puts back whatever a queue lost.
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

export type RunAttempt = (deliveryId: string) => Promise<AttemptOutcome>;

export const DELIVERY_QUEUE = 'webhook-deliveries';

/** BullMQ (CommonJS, as `import` loads it too) only with REDIS_URL: the embedded default never loads it. */
const require = createRequire(import.meta.url);

export function createBullmqDispatcher(
  redisUrl: string,
  run: RunAttempt,
  opts: { concurrency: number; logger: Logger; prefix: string; process?: boolean; lockMs?: number },
): Dispatcher {
  const { DelayedError, Queue, Worker } = require('bullmq') as typeof import('bullmq');
  const queue = new Queue(DELIVERY_QUEUE, {
    connection: createRedis(redisUrl),
    prefix: opts.prefix,
    // Finished jobs leave Redis: the delivery row keeps the history, and the same id can be queued again (redeliver).
    defaultJobOptions: { removeOnComplete: true, removeOnFail: true, attempts: 1 },
  });
  queue.on('error', (err) => opts.logger.warn({ err }, 'webhook queue connection error'));
  const worker =
    opts.process === false
      ? null
      : new Worker<{ deliveryId: string }>(
          DELIVERY_QUEUE,
          async (job, token) => {
            const outcome = await run(job.data.deliveryId);
            if (outcome.status === 'PENDING') {
              // Same job, same id, back to delayed until the next attempt is due.
              await job.moveToDelayed(outcome.nextAttemptAt.getTime(), token);
              throw new DelayedError();
            }
            return outcome.status;
          },
          {
            connection: createRedis(redisUrl),
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
  worker?.on('error', (err) => opts.logger.warn({ err }, 'webhook worker connection error'));
  worker?.on('failed', (job, err) => opts.logger.error({ err, deliveryId: job?.data.deliveryId }, 'webhook attempt crashed; the sweeper retries it'));
  return {
    kind: 'bullmq',
    async enqueue(items) {
      if (!items.length) return;
      const now = Date.now();
      await queue.addBulk(
        items.map((i) => ({ name: 'deliver', data: { deliveryId: i.id }, opts: { jobId: i.id, delay: Math.max(0, i.runAt.getTime() - now) } })),
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
    },
  };
}

/**
 * The queue alone, for processes that make deliveries due but run none
 * (the api beside separate workers, the CLI): their requests go straight to
 * the workers instead of waiting for the sweeper.
 */
export function createDeliveryQueue(redisUrl: string, opts: { logger: Logger; prefix: string }): Pick<Dispatcher, 'enqueue' | 'close'> {
  return createBullmqDispatcher(redisUrl, async () => ({ status: 'SKIPPED' }), { ...opts, concurrency: 1, process: false });
}

/** Later than this, the in-process dispatcher sets no timer: the sweeper finds the delivery when it is due. */
const MAX_TIMER_MS = 10 * 60_000;

export function createLocalDispatcher(run: RunAttempt, opts: { concurrency: number; logger: Logger }): Dispatcher {
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
          if (o.status === 'PENDING') schedule({ id, runAt: o.nextAttemptAt });
        })
        .catch((err) => opts.logger.error({ err, deliveryId: id }, 'webhook attempt crashed; the sweeper retries it'))
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
