import type { AppServices } from '../../../kit/context.js';
import { createBullmqDispatcher, createLocalDispatcher, type Dispatcher } from '../../../platform/jobs/dispatch.js';
import type { MailTransport } from '../../../platform/mail/transport.js';
import { messagingEnv } from '../messaging-env.js';
import { runDueReminders } from '../reminders/scheduler.js';
import { createMessageSender } from './attempt.js';
import { createConfiguredTransport } from './transport-choice.js';

/*
 * The sending side of Communications: deliveries written by any transaction
 * (the outbox) are found at its commit (NOTIFY on comm_deliveries; a sweep
 * every MAIL_SWEEP_INTERVAL_MS as the fallback, which also takes over the
 * deliveries of workers that died) and handed to the jobs runtime: BullMQ with
 * REDIS_URL (job id = delivery id), in-process without. Runs in the worker
 * process, and in the api on the embedded default.
 */

export const MESSAGE_QUEUE = 'comm-deliveries';
const CHANNEL = 'comm_deliveries';
/** Due rows per look: a large send is handed over in slices, each enqueued in one round trip. */
const SLICE = 1_000;

export interface MessageSenderRuntime {
  dispatcher: Dispatcher;
  transport: MailTransport;
  /** Look for due deliveries now (tests; a request that just queued some on a process without a listener). */
  wake(): void;
  /** Everything due now is sent (or failed), awaited (tests). */
  drain(): Promise<void>;
  /**
   * Runs the reminders and scheduled scans (task deadlines) due at `now` (default: now) and hands their messages over;
   * how many were queued (tests, operators).
   */
  remindNow(now?: Date): Promise<number>;
  stop(): Promise<void>;
}

export interface MessageSenderOptions {
  /** BullMQ on this Redis; null: in-process. Defaults to config REDIS_URL. */
  redisUrl?: string | null;
  /**
   * A transport instead of MAIL_URL's (or the local mailbox): the messaging provider, which the processes compose
   * from the interfaces (bin/), since the sender cannot reach up to them; a test's own.
   */
  transport?: MailTransport;
}

export function startMessageSender(app: AppServices, opts: MessageSenderOptions = {}): MessageSenderRuntime {
  const c = app.config;
  const env = messagingEnv(c);
  const transport = opts.transport ?? createConfiguredTransport(app);
  const sender = createMessageSender({ db: app.db, transport, env, logger: app.logger, schedule: c.MAIL_RETRY_SCHEDULE, leaseMs: c.MAIL_LEASE_MS });
  const redisUrl = opts.redisUrl === undefined ? c.REDIS_URL : opts.redisUrl;
  const run = (id: string) => sender.attempt(id);
  const dispatcher = redisUrl
    ? createBullmqDispatcher(MESSAGE_QUEUE, redisUrl, run, {
        label: 'message',
        concurrency: c.MAIL_CONCURRENCY,
        logger: app.logger,
        prefix: c.QUEUE_PREFIX,
        lockMs: c.MAIL_LEASE_MS,
      })
    : createLocalDispatcher(run, { label: 'message', concurrency: c.MAIL_CONCURRENCY, logger: app.logger });

  /** Queued deliveries now due, and those whose worker died; all of them, a slice at a time. */
  async function handOver(): Promise<number> {
    let total = 0;
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows = await app.db.query<{ id: string }>(
        `SELECT id FROM comm_deliveries
         WHERE ((status = 'QUEUED' AND next_attempt_at <= now()) OR (status = 'SENDING' AND lease_until < now())) AND id > $1
         ORDER BY id LIMIT ${SLICE}`,
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
        await handOver().catch((err: unknown) => app.logger.warn({ err }, 'message hand-over failed; the sweep retries'));
      }
    });
    return running;
  };

  const listening = app.db
    .listen(CHANNEL, () => void look())
    .catch((err: unknown) => {
      app.logger.warn({ err }, 'message sender cannot listen for commits; sweeping only');
      return null;
    });
  // Reminders that came due are looked for at the same pace (the module that owns deadlines contributes their source),
  // and so are the scheduled scans contributed from above (task deadlines): each on its own, so one failing stops no other.
  const reminderSource = app.moduleRegistry.list().find((m) => m.reminderSource)?.reminderSource;
  const jobs: { name: string; run: (now?: Date) => Promise<number> }[] = [
    ...(reminderSource ? [{ name: 'reminders', run: (now?: Date) => runDueReminders(app, reminderSource, now) }] : []),
    ...app.scheduledScans.map((scan) => ({ name: scan.name, run: (now?: Date) => scan.run(app, now ?? new Date()) })),
  ];
  let reminding: Promise<number> | null = null;
  const remind = (now?: Date) =>
    (reminding ??= Promise.all(
      jobs.map((job) =>
        job.run(now).catch((err: unknown) => {
          app.logger.warn({ err, scan: job.name }, `${job.name} could not run; trying again at the next sweep`);
          return 0;
        }),
      ),
    )
      .then((counts) => counts.reduce((a, b) => a + b, 0))
      .finally(() => (reminding = null)));
  const sweeper = setInterval(() => {
    void look();
    void remind();
  }, c.MAIL_SWEEP_INTERVAL_MS);
  sweeper.unref();
  const heartbeat = setInterval(() => {
    sender.renewLeases().catch((err: unknown) => app.logger.warn({ err }, 'message lease renewal failed'));
  }, c.MAIL_LEASE_MS / 3);
  heartbeat.unref();
  void look();

  return {
    dispatcher,
    transport,
    wake: () => void look(),
    async remindNow(now) {
      await reminding;
      const n = await remind(now);
      await look();
      return n;
    },
    /** Waits out retries due within the next few seconds too (tests use a short MAIL_RETRY_SCHEDULE). */
    async drain() {
      for (;;) {
        await look();
        await dispatcher.idle();
        const due = await app.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM comm_deliveries WHERE (status = 'QUEUED' AND next_attempt_at <= now() + interval '5 seconds') OR status = 'SENDING'`,
        );
        if (!due[0]!.n) return;
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async stop() {
      stopped = true;
      clearInterval(sweeper);
      await running;
      await (await listening)?.close();
      await dispatcher.close();
      clearInterval(heartbeat);
      await transport.close();
    },
  };
}
