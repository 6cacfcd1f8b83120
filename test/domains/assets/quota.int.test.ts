import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createUpload, pdf, png, uploadDirect, uploadInline } from '../../support/assets.js';
import { buildWorld, type World } from '../../support/factories.js';
import { startServer } from '../../support/harness.js';
import { rawId } from '../../support/rows.js';

/*
 * Quotas per occasion: READY files by their size and uploads under way by
 * what they reserved count against the occasion's own quota (else
 * ASSET_QUOTA_BYTES). Uploads racing for the last bytes are decided one after
 * the other under the occasion's lock: never both.
 */

const s = await startServer({ ASSET_QUOTA_BYTES: 1_000_000 });
let w: World;
let token: string;

const USAGE = `query($id: ID!) { occasion(id: $id) { assetUsage { usedBytes quotaBytes } } }`;
const usage = async () => (await s.gql(USAGE, { id: w.occasionId }, { token })).body.data.occasion.assetUsage;
const setQuota = (bytes: number | null) =>
  s.app.db.prisma.occasion.update({ where: { id: rawId(w.occasionId) }, data: { assetQuotaBytes: bytes === null ? null : BigInt(bytes) } });

beforeAll(async () => {
  w = await buildWorld(s, { events: 1, households: [] });
  token = w.owner.token;
});

describe('asset quota', () => {
  it('starts from the server default; READY files and open reservations count', async () => {
    expect(await usage()).toEqual({ usedBytes: 0, quotaBytes: 1_000_000 });
    const doc = pdf(1000);
    const inline = (await uploadInline(s, token, w.occasionId, { bytes: doc, filename: 'a.pdf' })).body.data.uploadAsset;
    expect(inline.__typename).toBe('AssetPayload');
    await createUpload(s, token, w.occasionId, { filename: 'b.pdf', contentType: 'application/pdf', byteSize: 20_000 });
    expect(await usage()).toEqual({ usedBytes: doc.byteLength + 20_000, quotaBytes: 1_000_000 });
  });

  it('an occasion’s own quota: an inline upload over it is QUOTA_EXCEEDED, and nothing is kept', async () => {
    const { usedBytes } = await usage();
    await setQuota(usedBytes + 500);
    const before = await s.app.db.prisma.asset.count({ where: { occasionId: rawId(w.occasionId) } });
    const r = (await uploadInline(s, token, w.occasionId, { bytes: pdf(1000), filename: 'c.pdf' })).body.data.uploadAsset;
    expect(r).toMatchObject({ __typename: 'QuotaExceededError', code: 'QUOTA_EXCEEDED', usedBytes, quotaBytes: usedBytes + 500 });
    expect(await s.app.db.prisma.asset.count({ where: { occasionId: rawId(w.occasionId) } })).toBe(before);
    // a reservation over it is refused too, whatever the file turns out to be
    const direct = await createUpload(s, token, w.occasionId, { filename: 'd.pdf', contentType: 'application/pdf', byteSize: 501 });
    expect(direct).toMatchObject({ __typename: 'QuotaExceededError', requestedBytes: 501 });
    // what fits still goes in
    const small = (await uploadInline(s, token, w.occasionId, { bytes: await png(4, 4), filename: 'e.png' })).body.data.uploadAsset;
    expect(small.__typename).toBe('AssetPayload');
  });

  it('finalizing counts the file’s real size, not what was reserved', async () => {
    await setQuota(null);
    const before = (await usage()).usedBytes;
    const doc = pdf(3000);
    const created = await createUpload(s, token, w.occasionId, { filename: 'f.pdf', contentType: 'application/pdf', byteSize: 50_000 });
    expect((await usage()).usedBytes).toBe(before + 50_000);
    const done = await uploadDirect(s, token, w.occasionId, { bytes: doc, filename: 'g.pdf', type: 'application/pdf' });
    expect(done.asset.byteSize).toBe(doc.byteLength);
    expect((await usage()).usedBytes).toBe(before + 50_000 + doc.byteLength);
    void created;
  });

  it('concurrent uploads racing for the last bytes: exactly as many as fit get in', async () => {
    // given room for exactly 3 more files of this size
    const doc = pdf(10_000);
    const { usedBytes } = await usage();
    await setQuota(usedBytes + 3 * doc.byteLength);

    // when 6 inline uploads and 4 direct reservations of the same size race
    const results = await Promise.all([
      ...Array.from({ length: 6 }, (_, i) =>
        uploadInline(s, token, w.occasionId, { bytes: doc, filename: `race-${i}.pdf` }).then((r) => r.body.data.uploadAsset.__typename as string),
      ),
      ...Array.from({ length: 4 }, (_, i) =>
        createUpload(s, token, w.occasionId, { filename: `race-d${i}.pdf`, contentType: 'application/pdf', byteSize: doc.byteLength }).then(
          (r) => r.__typename as string,
        ),
      ),
    ]);

    // then three got in, the rest were refused, and the occasion is exactly full
    expect(results.filter((t) => t === 'QuotaExceededError')).toHaveLength(7);
    expect(results.filter((t) => t !== 'QuotaExceededError').sort()).toEqual(
      expect.arrayContaining([expect.stringMatching(/^(AssetPayload|CreateAssetUploadPayload)$/)]),
    );
    expect(results.filter((t) => t !== 'QuotaExceededError')).toHaveLength(3);
    expect(await usage()).toEqual({ usedBytes: usedBytes + 3 * doc.byteLength, quotaBytes: usedBytes + 3 * doc.byteLength });
    // and no object was left behind by the refused ones: one file per READY asset in the store (this server's own)
    const files = (await readdir(join(s.app.config.DATA_DIR, 'assets'), { recursive: true })).filter((f) => /[0-9a-f]{64}$/.test(f));
    expect(files).toHaveLength(await s.app.db.prisma.asset.count({ where: { occasionId: rawId(w.occasionId), status: 'READY' } }));
  });
});
