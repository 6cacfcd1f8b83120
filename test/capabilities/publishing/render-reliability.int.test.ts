import { describe, expect, it } from 'vitest';
import { createRenderer } from '../../../src/capabilities/publishing/render/render-attempt.js';
import { createS3Storage } from '../../../src/platform/storage/s3.js';
import { must } from '../../support/factories.js';
import { startServer } from '../../support/harness.js';
import { rawId } from '../../support/rows.js';
import { createPackage, invitedWorld, RENDER, startRenderer, VERSION } from './publishing-support.js';

/**
 * Render jobs that die, run twice or meet a failing store: the version ends
 * rendered once, with one file at its fixed key, or FAILED with no file.
 */

// No render runtime runs unless a test starts one: each test decides who renders when.
const s = await startServer({ RENDER_LEASE_MS: 2_000 }, { ownDatabase: true });

const filesOf = (versionId: string) =>
  s.app.db.prisma.assetAttachment.findMany({ where: { subjectType: 'ArtifactVersion', subjectId: rawId(versionId) } });

describe('render reliability', () => {
  it('a worker that died mid-render (lease lapsed, a partial file left at the key) is taken over: rendered once, the file replaced', async () => {
    const w = await invitedWorld(s, [2, 1]);
    const artifactId = await createPackage(s, w);
    // The render is requested while no runtime looks (as if every worker were down) …
    const r = await must(s, w.owner.token, RENDER, { i: { artifactId } });
    const versionId = rawId(r.renderArtifact.version.id);
    // … then a worker claims it, writes half a file, and dies: its lease has lapsed.
    await s.app.db.query(
      `UPDATE artifact_versions SET render_attempts = 1, lease_until = now() - interval '1 second', pages_done = 1 WHERE id = $1`,
      [versionId],
    );
    const key = `artifacts/${rawId(artifactId)}/v1/print_pdf.pdf`;
    await s.app.storage.put(key, Buffer.from('%PDF-1.7 truncated'), { contentType: 'application/pdf' });
    const next = startRenderer(s);
    await next.drain();
    const v = (await must(s, w.owner.token, VERSION, { id: r.renderArtifact.version.id })).artifactVersion;
    expect(v).toMatchObject({ status: 'RENDERED', progress: 100 });
    const files = await filesOf(r.renderArtifact.version.id);
    expect(files).toHaveLength(1);
    const stored = await s.app.storage.get(key);
    expect(stored!.length).toBeGreaterThan(1000);
    const asset = await s.app.db.prisma.asset.findUniqueOrThrow({ where: { id: files[0]!.assetId } });
    expect(asset.storageKey).toBe(key);
    expect(Number(asset.byteSize)).toBe(stored!.length);
    expect((await s.app.db.prisma.artifactVersion.findUniqueOrThrow({ where: { id: versionId } })).renderAttempts).toBe(2);
    await next.stop();
  });

  it('two workers on one version: one renders it, the other finds it taken; one asset, one artifact.rendered', async () => {
    const w = await invitedWorld(s, [1, 1]);
    const artifactId = await createPackage(s, w);
    const r = await must(s, w.owner.token, RENDER, { i: { artifactId } });
    const a = createRenderer(s.app);
    const b = createRenderer(s.app);
    const outcomes = await Promise.all([a.attempt(rawId(r.renderArtifact.version.id)), b.attempt(rawId(r.renderArtifact.version.id))]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['PENDING', 'RENDERED']);
    expect(await filesOf(r.renderArtifact.version.id)).toHaveLength(1);
    const rendered = await s.app.db.prisma.outboxEvent.count({ where: { type: 'artifact.rendered', resourceId: rawId(artifactId) } });
    expect(rendered).toBe(1);
  });

  it('a store that fails on every write: retried, then FAILED after three attempts with no file and no asset row', async () => {
    const w = await invitedWorld(s, [1]);
    const artifactId = await createPackage(s, w);
    const real = s.app.storage;
    // A real S3 client pointed at a port nothing listens on: every put fails with a connection error.
    s.app.storage = createS3Storage({
      endpoint: 'http://127.0.0.1:9',
      region: 'us-east-1',
      bucket: 'nowhere',
      accessKeyId: 'x',
      secretAccessKey: 'y',
      forcePathStyle: true,
    });
    try {
      const r = await must(s, w.owner.token, RENDER, { i: { artifactId } });
      const versionId = rawId(r.renderArtifact.version.id);
      const renderOnce = createRenderer(s.app);
      for (let i = 0; i < 4; i++) {
        await s.app.db.query(`UPDATE artifact_versions SET lease_until = NULL WHERE id = $1 AND status = 'RENDERING'`, [versionId]);
        await renderOnce.attempt(versionId);
      }
      const v = await s.app.db.prisma.artifactVersion.findUniqueOrThrow({ where: { id: versionId } });
      expect(v.status).toBe('FAILED');
      expect(v.error).toMatch(/Gave up after 3 attempts/);
      expect(await filesOf(r.renderArtifact.version.id)).toEqual([]);
      expect(await s.app.db.prisma.asset.count({ where: { occasionId: rawId(w.occasionId) } })).toBe(0);
    } finally {
      s.app.storage = real;
    }
  }, 60_000);
});
