import { createHash } from 'node:crypto';
import { recordGeneratedAsset, sha256Hex } from '../../../domains/assets/generated-files.js';
import type { AppServices } from '../../../kit/context.js';
import { DomainError } from '../../../platform/errors.js';
import { collectBusinessEvents, recordBusinessEvent, type RecordedBusinessEvent } from '../../../platform/outbox.js';
import type { Tx } from '../../../platform/db/client.js';
import type { Caller } from '../../../platform/principal.js';
import type { RenderedFile } from '../artifact-definition.js';
import { artifactDefinitions } from '../definitions.js';
import { printSpecSchema } from '../print/print-spec.js';
import { artifactRendered } from '../publishing.business-events.js';

/*
 * One attempt at rendering one version. The version row is the job: it is
 * taken with a lease (renewed by progress and a heartbeat) only while it is
 * RENDERING and no live lease holds it, and `render_attempts` is the fencing
 * token every later write checks, so a worker that lost its lease (paused,
 * or presumed dead and replaced) can no longer write anything. Files go to
 * keys fixed by the version and role: a rerun overwrites, never orphans.
 * The version becomes RENDERED, with its files as assets, in one transaction.
 */

export const MAX_RENDER_ATTEMPTS = 3;
const RETRY_AFTER_MS = 5_000;

export type RenderOutcome = { status: 'PENDING'; nextAttemptAt: Date } | { status: 'RENDERED' | 'FAILED' | 'SKIPPED' };

interface Claimed {
  id: string;
  artifact_id: string;
  occasion_id: string;
  number: number;
  inputs: unknown;
  print_spec: unknown;
  render_attempts: number;
  definition_key: string;
}

class LeaseLost extends Error {}

const RENDER_CALLER: Caller = { principal: { kind: 'system', reason: 'publishing:render', actions: [] }, requestId: 'render' };

const EXTENSIONS: Record<string, string> = { 'application/pdf': 'pdf', 'image/png': 'png', 'image/svg+xml': 'svg', 'application/zip': 'zip' };
export const fileKey = (v: { artifactId: string; number: number }, f: Pick<RenderedFile, 'role' | 'contentType'>) =>
  `artifacts/${v.artifactId}/v${v.number}/${f.role}.${EXTENSIONS[f.contentType] ?? 'bin'}`;

