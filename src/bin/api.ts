import { type App, createApp } from '../app/create-app.js';
import { buildSchema } from '../interfaces/graphql/schema.js';
import { createHttpServer, type HttpServer } from '../interfaces/graphql/server.js';
import { createDeliveryQueue } from '../interfaces/webhooks/dispatch.js';
import { startWebhookWorker, type WebhookWorker } from '../interfaces/webhooks/worker-runtime.js';
import { configuredProviderTransport } from '../interfaces/communications/provider-transport.js';
import { startMessageSender, type MessageSenderRuntime } from '../domains/communications/sender/runtime.js';
import { startArtifactRenderer } from '../capabilities/publishing/render/runtime.js';
import type { RowJobRuntime } from '../platform/jobs/row-runtime.js';
import { startAssetRuntime, type AssetRuntime } from '../domains/assets/variants/runtime.js';
import { loadConfig } from '../platform/config.js';
import { exitOnStartupError } from '../platform/startup-error.js';
import { raiseWasmTieringBudget } from '../platform/wasm-tiering.js';
import { demoPlan, runDemo } from './demo.js';

/**
 * The api process. With no DATABASE_URL it runs on embedded PGlite under
 * DATA_DIR and, outside production, seeds the demo occasion on first boot, so
 * `npm start` on a fresh machine gives a working API with data and a planner
 * to sign in as.
 */
async function main() {
  // Where start-up time goes, logged with "listening" (ms; `modules`: from the process's start to here, Node and the
  // imports above, and a build when `npm start` ran one first).
  const startupMs: Record<string, number> = { modules: Math.round(performance.now()) };
  const phase = (name: string, since: number) => (startupMs[name] = Math.round(performance.now() - since));
  const config = loadConfig();
  // Decided before anything opens: SEED_DEMO=true in production stops here.
  const demo = demoPlan(config);
  let app: App | null = null;
  let http: HttpServer | null = null;
  let worker: WebhookWorker | null = null;
  let sender: MessageSenderRuntime | null = null;
  let renderer: RowJobRuntime | null = null;
  let assets: AssetRuntime | null = null;
  let closeQueue: (() => Promise<void>) | null = null;

  // Installed first, so a SIGTERM during start-up also shuts down cleanly.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app?.logger.info({ signal }, 'shutting down: draining connections');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await http?.close();
    await worker?.stop();
    await sender?.stop();
    await renderer?.stop();
    await assets?.stop();
    await closeQueue?.();
    await app?.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  // The embedded database is WebAssembly: optimise only what stays hot (wasm-tiering.ts).
  if (!config.DATABASE_URL) raiseWasmTieringBudget();
  let t = performance.now();
  app = await createApp(config);
  phase('app', t); // the database opened (created on a fresh embedded one), migrated; signing keys
  const embedded = !config.DATABASE_URL;
  t = performance.now();
  const afterStart = await runDemo(app, demo);
  phase('demo', t);
  if (stopping) return;
  // Built once: the HTTP server and an in-process worker (which renders payloads through it) share it.
  t = performance.now();
  const schema = buildSchema();
  phase('schema', t);
  if (embedded || config.WORKER_IN_API) {
    // PGlite is one process's database: the relay, deliveries, image variants and renders run here (src/bin/worker.ts elsewhere).
    worker = startWebhookWorker(app, { schema });
    sender = startMessageSender(app, { transport: configuredProviderTransport(app) });
    renderer = startArtifactRenderer(app);
    assets = startAssetRuntime(app);
  } else if (config.REDIS_URL) {
    // Deliveries a request makes due (redeliver, test-send) go straight to the workers' queue.
    const queue = createDeliveryQueue(config.REDIS_URL, { logger: app.logger, prefix: config.QUEUE_PREFIX });
    app.webhookDispatch = (items) => queue.enqueue(items);
    closeQueue = () => queue.close();
  }
  http = createHttpServer(app, undefined, schema);
  const port = await http.listen();
  startupMs.total = Math.round(performance.now());
  void afterStart?.().catch((err: unknown) => app?.logger.warn({ err }, 'the demo invitation package was not published'));
  app.logger.info({ port, database: app.db.kind, redis: Boolean(app.redis), startupMs }, `Tov+ API listening on http://localhost:${port}/graphql`);
}

main().catch(exitOnStartupError);
