import type { GraphQLSchema } from 'graphql';
import { resolveAppKey } from '../../platform/app-key.js';
import type { AppServices } from '../../kit/context.js';
import { buildSchema } from '../graphql/schema.js';
import { loadPersistedManifest } from '../integrations/persisted-operations.js';
import { toIntegrationEnvironment } from '../integrations/principal.js';
import { createDeliveryRunner, type DeliveryDeps } from './delivery.js';
import { createBullmqDispatcher, createLocalDispatcher, type Dispatcher } from '../../platform/jobs/dispatch.js';
import { DELIVERY_QUEUE } from './dispatch.js';
import { createWebhookHttpClient } from './http-client.js';
import { relayBatch, type RelayDeps } from './relay.js';

/*
 * The webhook side of the worker: the outbox relay loop (woken by each
 * commit's NOTIFY, polling only as a fallback), the delivery
 * dispatcher (BullMQ with REDIS_URL, in-process without) and the sweeper.
 * The same code runs in the worker process (src/bin/worker.ts) and, on the
 * embedded default, inside the api process.
 */

export interface WebhookWorker {
  dispatcher: Dispatcher;
  /** Look at the outbox now instead of at the next poll. */
  wake(): void;
  /** One relay pass and one sweep, awaited (tests). */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

export interface WebhookWorkerOptions {
  /** Use BullMQ on this Redis; absent: in-process. Defaults to config REDIS_URL. */
  redisUrl?: string | null;
  /** Run the relay loop (default true). */
  relay?: boolean;
  schema?: GraphQLSchema;
}

const SWEEP_GRACE_MS = 2_000;
/** The NOTIFY channel the outbox_events trigger signals on at each commit that wrote outbox rows. */
const OUTBOX_CHANNEL = 'outbox_events';

export function deliveryDeps(app: AppServices, schema: GraphQLSchema = buildSchema()): DeliveryDeps {
  const c = app.config;
  return {
    app,
    schema,
    manifest: loadPersistedManifest(),
    http: createWebhookHttpClient({
      connectTimeoutMs: c.WEBHOOK_CONNECT_TIMEOUT_MS,
      totalTimeoutMs: c.WEBHOOK_TIMEOUT_MS,
      allowedNetworks: c.WEBHOOK_ALLOWED_NETWORKS,
    }),
    appKey: resolveAppKey(c),
    schedule: c.WEBHOOK_RETRY_SCHEDULE,
    maxPayloadBytes: c.WEBHOOK_MAX_PAYLOAD_BYTES,
    disableAfterMs: c.WEBHOOK_DISABLE_AFTER_HOURS * 3_600_000,
    // Renewed by the worker's heartbeat while the attempt runs: past it, a dead worker's delivery is taken over.
    leaseMs: c.WEBHOOK_LEASE_MS,
    environment: toIntegrationEnvironment(c.DEPLOYMENT_ENVIRONMENT),
  };
}

export function startWebhookWorker(app: AppServices, opts: WebhookWorkerOptions = {}): WebhookWorker {
  const c = app.config;
  const deps = deliveryDeps(app, opts.schema);
  const runner = createDeliveryRunner(deps);
  const run = (id: string) => runner.attempt(id);
  const redisUrl = opts.redisUrl === undefined ? c.REDIS_URL : opts.redisUrl;
  const dispatcher = redisUrl
    ? createBullmqDispatcher(DELIVERY_QUEUE, redisUrl, run, {
        label: 'webhook delivery',
        concurrency: c.WEBHOOK_CONCURRENCY,
        logger: app.logger,
        prefix: c.QUEUE_PREFIX,
        lockMs: c.WEBHOOK_LEASE_MS,
      })
    : createLocalDispatcher(run, { label: 'webhook delivery', concurrency: c.WEBHOOK_CONCURRENCY, logger: app.logger });
  // This process's requests (redeliver, test-send) go straight to its queue.
  const ownsDispatch = !app.webhookDispatch;
  if (ownsDispatch) app.webhookDispatch = (items) => dispatcher.enqueue(items);
  const relayDeps: RelayDeps = {
    db: app.db,
    actions: app.actions,
    environment: toIntegrationEnvironment(c.DEPLOYMENT_ENVIRONMENT),
    schedule: c.WEBHOOK_RETRY_SCHEDULE,
  };

  let stopped = false;
  // Set by a wake-up (a commit's NOTIFY, wake()) and cleared as a pass starts: one that arrives mid-pass
  // makes the loop go round again instead of sleeping through it.
  let signalled = true;
  let wakeUp: (() => void) | null = null;
  const sleep = (ms: number, heedSignal = true) =>
    heedSignal && signalled
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const t = setTimeout(resolve, ms);
          wakeUp = () => {
            clearTimeout(t);
            resolve();
          };
        }).finally(() => (wakeUp = null));
  const wake = () => {
    signalled = true;
    wakeUp?.();
  };

  async function relayOnce(skipIfBusy = false): Promise<number> {
    const r = await relayBatch(relayDeps, { skipIfBusy });
    if (r.deliveries.length) await dispatcher.enqueue(r.deliveries);
    return r.claimed;
  }

  /** Due deliveries the queue does not know of (Redis lost them) and deliveries whose worker died. */
  async function sweep(): Promise<number> {
    const rows = await app.db.prisma.$queryRaw<{ id: string }[]>`
      SELECT id FROM webhook_deliveries
      WHERE (status = 'PENDING' AND next_attempt_at <= now() - make_interval(secs => ${SWEEP_GRACE_MS / 1000}))
         OR (status = 'DELIVERING' AND lease_until < now())
      ORDER BY next_attempt_at LIMIT 1000`;
    const now = new Date();
    await dispatcher.enqueue(rows.map((r) => ({ id: r.id, runAt: now })));
    return rows.length;
  }

  const loops: Promise<void>[] = [];
  // Every commit that writes outbox rows notifies (a trigger, see the outbox_notify migration); the poll is
  // only the fallback, for a listening connection that dropped or never opened.
  const listening =
    opts.relay === false
      ? null
      : app.db.listen(OUTBOX_CHANNEL, wake).catch((err) => {
          app.logger.warn({ err }, 'outbox relay cannot listen for commits; polling only');
          return null;
        });
  if (opts.relay !== false) {
    loops.push(
      (async () => {
        while (!stopped) {
          signalled = false;
          try {
            if ((await relayOnce(true)) > 0) continue;
          } catch (err) {
            app.logger.error({ err }, 'outbox relay pass failed; retrying');
            await sleep(c.WEBHOOK_RELAY_POLL_MS, false);
            continue;
          }
          await sleep(c.WEBHOOK_RELAY_POLL_MS);
        }
      })(),
    );
  }
  // The heartbeat: the leases of this worker's attempts in flight move forward while it lives.
  const heartbeat = setInterval(() => {
    runner.renewLeases().catch((err) => app.logger.warn({ err }, 'webhook lease renewal failed'));
  }, c.WEBHOOK_LEASE_MS / 3);
  heartbeat.unref();
  const sweeper = setInterval(() => {
    sweep().catch((err) => app.logger.warn({ err }, 'webhook sweep failed'));
  }, c.WEBHOOK_SWEEP_INTERVAL_MS);
  sweeper.unref();
  // At start-up: whatever was due while no worker ran.
  void sweep().catch((err) => app.logger.warn({ err }, 'webhook sweep failed'));

  return {
    dispatcher,
    wake,
    async drain() {
      while ((await relayOnce()) > 0);
      await sweep();
      await dispatcher.idle();
    },
    async stop() {
      stopped = true;
      if (ownsDispatch) app.webhookDispatch = undefined;
      clearInterval(sweeper);
      wakeUp?.();
      await Promise.all(loops);
      await (await listening)?.close();
      await dispatcher.close();
      clearInterval(heartbeat);
      await deps.http.close();
    },
  };
}
