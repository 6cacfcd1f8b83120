import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import sharp from 'sharp';
import type { Config } from '../../src/platform/config.js';
import { atFileEnd } from './file-end.js';
import type { GqlResult, TestServer } from './harness.js';

/*
 * Files for the assets suites: real images and PDFs, uploads the way clients
 * send them (a GraphQL multipart request; createAssetUpload → PUT → finalize),
 * and an S3-compatible server (s3rver, in this process) for the S3 backend.
 */

export const ASSET_FIELDS = `id filename contentType declaredType byteSize sha256 width height status visibility system url
  variants { preset status width height contentType url } attachments { subjectType subjectId role position }`;

export const ASSET_RESULT = `__typename
  ... on AssetPayload { asset { ${ASSET_FIELDS} } }
  ... on Error { code message }
  ... on UnsupportedFileTypeError { detectedType declaredType allowedTypes }
  ... on FileTooLargeError { maxBytes byteSize }
  ... on QuotaExceededError { usedBytes quotaBytes requestedBytes }`;

const UPLOAD = `mutation Upload($input: UploadAssetInput!) { uploadAsset(input: $input) { ${ASSET_RESULT} } }`;

/** A GraphQL multipart request (operations, map, the file part), as Apollo's or urql's upload clients send it. */
export async function uploadInline(
  s: TestServer,
  token: string,
  occasionId: string,
  file: { bytes: Uint8Array; filename: string; type?: string },
  extra: Record<string, unknown> = {},
): Promise<GqlResult> {
  const form = new FormData();
  form.set('operations', JSON.stringify({ query: UPLOAD, variables: { input: { occasionId, file: null, ...extra } } }));
  form.set('map', JSON.stringify({ 0: ['variables.input.file'] }));
  form.set('0', new Blob([Buffer.from(file.bytes)], { type: file.type ?? '' }), file.filename);
  const res = await fetch(`${s.url}/graphql`, { method: 'POST', body: form, headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  try {
    return { status: res.status, headers: res.headers, body: JSON.parse(text) };
  } catch {
    throw new Error(`Non-JSON response (${res.status}): ${text.slice(0, 300)}`);
  }
}

const CREATE_UPLOAD = `mutation($input: CreateAssetUploadInput!) { createAssetUpload(input: $input) {
  __typename
  ... on CreateAssetUploadPayload { asset { id status } upload { url method headers { name value } expiresAt } }
  ... on Error { code message }
  ... on FileTooLargeError { maxBytes byteSize }
  ... on QuotaExceededError { usedBytes quotaBytes requestedBytes }
  ... on UnsupportedFileTypeError { detectedType declaredType }
} }`;
export const FINALIZE = `mutation($input: FinalizeAssetInput!) { finalizeAsset(input: $input) { ${ASSET_RESULT} } }`;

export async function createUpload(
  s: TestServer,
  token: string,
  occasionId: string,
  input: { filename: string; contentType: string; byteSize: number },
) {
  const r = await s.gql(CREATE_UPLOAD, { input: { occasionId, ...input } }, { token });
  if (r.body.errors) throw new Error(JSON.stringify(r.body.errors));
  return r.body.data.createAssetUpload;
}

/**
 * A URL the API handed out, reached from the test: presigned S3 URLs as they are, the API's own (`/assets/…`,
 * under PUBLIC_URL, which a test server does not listen on) at the test server's address.
 */
export function reach(s: TestServer, url: string): string {
  const u = new URL(url);
  return u.pathname.startsWith('/assets/') && !u.searchParams.has('X-Amz-Signature') ? s.url + u.pathname + u.search : url;
}

/** PUTs `bytes` where createAssetUpload said, with its headers (plus any given). */
export function putUpload(
  s: TestServer,
  upload: { url: string; headers: { name: string; value: string }[] },
  bytes: Uint8Array,
  headers: Record<string, string> = {},
) {
  return fetch(reach(s, upload.url), {
    method: 'PUT',
    body: Buffer.from(bytes),
    headers: { ...Object.fromEntries(upload.headers.map((h) => [h.name, h.value])), ...headers },
  });
}

/** The whole direct-upload flow; returns finalizeAsset's result. */
export async function uploadDirect(s: TestServer, token: string, occasionId: string, file: { bytes: Uint8Array; filename: string; type: string }) {
  const created = await createUpload(s, token, occasionId, { filename: file.filename, contentType: file.type, byteSize: file.bytes.byteLength });
  if (created.__typename !== 'CreateAssetUploadPayload') throw new Error(`createAssetUpload: ${JSON.stringify(created)}`);
  const put = await putUpload(s, created.upload, file.bytes);
  if (put.status !== 200) throw new Error(`PUT ${put.status}: ${await put.text()}`);
  const r = await s.gql(FINALIZE, { input: { assetId: created.asset.id } }, { token });
  if (r.body.errors) throw new Error(JSON.stringify(r.body.errors));
  return r.body.data.finalizeAsset;
}

/** A READY asset uploaded inline; fails loudly otherwise. */
export async function mustUpload(s: TestServer, token: string, occasionId: string, file: { bytes: Uint8Array; filename: string; type?: string }) {
  const r = await uploadInline(s, token, occasionId, file);
  const p = r.body.data?.uploadAsset;
  if (p?.__typename !== 'AssetPayload') throw new Error(`uploadAsset: ${JSON.stringify(r.body)}`);
  return p.asset;
}

/** GET a download URL: presigned S3 URLs as they are, the API's own against the test server's address. */
export function download(s: TestServer, url: string, init?: RequestInit) {
  return fetch(reach(s, url), init);
}

// ─── Files ──────────────────────────────────────────────────────────────────

/** A JPEG carrying EXIF (camera, artist, GPS-like text) and rotated by its orientation tag. */
export function jpegWithExif(width = 640, height = 480, orientation?: number): Promise<Buffer> {
  const img = sharp({ create: { width, height, channels: 3, background: { r: 180, g: 40, b: 90 } } }).jpeg({ quality: 80 });
  return img
    .withExif({ IFD0: { Make: 'TestCam', Model: 'Secret 9000', Artist: 'Noa Levi', Copyright: 'GPS 32.0853 N 34.7818 E' } })
    .withMetadata(orientation ? { orientation } : {})
    .toBuffer();
}

export function png(width = 64, height = 48): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 4, background: { r: 10, g: 200, b: 30, alpha: 1 } } })
    .png()
    .toBuffer();
}

