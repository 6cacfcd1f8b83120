import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { assertStorageKey, assertTtl, StorageKeyError, StorageTooLargeError, type ObjectStorage } from './storage.js';

interface Meta {
  key: string;
  contentType: string;
  size: number;
  sha256: string;
}

function isMissing(e: unknown): boolean {
  return (e as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/**
 * Objects as files under rootDir. A file is named by the sha256 of its key,
 * not the key itself: no key can name a path outside root, and keys S3 allows
 * side by side ('a' and 'a/b', 'x' and 'x.meta.json') cannot collide as file
 * and directory. The key is kept in the sidecar for whoever browses the tree.
 */
export function createLocalStorage(rootDir: string): ObjectStorage {
  const root = path.resolve(rootDir);

  function pathsOf(key: string): { data: string; meta: string } {
    assertStorageKey(key);
    const name = createHash('sha256').update(key).digest('hex');
    const data = path.join(root, name.slice(0, 2), name);
    // Defence in depth: the hashed name cannot leave root, and this says so if that ever changes.
    if (path.dirname(path.dirname(data)) !== root) throw new StorageKeyError('Invalid storage key: it maps outside the store.');
    return { data, meta: `${data}.meta.json` };
  }

  /** Write then rename: a reader sees the old file or the new one, never a part. */
  async function writeAtomic(file: string, bytes: Uint8Array | string): Promise<void> {
    const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, bytes, { flush: true });
      await rename(tmp, file);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  async function readMeta(file: string): Promise<Meta | null> {
    try {
      return JSON.parse(await readFile(file, 'utf8')) as Meta;
    } catch (e) {
      if (isMissing(e)) return null;
      throw e;
    }
  }

  return {
    kind: 'local',

    async put(key, body, { contentType }) {
      const { data, meta } = pathsOf(key);
      const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
      const result = { size: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') };
      await mkdir(path.dirname(data), { recursive: true });
      // The data file's arrival is what makes the object exist, so its sidecar goes first.
      await writeAtomic(meta, JSON.stringify({ key, contentType, ...result } satisfies Meta));
      await writeAtomic(data, bytes);
      return result;
    },

    async putStream(key, body, { contentType, maxBytes }) {
      const { data, meta } = pathsOf(key);
      await mkdir(path.dirname(data), { recursive: true });
      // Into a temporary file beside the object, hashed and counted on the way; renamed into place only when whole.
      const tmp = `${data}.${randomBytes(6).toString('hex')}.tmp`;
      const hash = createHash('sha256');
      let size = 0;
      const file = await open(tmp, 'w');
      try {
        for await (const chunk of body) {
          size += chunk.byteLength;
          if (size > maxBytes) throw new StorageTooLargeError(maxBytes);
          hash.update(chunk);
          await file.write(chunk);
        }
        await file.sync();
      } catch (e) {
        await file.close().catch(() => {});
        await rm(tmp, { force: true });
        throw e;
      }
      await file.close();
      const result = { size, sha256: hash.digest('hex') };
      try {
        await writeAtomic(meta, JSON.stringify({ key, contentType, ...result } satisfies Meta));
        await rename(tmp, data);
      } catch (e) {
        await rm(tmp, { force: true });
        throw e;
      }
      return result;
    },

    async get(key) {
      const { data } = pathsOf(key);
      try {
        return await readFile(data);
      } catch (e) {
        if (isMissing(e)) return null;
        throw e;
      }
    },

    async head(key) {
      const { data, meta } = pathsOf(key);
      let size: number;
      try {
        size = (await stat(data)).size;
      } catch (e) {
        if (isMissing(e)) return null;
        throw e;
      }
      const m = await readMeta(meta);
      return { size, contentType: m?.contentType ?? 'application/octet-stream' };
    },

    async delete(key) {
      const { data, meta } = pathsOf(key);
      await rm(data, { force: true });
      await rm(meta, { force: true });
    },

    async presignPut(key, { ttlSeconds }) {
      assertStorageKey(key);
      assertTtl(ttlSeconds);
      return null;
    },

    async presignGet(key, { ttlSeconds }) {
      assertStorageKey(key);
      assertTtl(ttlSeconds);
      return null;
    },

    async close() {},
  };
}
