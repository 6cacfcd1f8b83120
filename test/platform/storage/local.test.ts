import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalStorage } from '../../../src/platform/storage/local.js';
import type { ObjectStorage } from '../../../src/platform/storage/storage.js';
import { BAD_KEYS, storageContract } from './contract.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), 'tovplus-storage-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

storageContract('local', async () => createLocalStorage(await tempDir()));

/** Every file under dir, relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

describe('local storage on disk', () => {
  let outer: string;
  let root: string;
  let store: ObjectStorage;

  beforeAll(async () => {
    outer = await tempDir();
    root = path.join(outer, 'data');
    store = createLocalStorage(root);
  });

  it('is kind local and has no presigned uploads or downloads', async () => {
    expect(store.kind).toBe('local');
    expect(await store.presignPut('a/b.png', { contentType: 'image/png', ttlSeconds: 60 })).toBeNull();
    expect(await store.presignGet('a/b.png', { ttlSeconds: 60, filename: 'b.png', contentType: 'image/png' })).toBeNull();
  });

  it('leaves no temporary file behind a refused or broken stream', async () => {
    async function* big() {
      yield Buffer.alloc(5000);
    }
    await store.putStream('streams/refused', big(), { contentType: 'image/png', maxBytes: 100 }).catch(() => undefined);
    expect((await filesUnder(root).catch(() => [])).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('writes nothing outside its root for traversal attempts, and nothing at all for refused keys', async () => {
    const canary = path.join(outer, 'canary.txt');
    await writeFile(canary, 'untouched');
    for (const [, bad] of BAD_KEYS) {
      await store.put(bad, Buffer.from('evil'), { contentType: 'text/plain' }).catch(() => undefined);
      await store.delete(bad).catch(() => undefined);
    }
    expect(await readFile(canary, 'utf8')).toBe('untouched');
    expect((await filesUnder(outer)).filter((f) => !f.startsWith(`data${path.sep}`))).toEqual(['canary.txt']);
    expect(await filesUnder(root).catch(() => [])).toEqual([]);
  });

  it('keeps data and its sidecar under root, leaving no temp files', async () => {
    await store.put('events/1/cover.jpg', Buffer.from('jpeg bytes'), { contentType: 'image/jpeg' });
    const files = await filesUnder(root);
    expect(files).toHaveLength(2);
    expect(files.some((f) => f.endsWith('.tmp'))).toBe(false);
    const meta = files.find((f) => f.endsWith('.meta.json'));
    expect(meta).toBeDefined();
    expect(JSON.parse(await readFile(path.join(root, meta!), 'utf8'))).toMatchObject({
      key: 'events/1/cover.jpg',
      contentType: 'image/jpeg',
      size: 10,
    });
    await store.delete('events/1/cover.jpg');
    expect(await filesUnder(root)).toEqual([]);
  });

  it('writes atomically: concurrent puts of one key leave one whole version', async () => {
    const versions = Array.from({ length: 8 }, (_, i) => Buffer.alloc(200_000, 65 + i));
    await Promise.all(versions.map((v) => store.put('race/key', v, { contentType: 'application/octet-stream' })));
    const got = await store.get('race/key');
    expect(versions.some((v) => v.equals(got!))).toBe(true);
    expect((await filesUnder(root)).some((f) => f.endsWith('.tmp'))).toBe(false);
  });
});
