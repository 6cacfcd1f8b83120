import { type App, createApp } from '../app/create-app.js';
import { startWebhookWorker, type WebhookWorker } from '../interfaces/webhooks/worker-runtime.js';
import { configuredProviderTransport } from '../interfaces/communications/provider-transport.js';
import { startMessageSender, type MessageSenderRuntime } from '../domains/communications/sender/runtime.js';
import { startArtifactRenderer } from '../capabilities/publishing/render/runtime.js';
import type { RowJobRuntime } from '../platform/jobs/row-runtime.js';
import { startAssetRuntime, type AssetRuntime } from '../domains/assets/variants/runtime.js';
import { loadConfig } from '../platform/config.js';
import { exitOnStartupError } from '../platform/startup-error.js';

/**
 * The worker process: the outbox relay, webhook delivery, outgoing messages, image variants and artifact renders (BullMQ on
 * REDIS_URL; without it, in-process with the schedule kept in PostgreSQL).
 * Run as many as you like against one database and Redis: outbox rows are
 * claimed with SKIP LOCKED and each delivery by a conditional update.
 * On the embedded default (no DATABASE_URL) the api runs this itself.
 */
async function main() {
  const config = loadConfig();
  if (!config.DATABASE_URL) {
    console.error('The worker needs DATABASE_URL: on the embedded default (PGlite) the api process runs the worker itself.');
    process.exit(2);
  }
  let app: App | null = null;
  let worker: WebhookWorker | null = null;
  let sender: MessageSenderRuntime | null = null;
  let renderer: RowJobRuntime | null = null;
  let assets: AssetRuntime | null = null;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app?.logger.info({ signal }, 'worker shutting down: finishing attempts in flight');
    const force = setTimeout(() => process.exit(1), config.WEBHOOK_TIMEOUT_MS + 5_000);
    force.unref();
    await worker?.stop();
    await sender?.stop();
    await renderer?.stop();
    await assets?.stop();
    await app?.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  app = await createApp(config);
  if (stopping) return;
  worker = startWebhookWorker(app);
  // The messaging provider is an integration (interfaces): composed here, since the sender (a domain) cannot import it.
  sender = startMessageSender(app, { transport: configuredProviderTransport(app) });
  renderer = startArtifactRenderer(app);
  // Image variants, expired uploads and objects left to delete.
  assets = startAssetRuntime(app);
  app.logger.info(
    { queue: worker.dispatcher.kind, concurrency: config.WEBHOOK_CONCURRENCY, mail: sender.transport.kind, mailConcurrency: config.MAIL_CONCURRENCY },
    'Tov+ worker running',
  );
}

main().catch(exitOnStartupError);