export function createRenderer(app: AppServices) {
  const leaseSecs = app.config.RENDER_LEASE_MS / 1000;

  async function claim(id: string): Promise<Claimed | { busyUntil: Date } | null> {
    const rows = await app.db.query<Claimed>(
      `UPDATE artifact_versions v SET lease_until = now() + make_interval(secs => $2), render_attempts = render_attempts + 1
       FROM artifacts a
       WHERE v.id = $1 AND a.id = v.artifact_id AND v.status = 'RENDERING' AND (v.lease_until IS NULL OR v.lease_until < now())
       RETURNING v.id, v.artifact_id, v.occasion_id, v.number, v.inputs, v.print_spec, v.render_attempts, a.definition_key`,
      [id, leaseSecs],
    );
    if (rows.length) return rows[0]!;
    const [busy] = await app.db.query<{ lease_until: Date | null }>(
      `SELECT lease_until FROM artifact_versions WHERE id = $1 AND status = 'RENDERING'`,
      [id],
    );
    return busy?.lease_until ? { busyUntil: busy.lease_until } : null;
  }

  /** Renews the lease and records progress; fails once another attempt holds the row. */
  async function touch(c: Claimed, done?: number, total?: number) {
    const rows = await app.db.query(
      `UPDATE artifact_versions SET lease_until = now() + make_interval(secs => $3),
         pages_done = COALESCE($4, pages_done), pages_total = COALESCE($5, pages_total),
         progress = CASE WHEN $5::int > 0 THEN LEAST(99, floor(100.0 * $4::int / $5::int))::int ELSE progress END
       WHERE id = $1 AND render_attempts = $2 AND status = 'RENDERING' RETURNING id`,
      [c.id, c.render_attempts, leaseSecs, done ?? null, total ?? null],
    );
    if (!rows.length) throw new LeaseLost();
  }

  /** One transaction; its events go to live subscribers once it committed (as inTransaction does for requests). */
  async function committing<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    let recorded: RecordedBusinessEvent[] = [];
    const result = await app.db.prisma.$transaction(async (tx) => {
      recorded = collectBusinessEvents(tx);
      return fn(tx);
    });
    if (recorded.length) app.live.committed(recorded);
    return result;
  }

  /** artifact.rendered for the version the attempt holds, about its artifact. */
  const announce = (tx: Tx, c: Claimed, outcome: { status: 'RENDERED' | 'FAILED'; error: string | null }) =>
    recordBusinessEvent(
      tx,
      RENDER_CALLER,
      artifactRendered,
      { occasionId: c.occasion_id, artifactId: c.artifact_id, versionId: c.id, number: c.number, definitionKey: c.definition_key, ...outcome },
      { occasionId: c.occasion_id, resource: { type: 'Artifact', id: c.artifact_id } },
    );

  async function finish(c: Claimed, files: RenderedFile[], keys: string[], hashes: string[]) {
    const contentHash = createHash('sha256')
      .update(files.map((f, i) => `${f.role}:${hashes[i]}`).join('\n'))
      .digest('hex');
    return committing(async (tx) => {
      const { count } = await tx.artifactVersion.updateMany({
        where: { id: c.id, renderAttempts: c.render_attempts, status: 'RENDERING' },
        data: { status: 'RENDERED', progress: 100, contentHash, renderedAt: new Date(), leaseUntil: null, error: null },
      });
      if (!count) return false;
      for (const [i, f] of files.entries()) {
        await recordGeneratedAsset(
          tx,
          { occasionId: c.occasion_id, storageKey: keys[i]!, filename: f.filename, contentType: f.contentType, bytes: f.bytes, sha256: hashes[i]! },
          { subjectType: 'ArtifactVersion', subjectId: c.id, role: f.role, position: i },
        );
      }
      await announce(tx, c, { status: 'RENDERED', error: null });
      return true;
    });
  }

  async function fail(c: Claimed, error: string, outputs: readonly { role: string; contentType: string }[] = []) {
    // Whatever an interrupted attempt stored goes: a failed version has no files.
    for (const o of outputs) {
      await app.storage.delete(fileKey({ artifactId: c.artifact_id, number: c.number }, o)).catch((err: unknown) => {
        app.logger.warn({ err, versionId: c.id }, 'could not remove a failed render’s file');
      });
    }
    await committing(async (tx) => {
      const { count } = await tx.artifactVersion.updateMany({
        where: { id: c.id, renderAttempts: c.render_attempts, status: 'RENDERING' },
        data: { status: 'FAILED', error: error.slice(0, 2000), leaseUntil: null },
      });
      if (count) await announce(tx, c, { status: 'FAILED', error });
    });
  }

  async function attempt(id: string): Promise<RenderOutcome> {
    const c = await claim(id);
    if (!c) return { status: 'SKIPPED' };
    if ('busyUntil' in c) return { status: 'PENDING', nextAttemptAt: c.busyUntil };
    const def = artifactDefinitions(app.moduleRegistry).get(c.definition_key);
    if (!def) {
      await fail(c, `No artifact definition ${c.definition_key} on this server.`);
      return { status: 'FAILED' };
    }
    if (c.render_attempts > MAX_RENDER_ATTEMPTS) {
      await fail(c, `Gave up after ${MAX_RENDER_ATTEMPTS} attempts (each was interrupted or failed on storage).`, def.outputs);
      return { status: 'FAILED' };
    }
    const heartbeat = setInterval(() => void touch(c).catch(() => {}), app.config.RENDER_LEASE_MS / 3);
    heartbeat.unref();
    try {
      const inputs = def.inputs.parse(c.inputs);
      const rendered = await def.render({
        app,
        occasionId: c.occasion_id,
        artifactId: c.artifact_id,
        version: { id: c.id, number: c.number },
        inputs,
        printSpec: printSpecSchema.parse(c.print_spec),
        progress: (done, total) => touch(c, done, total),
      });
      // Only the declared outputs, in their declared order: the keys a failure would clean up are exactly these.
      const files = def.outputs.map((o) => {
        const f = rendered.find((r) => r.role === o.role);
        if (!f || f.contentType !== o.contentType) throw new Error(`${def.key} rendered no ${o.role} (${o.contentType})`);
        return f;
      });
      await touch(c);
      const keys = files.map((f) => fileKey({ artifactId: c.artifact_id, number: c.number }, f));
      const hashes = files.map((f) => sha256Hex(f.bytes));
      for (const [i, f] of files.entries()) await app.storage.put(keys[i]!, f.bytes, { contentType: f.contentType });
      return (await finish(c, files, keys, hashes)) ? { status: 'RENDERED' } : { status: 'SKIPPED' };
    } catch (err) {
      if (err instanceof LeaseLost) return { status: 'SKIPPED' };
      // The draft itself cannot be rendered (bad data, a template error): failing again would not help.
      if (err instanceof DomainError || (err as Error).name === 'TypstRenderError' || (err as Error).name === 'ZodError') {
        await fail(c, (err as Error).message, def.outputs);
        return { status: 'FAILED' };
      }
      // Storage or the database: the lease is let go and the row tried again shortly, up to MAX_RENDER_ATTEMPTS.
      app.logger.warn({ err, versionId: id, attempt: c.render_attempts }, 'render attempt failed; retrying');
      await app.db.query(`UPDATE artifact_versions SET lease_until = now() + make_interval(secs => $3) WHERE id = $1 AND render_attempts = $2`, [
        id,
        c.render_attempts,
        RETRY_AFTER_MS / 1000,
      ]);
      return { status: 'PENDING', nextAttemptAt: new Date(Date.now() + RETRY_AFTER_MS) };
    } finally {
      clearInterval(heartbeat);
    }
  }

  return { attempt };
}