/** A minimal but whole PDF (header, one object, trailer, %%EOF). */
export function pdf(padding = 0): Buffer {
  return Buffer.concat([
    Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n', 'latin1'),
    Buffer.alloc(padding, 0x20),
    Buffer.from('\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n', 'latin1'),
  ]);
}

export const SVG = Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
export const HTML = Buffer.from('<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>');
/** The start of a Windows executable (DOS header, PE offset, PE signature). */
export function exe(): Buffer {
  const b = Buffer.alloc(512);
  b.write('MZ', 0, 'latin1');
  b.writeUInt32LE(0x80, 0x3c);
  b.write('PE\0\0', 0x80, 'latin1');
  return b;
}

// ─── S3 ─────────────────────────────────────────────────────────────────────

export const S3_BUCKET = 'tovplus-test-assets';

/** s3rver on 127.0.0.1 in this process for the file, and the config that points the app at it. */
export async function startS3(): Promise<{ config: Partial<Config>; endpoint: string; close(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tovplus-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir, configureBuckets: [{ name: S3_BUCKET }] });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await server.close();
    await rm(dir, { recursive: true, force: true });
  };
  atFileEnd(close);
  return {
    endpoint,
    close,
    config: {
      S3_BUCKET,
      S3_ENDPOINT: endpoint,
      S3_REGION: 'us-east-1',
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      S3_FORCE_PATH_STYLE: true,
    },
  };
}
