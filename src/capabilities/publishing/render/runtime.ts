import type { AppServices } from '../../../kit/context.js';
import { startRowJobRuntime, type RowJobRuntime } from '../../../platform/jobs/row-runtime.js';
import { createRenderer } from './render-attempt.js';
import { stopTypstWorker } from '../print/typst.js';

/**
 * Renders artifact versions in the jobs runtime (the worker process; the api
 * itself on the embedded default): found at commit, swept every half lease,
 * a killed worker's render taken over once its lease lapses.
 */
export function startArtifactRenderer(app: AppServices, opts: { redisUrl?: string | null } = {}): RowJobRuntime {
  const c = app.config;
  const renderer = createRenderer(app);
  const runtime = startRowJobRuntime({
    label: 'artifact render',
    db: app.db,
    logger: app.logger,
    channel: 'artifact_renders',
    queue: 'artifact-renders',
    dueSql: `SELECT id FROM artifact_versions WHERE status = 'RENDERING' AND (lease_until IS NULL OR lease_until < now()) AND id > $1 ORDER BY id LIMIT $2`,
    pendingSql: `SELECT count(*)::int AS n FROM artifact_versions WHERE status = 'RENDERING'`,
    run: (id) => renderer.attempt(id),
    concurrency: c.RENDER_CONCURRENCY,
    sweepMs: Math.max(1_000, Math.round(c.RENDER_LEASE_MS / 2)),
    redisUrl: opts.redisUrl === undefined ? (c.REDIS_URL ?? null) : opts.redisUrl,
    prefix: c.QUEUE_PREFIX,
    lockMs: c.RENDER_LEASE_MS,
  });
  return {
    ...runtime,
    async stop() {
      await runtime.stop();
      // The PDF toolchain's thread (started by the first render) goes with the runtime.
      await stopTypstWorker();
    },
  };
}
