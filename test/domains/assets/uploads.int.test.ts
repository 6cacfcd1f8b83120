import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../src/platform/config.js';
import {
  createUpload,
  download,
  exe,
  FINALIZE,
  HTML,
  jpegWithExif,
  pdf,
  png,
  putUpload,
  reach,
  startS3,
  SVG,
  uploadDirect,
  uploadInline,
} from '../../support/assets.js';
import { buildWorld, type World } from '../../support/factories.js';
import { type TestServer, startServer } from '../../support/harness.js';
import { rawId } from '../../support/rows.js';

/*
 * Files in, on both storage backends (the local store under DATA_DIR, and S3
 * against s3rver in this process): small files inside a GraphQL multipart
 * request, large ones straight to storage and finalized. What is refused
 * (type, size, damage) is a typed error and leaves no row and no object.
 */

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const LIMITS = { ASSET_INLINE_MAX_BYTES: 200_000, ASSET_MAX_BYTES: 1_000_000 } satisfies Partial<Config>;
const s3 = await startS3();

for (const [backend, overrides] of [
  ['local', {}],
  ['s3', s3.config],
] as const) {
  describe(`uploads on ${backend} storage`, () => {
    let s: TestServer;
    let w: World;
    let token: string;

    /** Asset rows of the occasion, and whether anything is left at their keys. */
    const assetRows = () => s.app.db.prisma.asset.findMany({ where: { occasionId: rawId(w.occasionId) } });
    const objectAt = (key: string) => s.app.storage.head(key);

    beforeAll(async () => {
      s = await startServer({ ...LIMITS, ...overrides });
      w = await buildWorld(s, { events: 1, households: [] });
      token = w.owner.token;
      expect(s.app.storage.kind).toBe(backend);
    });

    it('inline: a JPEG with EXIF is stored without it, upright, measured, with the checksum of what is stored', async () => {
      // given a camera JPEG, 640×480 but tagged to be shown turned (orientation 6: 90° clockwise)
      const original = await jpegWithExif(640, 480, 6);
      expect((await sharp(original).metadata()).exif).toBeDefined();

      // when it is uploaded inside a multipart request
      const r = await uploadInline(s, token, w.occasionId, { bytes: original, filename: '../../etc/IMG_0001.JPG', type: 'image/jpeg' });

      // then it is READY, turned upright (480×640), with its name cleaned
      const asset = r.body.data.uploadAsset.asset;
      expect(r.body.data.uploadAsset.__typename).toBe('AssetPayload');
      expect(asset).toMatchObject({
        status: 'READY',
        contentType: 'image/jpeg',
        filename: 'IMG_0001.JPG',
        width: 480,
        height: 640,
        visibility: 'PRIVATE',
      });
      // and what the url serves has no EXIF, is the checksum's bytes, and comes with safe headers
      const res = await download(s, asset.url);
      expect(res.status).toBe(200);
      const stored = Buffer.from(await res.arrayBuffer());
      const meta = await sharp(stored).metadata();
      expect(meta.exif).toBeUndefined();
      expect(meta.orientation).toBeUndefined();
      expect([meta.width, meta.height]).toEqual([480, 640]);
      expect(stored.toString('latin1')).not.toContain('Secret 9000');
      expect(sha256(stored)).toBe(asset.sha256);
      expect(asset.byteSize).toBe(stored.byteLength);
      expect(res.headers.get('content-type')).toBe('image/jpeg');
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="IMG_0001.JPG"; filename*=UTF-8''IMG_0001.JPG`);
      expect(res.headers.get('cache-control')).toMatch(/^private, max-age=\d+$/);
      if (backend === 'local') expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    });

    it('inline: a PDF is kept byte for byte; a mislabelled file is stored as what its bytes are', async () => {
      const doc = pdf(500);
      const asPdf = (await uploadInline(s, token, w.occasionId, { bytes: doc, filename: 'menu.pdf', type: 'application/pdf' })).body.data.uploadAsset;
      expect(asPdf.asset).toMatchObject({ contentType: 'application/pdf', sha256: sha256(doc), byteSize: doc.byteLength, width: null, variants: [] });
      expect(Buffer.from(await (await download(s, asPdf.asset.url)).arrayBuffer()).equals(doc)).toBe(true);

      // a PDF sent as image/png, named .png: accepted as the PDF it is, the client's word kept beside it
      const mislabelled = (await uploadInline(s, token, w.occasionId, { bytes: doc, filename: 'photo.png', type: 'image/png' })).body.data
        .uploadAsset;
      expect(mislabelled.asset).toMatchObject({ contentType: 'application/pdf', declaredType: 'image/png', filename: 'photo.pdf' });
      const res = await download(s, mislabelled.asset.url);
      expect(res.headers.get('content-type')).toBe('application/pdf');
    });

    it.each([
      ['an SVG (scripts inside)', SVG, 'logo.svg', 'image/svg+xml', 'image/svg+xml'],
      ['HTML sent as an image', HTML, 'cover.png', 'image/png', 'text/html'],
      ['a Windows executable', exe(), 'setup.exe', 'application/octet-stream', 'application/x-msdownload'],
      ['plain text', Buffer.from('hello there'), 'notes.txt', 'text/plain', 'text/plain'],
    ])('inline: %s is refused as UNSUPPORTED_FILE_TYPE naming what it is, and nothing is kept', async (_name, bytes, filename, type, detected) => {
      const before = (await assetRows()).length;
      const r = (await uploadInline(s, token, w.occasionId, { bytes, filename, type })).body.data.uploadAsset;
      expect(r).toMatchObject({ __typename: 'UnsupportedFileTypeError', code: 'UNSUPPORTED_FILE_TYPE', detectedType: detected, declaredType: type });
      expect(r.allowedTypes).toContain('image/jpeg');
      expect((await assetRows()).length).toBe(before);
    });

    it('inline: a truncated JPEG is FILE_UNREADABLE; a PDF cut short too', async () => {
      const jpeg = await jpegWithExif(800, 600);
      const cut = (await uploadInline(s, token, w.occasionId, { bytes: jpeg.subarray(0, 1500), filename: 'cut.jpg', type: 'image/jpeg' })).body.data
        .uploadAsset;
      expect(cut).toMatchObject({ __typename: 'UnreadableFileError', code: 'FILE_UNREADABLE' });
      const doc = pdf(2000);
      const half = (await uploadInline(s, token, w.occasionId, { bytes: doc.subarray(0, 1000), filename: 'half.pdf' })).body.data.uploadAsset;
      expect(half.code).toBe('FILE_UNREADABLE');
    });

    it('inline: over ASSET_INLINE_MAX_BYTES is FILE_TOO_LARGE; far over, the request is refused (413) before it is read', async () => {
      const before = (await assetRows()).length;
      const big = Buffer.concat([pdf(LIMITS.ASSET_INLINE_MAX_BYTES)]);
      const r = (await uploadInline(s, token, w.occasionId, { bytes: big, filename: 'big.pdf' })).body.data.uploadAsset;
      expect(r).toMatchObject({ __typename: 'FileTooLargeError', maxBytes: LIMITS.ASSET_INLINE_MAX_BYTES, byteSize: big.byteLength });
      // beyond the multipart allowance: the HTTP server's answer, as for any oversized body
      const huge = await uploadInline(s, token, w.occasionId, { bytes: Buffer.alloc(4 * 1024 * 1024), filename: 'huge.bin' });
      expect(huge.status).toBe(413);
      expect(huge.body.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
      expect((await assetRows()).length).toBe(before);
    });

    it('inline: anything but a file in the file variable is a validation error', async () => {
      const r = await s.gql(
        `mutation($input: UploadAssetInput!) { uploadAsset(input: $input) { __typename ... on ValidationError { fields { path } } } }`,
        { input: { occasionId: w.occasionId, file: 'not a file' } },
        { token },
      );
      expect(r.body.data.uploadAsset).toEqual({ __typename: 'ValidationError', fields: [{ path: 'input.file' }] });
    });

    it('direct: reserve, PUT to the URL given, finalize → READY, EXIF stripped, the upload’s own object gone', async () => {
      const original = await jpegWithExif(1200, 800);
      const created = await createUpload(s, token, w.occasionId, { filename: 'hall.jpg', contentType: 'image/jpeg', byteSize: original.byteLength });
      expect(created.asset.status).toBe('UPLOADING');
      expect(created.upload).toMatchObject({ method: 'PUT', headers: [{ name: 'Content-Type', value: 'image/jpeg' }] });
      expect(created.upload.url).toMatch(backend === 's3' ? /X-Amz-Signature=/ : /\/assets\/upload\//);
      const uploadKey = (await s.app.db.prisma.asset.findUniqueOrThrow({ where: { id: rawId(created.asset.id) } })).storageKey;

      // the UPLOADING asset has no url and is not listed
      const pending = await s.gql(`query($id: ID!) { asset(id: $id) { status url } }`, { id: created.asset.id }, { token });
      expect(pending.body.data.asset).toEqual({ status: 'UPLOADING', url: null });

      expect((await putUpload(s, created.upload, original)).status).toBe(200);
      const done = (await s.gql(FINALIZE, { input: { assetId: created.asset.id } }, { token })).body.data.finalizeAsset;
      expect(done.asset).toMatchObject({ status: 'READY', contentType: 'image/jpeg', width: 1200, height: 800 });
      const stored = Buffer.from(await (await download(s, done.asset.url)).arrayBuffer());
      expect((await sharp(stored).metadata()).exif).toBeUndefined();
      expect(sha256(stored)).toBe(done.asset.sha256);
      expect(await objectAt(uploadKey)).toBeNull();

      // finalizing again returns the READY asset as it is
      const again = (await s.gql(FINALIZE, { input: { assetId: created.asset.id } }, { token })).body.data.finalizeAsset;
      expect(again.asset).toMatchObject({ id: created.asset.id, status: 'READY', sha256: done.asset.sha256 });
    });

    it('direct: a PDF is kept where it was uploaded, byte for byte', async () => {
      const doc = pdf(300_000);
      const done = await uploadDirect(s, token, w.occasionId, { bytes: doc, filename: 'seating.pdf', type: 'application/pdf' });
      expect(done.asset).toMatchObject({ status: 'READY', contentType: 'application/pdf', byteSize: doc.byteLength, sha256: sha256(doc) });
      expect(Buffer.from(await (await download(s, done.asset.url)).arrayBuffer()).equals(doc)).toBe(true);
    });

    it('direct: finalize before any upload is UPLOAD_NOT_FOUND and keeps the reservation; the upload can still follow', async () => {
      const doc = pdf(100);
      const created = await createUpload(s, token, w.occasionId, { filename: 'later.pdf', contentType: 'application/pdf', byteSize: doc.byteLength });
      const early = (await s.gql(FINALIZE, { input: { assetId: created.asset.id } }, { token })).body.data.finalizeAsset;
      expect(early).toMatchObject({ __typename: 'UploadNotFoundError', code: 'UPLOAD_NOT_FOUND' });
      expect((await putUpload(s, created.upload, doc)).status).toBe(200);
      const done = (await s.gql(FINALIZE, { input: { assetId: created.asset.id } }, { token })).body.data.finalizeAsset;
      expect(done.asset.status).toBe('READY');
    });

    it('direct: more than ASSET_MAX_BYTES cannot be reserved', async () => {
      const r = await s.gql(
        `mutation($input: CreateAssetUploadInput!) { createAssetUpload(input: $input) { __typename ... on FileTooLargeError { maxBytes byteSize } } }`,
        { input: { occasionId: w.occasionId, filename: 'film.pdf', contentType: 'application/pdf', byteSize: LIMITS.ASSET_MAX_BYTES + 1 } },
        { token },
      );
      expect(r.body.data.createAssetUpload).toEqual({
        __typename: 'FileTooLargeError',
        maxBytes: LIMITS.ASSET_MAX_BYTES,
        byteSize: LIMITS.ASSET_MAX_BYTES + 1,
      });
    });

    it('direct: a type that could never be accepted is refused at once', async () => {
      const r = await createUpload(s, token, w.occasionId, { filename: 'page.html', contentType: 'text/html', byteSize: 100 });
      expect(r).toMatchObject({ __typename: 'UnsupportedFileTypeError', detectedType: null, declaredType: 'text/html' });
    });

    it('direct: more bytes than reserved → refused (413 on the API’s route; FILE_TOO_LARGE at finalize on S3), row and object dropped', async () => {
      const doc = pdf(5000);
      const created = await createUpload(s, token, w.occasionId, { filename: 'small.pdf', contentType: 'application/pdf', byteSize: 1000 });
      const assetId = rawId(created.asset.id);
      const key = (await s.app.db.prisma.asset.findUniqueOrThrow({ where: { id: assetId } })).storageKey;
      const put = await putUpload(s, created.upload, doc);
      if (backend === 'local') {
        // the API's route stops at the reserved size and keeps nothing
        expect(put.status).toBe(413);
        expect(await objectAt(key)).toBeNull();
        // and one sent chunked (no Content-Length to refuse it by) is cut off once past the reserved size
        const chunked = await fetch(reach(s, created.upload.url), {
          method: 'PUT',
          headers: { 'content-type': 'application/pdf' },
          body: new ReadableStream({
            start(c) {
              c.enqueue(doc.subarray(0, 800));
              c.enqueue(doc.subarray(800));
              c.close();
            },
          }),
          duplex: 'half',
        } as RequestInit).catch((e: unknown) => e);
        // the server answers 413 and closes; depending on timing the client sees that or a reset
        if (chunked instanceof Response) expect(chunked.status).toBe(413);
        expect(await objectAt(key)).toBeNull();
        // (put there by hand, to see finalize refuse it too)
        await s.app.storage.put(key, doc, { contentType: 'application/pdf' });
      } else {
        // a presigned PUT cannot limit the size: S3 takes it, finalize refuses it
        expect(put.status).toBe(200);
      }
      const r = (await s.gql(FINALIZE, { input: { assetId: created.asset.id } }, { token })).body.data.finalizeAsset;
      expect(r).toMatchObject({ __typename: 'FileTooLargeError', maxBytes: 1000, byteSize: doc.byteLength });
      expect(await s.app.db.prisma.asset.findUnique({ where: { id: assetId } })).toBeNull();
      expect(await objectAt(key)).toBeNull();
    });

    it('direct: an SVG uploaded as a PNG is refused at finalize; row and object dropped', async () => {
      const created = await createUpload(s, token, w.occasionId, { filename: 'x.png', contentType: 'image/png', byteSize: SVG.byteLength });
      const assetId = rawId(created.asset.id);
      const key = (await s.app.db.prisma.asset.findUniqueOrThrow({ where: { id: assetId } })).storageKey;
      expect((await putUpload(s, created.upload, SVG)).status).toBe(200);
      const r = (await s.gql(FINALIZE, { input: { assetId: created.asset.id } }, { token })).body.data.finalizeAsset;
      expect(r).toMatchObject({ __typename: 'UnsupportedFileTypeError', detectedType: 'image/svg+xml', declaredType: 'image/png' });
      expect(await s.app.db.prisma.asset.findUnique({ where: { id: assetId } })).toBeNull();
      expect(await objectAt(key)).toBeNull();
      // the refusal is in the audit log, naming the file
      const audit = await s.app.db.prisma.auditLog.findFirst({ where: { targetType: 'Asset', targetId: assetId, outcome: 'FAILED' } });
      expect(audit?.reason).toContain('UNSUPPORTED_FILE_TYPE');
    });

    it('direct: the upload must be sent with the type agreed', async () => {
      const doc = pdf(10);
      const created = await createUpload(s, token, w.occasionId, { filename: 'a.pdf', contentType: 'application/pdf', byteSize: doc.byteLength });
      if (backend === 's3') {
        // signed into the URL (s3rver checks no signatures: what is signed is checked on the URL, as in the storage suite)
        expect(new URL(created.upload.url).searchParams.get('X-Amz-SignedHeaders')?.split(';')).toContain('content-type');
        return;
      }
      const wrongType = await putUpload(s, created.upload, doc, { 'Content-Type': 'text/html' });
      expect(wrongType.status).toBe(403);
    });

    it('both paths record an audit row and an asset.uploaded business event', async () => {
      const asset = (await uploadInline(s, token, w.occasionId, { bytes: await png(), filename: 'dot.png', type: 'image/png' })).body.data.uploadAsset
        .asset;
      const id = rawId(asset.id);
      expect(await s.app.db.prisma.auditLog.count({ where: { targetType: 'Asset', targetId: id, action: 'asset:upload' } })).toBe(1);
      const events = await s.app.db.prisma.outboxEvent.findMany({ where: { type: 'asset.uploaded', occasionId: rawId(w.occasionId) } });
      expect(events.map((e) => (e.payload as { assetId: string }).assetId)).toContain(id);
    });
  });
}
