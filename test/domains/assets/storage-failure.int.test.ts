import { createServer } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runHousekeeping } from '../../../src/domains/assets/housekeeping.js';
import type { ObjectStorage } from '../../../src/platform/storage/storage.js';
import { createUpload, FINALIZE, mustUpload, pdf, putUpload, uploadInline } from '../../support/assets.js';
import { buildWorld, type World } from '../../support/factories.js';
import { startServer } from '../../support/harness.js';
import { rawId } from '../../support/rows.js';

/*
 * Storage that fails: at the put, mid-way through an upload's transaction, at
 * a delete, unreachable altogether. The caller gets a typed error (or, for a
 * delete after a commit, nothing to worry about), no row is left without its
 * object, and no object is left without its row once the sweep has run.
 * A database of its own: the sweep here looks at every row.
 */

const s = await startServer({}, { ownDatabase: true });
const real = s.app.storage;
let w: World;
let token: string;

beforeAll(async () => {
  w = await buildWorld(s, { events: 1, households: [] });
  token = w.owner.token;
});
afterEach(() => {
  s.app.storage = real;
});

const rows = () => s.app.db.prisma.asset.findMany({ where: { occasionId: rawId(w.occasionId) } });
const sweep = () => runHousekeeping({ db: s.app.db, storage: s.app.storage, logger: s.app.logger });
/** Every pending deletion made due now (intents wait an hour for their upload's transaction). */
const dueNow = () => s.app.db.prisma.assetStorageDeletion.updateMany({ data: { dueAt: new Date(Date.now() - 1000) } });
/** The keys put to the store, by the wrapper that watches it. */
function watching(overrides: Partial<ObjectStorage> = {}): { keys: string[] } {
  const seen = { keys: [] as string[] };
  s.app.storage = {
    ...real,
    put: async (key, body, opts) => {
      seen.keys.push(key);
      return real.put(key, body, opts);
    },
    ...overrides,
  };
  return seen;
}

