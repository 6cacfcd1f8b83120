import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Storage } from '../../../src/platform/storage/s3.js';
import type { ObjectStorage } from '../../../src/platform/storage/storage.js';
import { storageContract } from './contract.js';

/*
 * The S3 store against s3rver in this process (path-style, 127.0.0.1, an ephemeral port). s3rver checks a
 * presigned URL's expiry but not SigV4 signatures, so what is signed is checked on the URL itself.
 */

const BUCKET = 'tovplus-assets';
let server: S3rver;
let dir: string;
let endpoint: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tovplus-s3rver-'));
  server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: BUCKET }] });
  const { port } = await server.run();
  endpoint = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const make = (): ObjectStorage =>
  createS3Storage({ endpoint, region: 'us-east-1', bucket: BUCKET, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', forcePathStyle: true });

storageContract('s3', async () => make());

describe('S3 presigned uploads', () => {
  let store: ObjectStorage;
  beforeAll(() => {
    store = make();
  });
  afterAll(async () => {
    await store?.close();
  });

  it('is kind s3', () => {
    expect(store.kind).toBe('s3');
  });

  it('gives a URL that accepts a PUT with fetch; the object is then readable', async () => {
    const key = 'events/7/uploads/photo 1.png';
    const url = await store.presignPut(key, { contentType: 'image/png', ttlSeconds: 60 });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/tovplus-assets\/events\/7\/uploads\/photo%201\.png\?/);
    const body = Buffer.from('\x89PNG fake image bytes');
    const res = await fetch(url!, { method: 'PUT', body, headers: { 'content-type': 'image/png' } });
    expect(res.status).toBe(200);
    expect((await store.get(key))?.equals(body)).toBe(true);
    expect(await store.head(key)).toEqual({ size: body.byteLength, contentType: 'image/png' });
  });

  it('signs the content type and the expiry into the URL, with no checksum of an empty body', async () => {
    const url = new URL((await store.presignPut('a/b.pdf', { contentType: 'application/pdf', ttlSeconds: 300 }))!);
    expect(url.searchParams.get('X-Amz-SignedHeaders')?.split(';')).toContain('content-type');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect([...url.searchParams.keys()].filter((k) => /checksum/i.test(k))).toEqual([]);
  });

  it('gives a download URL serving the object as an attachment with the agreed type and name (RFC 5987)', async () => {
    const key = 'events/7/files/menu.pdf';
    await store.put(key, Buffer.from('%PDF-1.7 menu'), { contentType: 'image/png' });
    const url = await store.presignGet(key, { ttlSeconds: 120, filename: 'Menü "final".pdf', contentType: 'application/pdf' });
    const u = new URL(url!);
    expect(u.searchParams.get('X-Amz-Expires')).toBe('120');
    const res = await fetch(url!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="Men_ _final_.pdf"; filename*=UTF-8''Men%C3%BC%20%22final%22.pdf`);
    expect(res.headers.get('cache-control')).toBe('private, max-age=120');
    expect(await res.text()).toBe('%PDF-1.7 menu');
  });

  it('refuses a download once the URL has expired', async () => {
    const key = 'events/7/files/late.pdf';
    await store.put(key, Buffer.from('late'), { contentType: 'application/pdf' });
    const url = await store.presignGet(key, { ttlSeconds: 1, filename: 'late.pdf', contentType: 'application/pdf' });
    await new Promise((r) => setTimeout(r, 2_100));
    const res = await fetch(url!);
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain('late');
  });

  it('refuses an upload once the URL has expired', async () => {
    const key = 'events/7/uploads/late.png';
    const url = await store.presignPut(key, { contentType: 'image/png', ttlSeconds: 1 });
    // X-Amz-Date has whole seconds: past 2 s the URL is expired however the clock ticked.
    await new Promise((r) => setTimeout(r, 2_100));
    const res = await fetch(url!, { method: 'PUT', body: Buffer.from('too late'), headers: { 'content-type': 'image/png' } });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Request has expired');
    expect(await store.head(key)).toBeNull();
  });
});
