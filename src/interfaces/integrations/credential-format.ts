import { randomBytes, timingSafeEqual } from 'node:crypto';
import { sha256 } from '../../platform/crypto.js';

/*
 * Integration credentials: a public key id and a secret shown once. Both carry
 * a recognisable prefix, and the secret ends in a CRC-32 of its random part,
 * so secret scanners (and our own input checks) can tell a real-looking
 * secret from a typo without a database round trip. Only a SHA-256 of the
 * secret is stored: secrets are 256 random bits, so a slow hash adds nothing.
 */

export const KEY_ID_PREFIX = 'tovk_';
export const SECRET_PREFIX = 'tovsk_';

const KEY_ID = /^tovk_[A-Za-z0-9_-]{16}$/;
const SECRET = /^tovsk_([A-Za-z0-9_-]{43})_([0-9a-f]{8})$/;

/** CRC-32 (IEEE), as secret scanners compute it. */
function crc32(s: string): string {
  let c = ~0;
  for (const byte of Buffer.from(s, 'utf8')) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ((~c >>> 0) >>> 0).toString(16).padStart(8, '0');
}

export function newKeyId(): string {
  return KEY_ID_PREFIX + randomBytes(12).toString('base64url');
}

export function newSecret(): { secret: string; hash: string; hint: string } {
  const body = randomBytes(32).toString('base64url');
  const secret = `${SECRET_PREFIX}${body}_${crc32(body)}`;
  return { secret, hash: sha256(secret), hint: secret.slice(0, SECRET_PREFIX.length + 4) };
}

export const isKeyId = (s: string) => KEY_ID.test(s);

/** Well-formed and checksum intact (says nothing about whether it is a real credential). */
export function isWellFormedSecret(s: string): boolean {
  const m = SECRET.exec(s);
  return !!m && crc32(m[1]!) === m[2];
}

/** Constant-time comparison of a presented secret with a stored hash. */
export function secretMatches(presented: string, storedHash: string): boolean {
  const a = Buffer.from(sha256(presented), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
