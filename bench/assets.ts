/**
 * A large file's upload through the API's direct-upload path —
 * createAssetUpload → PUT the bytes where it says → finalizeAsset (size
 * checked, type sniffed, checksum over every byte) — beside the floor: a plain
 * PUT of the same bytes to the same storage. For the local store the floor is
 * a bare Node http server streaming the body into the same store (the API's
 * own upload route does that, behind its token check); for S3 it is a
 * presigned PUT to the same bucket (s3rver in this process), which is exactly
 * what the API's client sends there too, so the difference is the API's two
 * calls and finalize's read of the whole object.
 *
 * The file is a PDF (what large files here are: print-ready artifacts); an
 * image of that size would mostly measure its re-encoding.
 *
 * Run by `npm run bench` (BENCH_ASSETS=0 skips it, BENCH_ONLY=assets runs only it).
 * Env: BENCH_ASSET_MB (20), BENCH_ASSET_ROUNDS (5).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import type { ObjectStorage } from '../src/platform/storage/storage.js';
import { startBenchApp } from './bench-app.js';
import { signUpOwner } from './seed.js';

const MB = Number(process.env.BENCH_ASSET_MB ?? 20);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ASSET_ROUNDS ?? 5));

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/** A whole PDF of `bytes` bytes (header, padding, trailer), so finalize accepts it. */
function bigPdf(bytes: number): Buffer {
  const head = Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n', 'latin1');
  const tail = Buffer.from('\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n', 'latin1');
  // Random bytes in a comment-free stream body: nothing compresses or deduplicates on the way.
  return Buffer.concat([head, randomBytes(bytes - head.length - tail.length), tail]);
}

interface Timing {
  totalMs: number;
  createMs: number;
  putMs: number;
  finalizeMs: number;
}