describe('storage failing', () => {
  it('at the put: STORAGE_UNAVAILABLE, no row, nothing stored', async () => {
    const before = (await rows()).length;
    s.app.storage = {
      ...real,
      put: async () => {
        throw new Error('connection reset by peer');
      },
    };
    const r = (await uploadInline(s, token, w.occasionId, { bytes: pdf(), filename: 'a.pdf' })).body.data.uploadAsset;
    expect(r).toMatchObject({ __typename: 'StorageUnavailableError', code: 'STORAGE_UNAVAILABLE' });
    expect((await rows()).length).toBe(before);
    // the error reached the log, not the caller
    expect(s.logs.some((l) => l.includes('connection reset by peer'))).toBe(true);
    expect(JSON.stringify(r)).not.toContain('connection reset');
  });

  it('after the put, when the transaction fails: the object is deleted again', async () => {
    // given a store that, while the bytes go in, sees the occasion's quota drop to nothing (the transaction then refuses)
    const seen = watching({
      put: async (key, body, opts) => {
        seen.keys.push(key);
        const out = await real.put(key, body, opts);
        await s.app.db.prisma.occasion.update({ where: { id: rawId(w.occasionId) }, data: { assetQuotaBytes: 0n } });
        return out;
      },
    });
    try {
      const r = (await uploadInline(s, token, w.occasionId, { bytes: pdf(), filename: 'b.pdf' })).body.data.uploadAsset;
      expect(r.__typename).toBe('QuotaExceededError');
    } finally {
      await s.app.db.prisma.occasion.update({ where: { id: rawId(w.occasionId) }, data: { assetQuotaBytes: null } });
    }
    // then what was put is gone, and so is its entry
    expect(seen.keys).toHaveLength(1);
    expect(await real.head(seen.keys[0]!)).toBeNull();
    expect(await s.app.db.prisma.assetStorageDeletion.count({ where: { storageKey: seen.keys[0] } })).toBe(0);
  });

  it('after the put, when the transaction fails and the delete fails too: the sweep deletes the object later', async () => {
    const seen = watching({
      put: async (key, body, opts) => {
        seen.keys.push(key);
        const out = await real.put(key, body, opts);
        await s.app.db.prisma.occasion.update({ where: { id: rawId(w.occasionId) }, data: { assetQuotaBytes: 0n } });
        return out;
      },
      delete: async () => {
        throw new Error('storage down');
      },
    });
    try {
      expect((await uploadInline(s, token, w.occasionId, { bytes: pdf(), filename: 'c.pdf' })).body.data.uploadAsset.__typename).toBe(
        'QuotaExceededError',
      );
    } finally {
      await s.app.db.prisma.occasion.update({ where: { id: rawId(w.occasionId) }, data: { assetQuotaBytes: null } });
    }
    const key = seen.keys[0]!;
    expect(await real.head(key)).not.toBeNull();
    // when storage is back and the entry is due
    s.app.storage = real;
    await dueNow();
    await sweep();
    // then the object is gone
    expect(await real.head(key)).toBeNull();
    expect(await s.app.db.prisma.assetStorageDeletion.count()).toBe(0);
  });

  it('a process that dies between the put and the commit leaves an intent: the sweep deletes the object', async () => {
    // given bytes put under an intent, and no row ever written (the process died)
    const { recordUploadIntent } = await import('../../../src/domains/assets/storage-cleanup.js');
    const key = 'assets/00000000-0000-7000-8000-000000000001/original';
    await recordUploadIntent(s.app.db, key);
    await real.put(key, pdf(), { contentType: 'application/pdf' });
    // the sweep leaves it while its transaction could still be running
    await sweep();
    expect(await real.head(key)).not.toBeNull();
    // once due, it goes
    await dueNow();
    await sweep();
    expect(await real.head(key)).toBeNull();
  });

  it('at a delete after the commit: the delete succeeds for the caller; the sweep deletes the bytes', async () => {
    const asset = await mustUpload(s, token, w.occasionId, { bytes: pdf(), filename: 'd.pdf' });
    const key = (await s.app.db.prisma.asset.findUniqueOrThrow({ where: { id: rawId(asset.id) } })).storageKey;
    s.app.storage = {
      ...real,
      delete: async () => {
        throw new Error('storage down');
      },
    };
    const r = await s.gql(
      `mutation($input: DeleteAssetInput!) { deleteAsset(input: $input) { __typename ... on DeleteAssetPayload { deletedId } } }`,
      { input: { assetId: asset.id } },
      { token },
    );
    expect(r.body.data.deleteAsset).toEqual({ __typename: 'DeleteAssetPayload', deletedId: asset.id });
    expect(await real.head(key)).not.toBeNull();
    const entry = await s.app.db.prisma.assetStorageDeletion.findUniqueOrThrow({ where: { storageKey: key } });
    expect(entry).toMatchObject({ attempts: 1, lastError: 'storage down' });
    s.app.storage = real;
    await dueNow();
    await sweep();
    expect(await real.head(key)).toBeNull();
  });

  it('a direct upload whose bytes cannot be stored: 503 and nothing kept; the upload can be sent again', async () => {
    const doc = pdf(100);
    const created = await createUpload(s, token, w.occasionId, { filename: 'e.pdf', contentType: 'application/pdf', byteSize: doc.byteLength });
    s.app.storage = {
      ...real,
      putStream: async () => {
        throw new Error('disk full');
      },
    };
    expect((await putUpload(s, created.upload, doc)).status).toBe(503);
    expect((await s.gql(FINALIZE, { input: { assetId: created.asset.id } }, { token })).body.data.finalizeAsset.code).toBe('UPLOAD_NOT_FOUND');
    s.app.storage = real;
    expect((await putUpload(s, created.upload, doc)).status).toBe(200);
    expect((await s.gql(FINALIZE, { input: { assetId: created.asset.id } }, { token })).body.data.finalizeAsset.asset.status).toBe('READY');
  });
});

describe('S3 unreachable (a closed port)', () => {
  it('uploads are STORAGE_UNAVAILABLE with no row; a reserved upload stays to be finalized later', async () => {
    // given a port nothing listens on
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const s3 = await startServer({
      S3_BUCKET: 'nowhere',
      S3_ENDPOINT: `http://127.0.0.1:${port}`,
      S3_ACCESS_KEY_ID: 'x',
      S3_SECRET_ACCESS_KEY: 'y',
      S3_FORCE_PATH_STYLE: true,
    });
    const world = await buildWorld(s3, { events: 1, households: [] });

    const r = (await uploadInline(s3, world.owner.token, world.occasionId, { bytes: pdf(), filename: 'x.pdf' })).body.data.uploadAsset;
    expect(r.__typename).toBe('StorageUnavailableError');
    expect(await s3.app.db.prisma.asset.count({ where: { occasionId: rawId(world.occasionId) } })).toBe(0);

    const created = await createUpload(s3, world.owner.token, world.occasionId, { filename: 'y.pdf', contentType: 'application/pdf', byteSize: 100 });
    const fin = (await s3.gql(FINALIZE, { input: { assetId: created.asset.id } }, { token: world.owner.token })).body.data.finalizeAsset;
    expect(fin.__typename).toBe('StorageUnavailableError');
    expect((await s3.app.db.prisma.asset.findUniqueOrThrow({ where: { id: rawId(created.asset.id) } })).status).toBe('UPLOADING');
  });
});
