import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StorageKeyError, StorageTooLargeError, type ObjectStorage } from '../../../src/platform/storage/storage.js';

/*
 * What every ObjectStorage must do, run against each implementation by its own test file.
 */

export const BAD_KEYS: [string, string][] = [
  ['parent segment', '../escape'],
  ['parent in the middle', 'a/../../etc/passwd'],
  ['dots inside a segment', 'a..b'],
  ['leading slash', '/etc/passwd'],
  ['backslash', 'a\\b'],
  ['backslash traversal', '..\\..\\windows'],
  ['NUL', 'a\u0000b'],
  ['newline', 'a\nb'],
  ['DEL', 'a\u007fb'],
  ['too long', 'k'.repeat(513)],
  ['empty', ''],
  ['empty segment', 'a//b'],
  ['dot segment', 'a/./b'],
  ['trailing slash', 'a/'],
];

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function* chunks(parts: Buffer[]): AsyncIterable<Uint8Array> {
  for (const p of parts) yield p;
}

export function storageContract(name: string, make: () => Promise<ObjectStorage>): void {
  describe(`ObjectStorage contract: ${name}`, () => {
    let store: ObjectStorage;
    let n = 0;
    const key = () => `tenant-1/assets/${++n}-${Date.now()}.bin`;

    beforeAll(async () => {
      store = await make();
    });
    afterAll(async () => {
      await store?.close();
    });

    it('puts and gets bytes back, with the right size and sha256', async () => {
      const k = key();
      const body = Buffer.from('hello, storage \u00e9\u00e8');
      const r = await store.put(k, body, { contentType: 'text/plain; charset=utf-8' });
      expect(r).toEqual({ size: body.byteLength, sha256: sha256(body) });
      expect(r.sha256).toBe(createHash('sha256').update('hello, storage \u00e9\u00e8').digest('hex'));
      expect(await store.get(k)).toEqual(body);
      expect(await store.head(k)).toEqual({ size: body.byteLength, contentType: 'text/plain; charset=utf-8' });
    });

    it('takes a Uint8Array view, storing only its window', async () => {
      const k = key();
      const backing = new Uint8Array([9, 9, 1, 2, 3, 9]);
      const view = backing.subarray(2, 5);
      const r = await store.put(k, view, { contentType: 'application/octet-stream' });
      expect(r).toEqual({ size: 3, sha256: sha256(Uint8Array.from([1, 2, 3])) });
      expect([...((await store.get(k)) ?? [])]).toEqual([1, 2, 3]);
    });

    it('stores binary and empty bodies', async () => {
      const bin = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) & 0xff));
      const k1 = key();
      expect((await store.put(k1, bin, { contentType: 'image/png' })).size).toBe(70_000);
      expect((await store.get(k1))?.equals(bin)).toBe(true);
      const k2 = key();
      expect(await store.put(k2, Buffer.alloc(0), { contentType: 'text/plain' })).toEqual({ size: 0, sha256: sha256(Buffer.alloc(0)) });
      expect(await store.head(k2)).toEqual({ size: 0, contentType: 'text/plain' });
      expect((await store.get(k2))?.length).toBe(0);
    });

    it('overwrites an existing key', async () => {
      const k = key();
      await store.put(k, Buffer.from('first version'), { contentType: 'text/plain' });
      await store.put(k, Buffer.from('second'), { contentType: 'application/json' });
      expect((await store.get(k))?.toString()).toBe('second');
      expect(await store.head(k)).toEqual({ size: 6, contentType: 'application/json' });
    });

    it('keeps keys that nest in one another apart', async () => {
      const a = `nest-${Date.now()}/a`;
      await store.put(a, Buffer.from('A'), { contentType: 'text/plain' });
      await store.put(`${a}/b`, Buffer.from('B'), { contentType: 'text/plain' });
      await store.put(`${a}.meta.json`, Buffer.from('M'), { contentType: 'text/plain' });
      expect((await store.get(a))?.toString()).toBe('A');
      expect((await store.get(`${a}/b`))?.toString()).toBe('B');
      expect((await store.get(`${a}.meta.json`))?.toString()).toBe('M');
      expect(await store.head(a)).toEqual({ size: 1, contentType: 'text/plain' });
    });

    it('streams a body in, with its size and sha256, up to maxBytes exactly', async () => {
      const k = key();
      const parts = [Buffer.from('stream '), Buffer.alloc(100_000, 7), Buffer.from(' end')];
      const whole = Buffer.concat(parts);
      const r = await store.putStream(k, chunks(parts), { contentType: 'application/pdf', maxBytes: whole.byteLength });
      expect(r).toEqual({ size: whole.byteLength, sha256: sha256(whole) });
      expect((await store.get(k))?.equals(whole)).toBe(true);
      expect(await store.head(k)).toEqual({ size: whole.byteLength, contentType: 'application/pdf' });
    });

    it('refuses a streamed body past maxBytes, storing nothing and leaving an existing object as it was', async () => {
      const fresh = key();
      await expect(
        store.putStream(fresh, chunks([Buffer.alloc(600), Buffer.alloc(600)]), { contentType: 'image/png', maxBytes: 1000 }),
      ).rejects.toBeInstanceOf(StorageTooLargeError);
      expect(await store.head(fresh)).toBeNull();
      const kept = key();
      await store.put(kept, Buffer.from('keep me'), { contentType: 'text/plain' });
      await expect(store.putStream(kept, chunks([Buffer.alloc(2000)]), { contentType: 'image/png', maxBytes: 1000 })).rejects.toBeInstanceOf(
        StorageTooLargeError,
      );
      expect((await store.get(kept))?.toString()).toBe('keep me');
    });

    it('stores nothing when the streamed body fails part way (a client that hangs up)', async () => {
      const k = key();
      async function* broken() {
        yield Buffer.alloc(500, 1);
        throw new Error('connection reset');
      }
      await expect(store.putStream(k, broken(), { contentType: 'image/png', maxBytes: 10_000 })).rejects.toThrow('connection reset');
      expect(await store.head(k)).toBeNull();
    });

    it('answers null for an absent key, and deleting it is fine', async () => {
      const k = key();
      expect(await store.get(k)).toBeNull();
      expect(await store.head(k)).toBeNull();
      await expect(store.delete(k)).resolves.toBeUndefined();
    });

    it('deletes: the object is then absent', async () => {
      const k = key();
      await store.put(k, Buffer.from('bye'), { contentType: 'text/plain' });
      await store.delete(k);
      expect(await store.get(k)).toBeNull();
      expect(await store.head(k)).toBeNull();
    });

    it('accepts a key of exactly 512 characters', async () => {
      // Segments of 100: s3rver keeps each segment as a file name, and file systems stop at 255 bytes.
      const k = `${'x'.repeat(99)}/`.repeat(5) + 'y'.repeat(12);
      expect(k.length).toBe(512);
      await store.put(k, Buffer.from('ok'), { contentType: 'text/plain' });
      expect((await store.get(k))?.toString()).toBe('ok');
    });

    describe.each(BAD_KEYS)('refuses a bad key (%s)', (_why, bad) => {
      it('in every operation', async () => {
        const ops: (() => Promise<unknown>)[] = [
          () => store.put(bad, Buffer.from('x'), { contentType: 'text/plain' }),
          () => store.get(bad),
          () => store.head(bad),
          () => store.delete(bad),
          () => store.presignPut(bad, { contentType: 'text/plain', ttlSeconds: 60 }),
          () => store.presignGet(bad, { ttlSeconds: 60, filename: 'a.txt', contentType: 'text/plain' }),
          () => store.putStream(bad, chunks([Buffer.from('x')]), { contentType: 'text/plain', maxBytes: 10 }),
        ];
        for (const op of ops) await expect(op()).rejects.toBeInstanceOf(StorageKeyError);
      });
    });

    it('refuses a ttl outside 1 s to a week', async () => {
      for (const ttlSeconds of [0, -1, 1.5, 604_801]) {
        await expect(store.presignPut(key(), { contentType: 'text/plain', ttlSeconds })).rejects.toBeInstanceOf(RangeError);
        await expect(store.presignGet(key(), { ttlSeconds, filename: 'a.txt', contentType: 'text/plain' })).rejects.toBeInstanceOf(RangeError);
      }
    });
  });
}
