/**
 * Where asset bytes live: the API's data directory (local) or an S3-compatible
 * bucket. Keys are opaque to the store but checked the same way by both, so a
 * key that works against one works against the other.
 */
export interface ObjectStorage {
  kind: 'local' | 's3';
  put(key: string, body: Buffer | Uint8Array, opts: { contentType: string }): Promise<{ size: number; sha256: string }>;
  /**
   * Writes what `body` yields, counting as it goes: past `maxBytes` it stops reading and throws
   * StorageTooLargeError, and nothing is stored (an object already at the key is left as it was).
   */
  putStream(key: string, body: AsyncIterable<Uint8Array>, opts: { contentType: string; maxBytes: number }): Promise<{ size: number; sha256: string }>;
  /** null when absent. */
  get(key: string): Promise<Buffer | null>;
  head(key: string): Promise<{ size: number; contentType: string } | null>;
  /** Absent is fine. */
  delete(key: string): Promise<void>;
  /**
   * A URL a client may PUT the bytes to directly, valid for ttlSeconds (presigned for S3; for local, null:
   * uploads go through the API). A presigned PUT cannot bound the body's size (only a POST policy can), so
   * `maxBytes` is not enforced by the store: check `head()` after the upload and delete what is too large.
   */
  presignPut(key: string, opts: { contentType: string; ttlSeconds: number; maxBytes?: number }): Promise<string | null>;
  /**
   * A URL a client may GET the object from for ttlSeconds, answered as an attachment named `filename` with
   * `contentType` (whatever type the object was stored with); for local, null: downloads go through the API.
   */
  presignGet(key: string, opts: { ttlSeconds: number; filename: string; contentType: string }): Promise<string | null>;
  close(): Promise<void>;
}

export class StorageKeyError extends Error {
  override readonly name = 'StorageKeyError';
}

/** putStream's body went past its maxBytes: nothing was stored. */
export class StorageTooLargeError extends Error {
  override readonly name = 'StorageTooLargeError';
  constructor(readonly maxBytes: number) {
    super(`The body is larger than ${maxBytes} bytes.`);
  }
}

export const MAX_KEY_LENGTH = 512;

// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Refuses keys that could escape a directory or mean different objects on
 * different stores: '..', a leading '/', backslashes, control characters,
 * empty or '.' segments, and keys over MAX_KEY_LENGTH characters.
 */
export function assertStorageKey(key: string): void {
  const refuse = (why: string): never => {
    throw new StorageKeyError(`Invalid storage key: ${why}.`);
  };
  if (typeof key !== 'string' || key.length === 0) refuse('it is empty');
  if (key.length > MAX_KEY_LENGTH) refuse(`it is longer than ${MAX_KEY_LENGTH} characters`);
  if (key.includes('..')) refuse("it contains '..'");
  if (key.startsWith('/')) refuse("it starts with '/'");
  if (key.includes('\\')) refuse('it contains a backslash');
  if (CONTROL.test(key)) refuse('it contains a control character');
  if (key.split('/').some((s) => s === '' || s === '.')) refuse("it has an empty or '.' segment");
}

export function assertTtl(ttlSeconds: number): void {
  // S3 refuses presigned URLs valid for more than a week.
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > 604_800) {
    throw new RangeError(`ttlSeconds must be a whole number from 1 to 604800, not ${ttlSeconds}.`);
  }
}

/**
 * `Content-Disposition: attachment` naming `filename`: an ASCII fallback (quotes, backslashes, control and
 * non-ASCII characters replaced) and the exact name RFC 5987-encoded, which every current browser prefers.
 */
export function attachmentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\]/g, '_') || 'file';
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
