import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVariantWorker } from '../../../src/domains/assets/variants/generate.js';
import { startAssetRuntime, type AssetRuntime } from '../../../src/domains/assets/variants/runtime.js';
import type { ObjectStorage } from '../../../src/platform/storage/storage.js';
import { download, jpegWithExif, mustUpload, pdf, png } from '../../support/assets.js';
import { buildWorld, type World } from '../../support/factories.js';
import { startServer, type TestServer } from '../../support/harness.js';
import { rawId } from '../../support/rows.js';

/*
 * Image variants (thumbnail ≤ 320 px, web ≤ 1600 px, WebP) made by the assets
 * runtime after an image becomes READY: found at commit, made once, readable
 * through their own signed URLs; a worker that dies holding one loses it to
 * another once its lease lapses, and a variant that keeps failing ends FAILED
 * with its error. The runtime's sweep also drops unfinished uploads past
 * their time. A database of its own: the runtime takes every variant it finds.
 */

const s: TestServer = await startServer({ ASSET_VARIANT_LEASE_MS: 1_000 }, { ownDatabase: true });
let w: World;
let runtime: AssetRuntime;

beforeAll(async () => {
  w = await buildWorld(s, { events: 1, households: [] });
});
afterAll(async () => {
  await runtime?.stop();
});

const variantsOf = (assetId: string) => s.app.db.prisma.assetVariant.findMany({ where: { assetId: rawId(assetId) }, orderBy: { preset: 'asc' } });
const ASSET = `query($id: ID!) { asset(id: $id) { variants { preset status width height contentType url } } }`;