/** A bare http server that streams each PUT body into `storage` (the local floor). */
async function startFloorServer(storage: ObjectStorage, maxBytes: number) {
  let n = 0;
  const server = createServer((req, res) => {
    storage
      .putStream(`bench/floor/${++n}`, req, { contentType: String(req.headers['content-type']), maxBytes })
      .then(() => res.writeHead(200, { 'content-length': '0' }).end())
      .catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

async function runBackend(adminUrl: string, backend: 'local' | 's3', log: (m: string) => void, file: Buffer) {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tovplus-bench-assets-'));
  let s3: S3rver | null = null;
  let env: Record<string, string> = { DATA_DIR: dataDir, ASSET_MAX_BYTES: String(file.byteLength * 2) };
  if (backend === 's3') {
    s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: path.join(dataDir, 's3rver'), configureBuckets: [{ name: 'bench' }] });
    const { port } = await s3.run();
    env = {
      ...env,
      S3_BUCKET: 'bench',
      S3_ENDPOINT: `http://127.0.0.1:${port}`,
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      S3_FORCE_PATH_STYLE: 'true',
    };
  }
  const b = await startBenchApp(adminUrl, `assets_${backend}`, env);
  const base = `http://127.0.0.1:${b.port}`;
  const gql = async (query: string, variables?: Record<string, unknown>, token?: string): Promise<any> => {
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return res.json();
  };
  const floor = backend === 'local' ? await startFloorServer(b.app.storage, file.byteLength * 2) : null;
  try {
    const token = await signUpOwner(gql);
    const occ = await gql(
      `mutation($input: CreateOccasionInput!) { createOccasion(input: $input) { ... on OccasionPayload { occasion { id } } } }`,
      {
        input: { name: 'Bench uploads', kind: 'WEDDING' },
      },
      token,
    );
    const occasionId = occ.data.createOccasion.occasion.id as string;
    const sha = createHash('sha256').update(file).digest('hex');
    // Copied once into a plain ArrayBuffer-backed array: what fetch's typings take as a body.
    const body = new Uint8Array(file);
    // The API's own URLs name PUBLIC_URL (unset here): reach them at this server's address.
    const reach = (url: string) => (url.includes('X-Amz-Signature') ? url : base + new URL(url).pathname);

    async function viaApi(): Promise<Timing> {
      const t0 = performance.now();
      const created = await gql(
        `mutation($input: CreateAssetUploadInput!) { createAssetUpload(input: $input) { __typename
          ... on CreateAssetUploadPayload { asset { id } upload { url headers { name value } } } ... on Error { message } } }`,
        { input: { occasionId, filename: 'print.pdf', contentType: 'application/pdf', byteSize: file.byteLength } },
        token,
      );
      const c = created.data?.createAssetUpload;
      if (c?.__typename !== 'CreateAssetUploadPayload') throw new Error(`createAssetUpload: ${JSON.stringify(created)}`);
      const t1 = performance.now();
      const put = await fetch(reach(c.upload.url), {
        method: 'PUT',
        body,
        headers: Object.fromEntries(c.upload.headers.map((h: { name: string; value: string }) => [h.name, h.value])),
      });
      if (put.status !== 200) throw new Error(`PUT ${put.status}: ${await put.text()}`);
      const t2 = performance.now();
      const fin = await gql(
        `mutation($input: FinalizeAssetInput!) { finalizeAsset(input: $input) { __typename ... on AssetPayload { asset { sha256 byteSize } } ... on Error { message } } }`,
        { input: { assetId: c.asset.id } },
        token,
      );
      const asset = fin.data?.finalizeAsset?.asset;
      if (asset?.sha256 !== sha) throw new Error(`finalizeAsset: ${JSON.stringify(fin)}`);
      const t3 = performance.now();
      return { totalMs: t3 - t0, createMs: t1 - t0, putMs: t2 - t1, finalizeMs: t3 - t2 };
    }

    async function plainPut(round: number): Promise<number> {
      const url = floor ? floor.url : await b.app.storage.presignPut(`bench/floor/${round}`, { contentType: 'application/pdf', ttlSeconds: 600 });
      const t0 = performance.now();
      const res = await fetch(url!, { method: 'PUT', body, headers: { 'content-type': 'application/pdf' } });
      if (res.status !== 200) throw new Error(`plain PUT ${res.status}`);
      return performance.now() - t0;
    }

    // One of each to warm up (connections, JIT), then alternating so drift hits both alike.
    await viaApi();
    await plainPut(0);
    const api: Timing[] = [];
    const plain: number[] = [];
    for (let i = 1; i <= ROUNDS; i++) {
      api.push(await viaApi());
      plain.push(await plainPut(i));
    }
    const mb = file.byteLength / 1024 / 1024;
    const total = median(api.map((a) => a.totalMs));
    const floorMs = median(plain);
    log(
      `  ${backend.padEnd(6)} API (create → PUT → finalize) ${fmt(total, 0).padStart(6)} ms  ${fmt(mb / (total / 1000)).padStart(6)} MB/s` +
        `   [create ${fmt(median(api.map((a) => a.createMs)), 0)} ms, PUT ${fmt(median(api.map((a) => a.putMs)), 0)} ms, finalize ${fmt(median(api.map((a) => a.finalizeMs)), 0)} ms]`,
    );
    log(
      `  ${backend.padEnd(6)} plain PUT to the same storage   ${fmt(floorMs, 0).padStart(6)} ms  ${fmt(mb / (floorMs / 1000)).padStart(6)} MB/s` +
        `   API / floor: ${fmt(total / floorMs, 2)}×`,
    );
  } finally {
    await floor?.close();
    await b.http.close();
    await b.app.close();
    await b.app.db.close();
    await b.dropDatabase();
    await s3?.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

export async function runAssetBench(opts: { adminUrl: string; log: (m: string) => void }) {
  const { log } = opts;
  const file = bigPdf(MB * 1024 * 1024);
  log(
    `Direct upload of a ${MB} MB file (median of ${ROUNDS}, after one warm-up each; PostgreSQL, ${process.env.BENCH_ASSET_BACKENDS ?? 'local,s3'})`,
  );
  for (const backend of (process.env.BENCH_ASSET_BACKENDS ?? 'local,s3').split(',') as ('local' | 's3')[]) {
    await runBackend(opts.adminUrl, backend, log, file);
  }
}