describe('image variants', () => {
  it('an image gets PENDING variants with its READY; the runtime makes them, readable through their own URLs', async () => {
    // given a 2000×1000 JPEG, uploaded with no runtime running
    const asset = await mustUpload(s, w.owner.token, w.occasionId, {
      bytes: await jpegWithExif(2000, 1000),
      filename: 'hall.jpg',
      type: 'image/jpeg',
    });
    expect(asset.variants).toEqual([
      { preset: 'thumbnail', status: 'PENDING', width: null, height: null, contentType: null, url: null },
      { preset: 'web', status: 'PENDING', width: null, height: null, contentType: null, url: null },
    ]);

    // when the runtime runs
    runtime = startAssetRuntime(s.app, { retryDelayMs: 50 });
    await runtime.drain();

    // then both are WebP, fitted inside their size, with the aspect kept
    const variants = (await s.gql(ASSET, { id: asset.id }, { token: w.owner.token })).body.data.asset.variants;
    expect(variants).toMatchObject([
      { preset: 'thumbnail', status: 'READY', width: 320, height: 160, contentType: 'image/webp' },
      { preset: 'web', status: 'READY', width: 1600, height: 800, contentType: 'image/webp' },
    ]);
    const res = await download(s, variants[0].url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/webp');
    expect(res.headers.get('content-disposition')).toContain(`filename="hall-thumbnail.webp"`);
    const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
    expect([meta.format, meta.width, meta.height, meta.exif]).toEqual(['webp', 320, 160, undefined]);
    expect((await variantsOf(asset.id)).map((v) => v.attempts)).toEqual([1, 1]);
  });

  it('never enlarges a small image; PDFs get no variants', async () => {
    const small = await mustUpload(s, w.owner.token, w.occasionId, { bytes: await png(100, 50), filename: 'dot.png' });
    const doc = await mustUpload(s, w.owner.token, w.occasionId, { bytes: pdf(), filename: 'a.pdf' });
    await runtime.drain();
    expect((await variantsOf(small.id)).map((v) => [v.preset, v.status, v.width, v.height])).toEqual([
      ['thumbnail', 'READY', 100, 50],
      ['web', 'READY', 100, 50],
    ]);
    expect(await variantsOf(doc.id)).toEqual([]);
  });

  it('a worker that dies holding a variant loses it to another once its lease lapses; its late finish changes nothing', async () => {
    // given a variant taken by a worker that then hangs on the storage read, never renewing its lease (as if killed)
    await runtime.stop();
    const asset = await mustUpload(s, w.owner.token, w.occasionId, { bytes: await png(800, 600), filename: 'slow.png' });
    const [thumbnail] = await variantsOf(asset.id);
    let release!: () => void;
    const stuck = new Promise<void>((r) => (release = r));
    const hanging: ObjectStorage = {
      ...s.app.storage,
      get: async (key) => {
        await stuck;
        return s.app.storage.get(key);
      },
    };
    const dead = createVariantWorker({ db: s.app.db, storage: hanging, logger: s.app.logger, leaseMs: 1_000, maxAttempts: 3, retryDelayMs: 50 });
    const deadAttempt = dead.attempt(thumbnail!.id);
    await expect.poll(async () => (await variantsOf(asset.id))[0]!.attempts).toBe(1);

    // when another runtime starts: the leased variant waits for the lease, the other one is made at once
    runtime = startAssetRuntime(s.app, { retryDelayMs: 50 });
    await expect.poll(async () => (await variantsOf(asset.id))[1]!.status).toBe('READY');
    expect((await variantsOf(asset.id))[0]!.status).toBe('PENDING');
    await runtime.drain();

    // then the other runtime took it over after the lease (a second attempt) and made it
    const [taken] = await variantsOf(asset.id);
    expect(taken).toMatchObject({ status: 'READY', attempts: 2, width: 320, height: 240 });

    // and the dead worker, waking up late, does not undo it
    release();
    await deadAttempt;
    expect((await variantsOf(asset.id))[0]).toMatchObject({ status: 'READY', attempts: 2, width: 320, height: 240 });
  });

  it('a variant that keeps failing is tried maxAttempts times, then FAILED with its error; an undecodable original fails at once', async () => {
    await runtime.stop();
    const flaky = await mustUpload(s, w.owner.token, w.occasionId, { bytes: await png(400, 400), filename: 'flaky.png' });
    const broken = await mustUpload(s, w.owner.token, w.occasionId, { bytes: await png(400, 400), filename: 'broken.png' });
    const flakyKey = (await s.app.db.prisma.asset.findUniqueOrThrow({ where: { id: rawId(flaky.id) } })).storageKey;
    const brokenKey = (await s.app.db.prisma.asset.findUniqueOrThrow({ where: { id: rawId(broken.id) } })).storageKey;
    await s.app.storage.put(brokenKey, Buffer.from('no longer an image'), { contentType: 'image/png' });
    const real = s.app.storage;
    s.app.storage = {
      ...real,
      get: async (key) => {
        if (key === flakyKey) throw new Error('storage timeout');
        return real.get(key);
      },
    };
    try {
      runtime = startAssetRuntime(s.app, { retryDelayMs: 50 });
      await runtime.drain();
    } finally {
      s.app.storage = real;
    }
    expect((await variantsOf(flaky.id)).map((v) => [v.status, v.attempts, v.error])).toEqual([
      ['FAILED', 3, 'storage timeout'],
      ['FAILED', 3, 'storage timeout'],
    ]);
    const failed = await variantsOf(broken.id);
    expect(failed.map((v) => [v.status, v.attempts])).toEqual([
      ['FAILED', 1],
      ['FAILED', 1],
    ]);
    expect(failed[0]!.error).toMatch(/cannot be decoded/);
    // the file itself is unaffected: still READY, still downloadable
    const r = await s.gql(`query($id: ID!) { asset(id: $id) { status url variants { status url } } }`, { id: flaky.id }, { token: w.owner.token });
    expect(r.body.data.asset).toMatchObject({
      status: 'READY',
      variants: [
        { status: 'FAILED', url: null },
        { status: 'FAILED', url: null },
      ],
    });
    expect((await download(s, r.body.data.asset.url)).status).toBe(200);
  });
});

describe('the runtime’s sweep', () => {
  it('drops direct uploads never finalized, once past their time: row, reservation and object', async () => {
    // given an upload whose bytes arrived but that was never finalized, now past its time
    const created = (
      await s.gql(
        `mutation($input: CreateAssetUploadInput!) { createAssetUpload(input: $input) { ... on CreateAssetUploadPayload { asset { id } } } }`,
        { input: { occasionId: w.occasionId, filename: 'forgotten.pdf', contentType: 'application/pdf', byteSize: 5000 } },
        { token: w.owner.token },
      )
    ).body.data.createAssetUpload;
    const id = rawId(created.asset.id);
    const row = await s.app.db.prisma.asset.findUniqueOrThrow({ where: { id } });
    await s.app.storage.put(row.storageKey, pdf(), { contentType: 'application/pdf' });
    const usage = `query($id: ID!) { occasion(id: $id) { assetUsage { usedBytes } } }`;
    const before = (await s.gql(usage, { id: w.occasionId }, { token: w.owner.token })).body.data.occasion.assetUsage.usedBytes;
    await s.app.db.prisma.asset.update({ where: { id }, data: { uploadExpiresAt: new Date(Date.now() - 1000) } });
    // (an expired reservation no longer counts, even before the sweep)
    const after = (await s.gql(usage, { id: w.occasionId }, { token: w.owner.token })).body.data.occasion.assetUsage.usedBytes;
    expect(before - after).toBe(5000);

    // when the sweep runs
    const result = await runtime.sweep();

    // then the row and its object are gone, and the asset's audit trail says why
    expect(result.expiredUploads).toBe(1);
    expect(await s.app.db.prisma.asset.findUnique({ where: { id } })).toBeNull();
    expect(await s.app.storage.head(row.storageKey)).toBeNull();
    expect(await s.app.db.prisma.assetStorageDeletion.count({ where: { storageKey: row.storageKey } })).toBe(0);
    expect(await s.app.db.prisma.auditLog.count({ where: { targetType: 'Asset', targetId: id, action: 'asset:upload_expired' } })).toBe(1);
  });
});
