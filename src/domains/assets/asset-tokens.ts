import { createHmac, timingSafeEqual } from 'node:crypto';

/*
 * The API's own upload and download URLs (the local store has no presigned
 * URLs of its own): `/assets/upload/<token>` and `/assets/file/<token>`. The
 * token names the asset (and a variant's preset), what it is for and until
 * when; it is signed with a key derived from the app key, so it needs no row
 * of its own and cannot be forged, stretched or turned from a download into
 * an upload. Permission was checked when it was handed out: like a presigned
 * S3 URL, whoever holds it may use it until it expires, which is why it is short-lived.
 */

export const UPLOAD_PATH = '/assets/upload/';
export const FILE_PATH = '/assets/file/';

export type AssetTokenUse = 'get' | 'put';

export interface AssetToken {
  use: AssetTokenUse;
  assetId: string;
  /** A variant's preset; null for the file itself (and for uploads). */
  preset: string | null;
  /** Seconds since the epoch. */
  expiresAt: number;
}

export type AssetTokenProblem = 'invalid' | 'expired';

function signingKey(appKey: Buffer): Buffer {
  return createHmac('sha256', appKey).update('tovplus:assets:urls:v1').digest();
}

const sign = (appKey: Buffer, body: string) => createHmac('sha256', signingKey(appKey)).update(body).digest('base64url');

export function assetToken(appKey: Buffer, t: AssetToken): string {
  const body = `${t.use}.${t.assetId}.${t.preset ?? '-'}.${t.expiresAt}`;
  return `${body}.${sign(appKey, body)}`;
}

export function verifyAssetToken(appKey: Buffer, use: AssetTokenUse, token: string, now = Date.now()): AssetToken | AssetTokenProblem {
  const m = /^(get|put)\.([0-9a-f-]{36})\.([a-z_]{1,40}|-)\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m || m[1] !== use) return 'invalid';
  const expected = Buffer.from(sign(appKey, `${m[1]}.${m[2]}.${m[3]}.${m[4]}`));
  const given = Buffer.from(m[5]!);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'invalid';
  if (Number(m[4]) * 1000 < now) return 'expired';
  return { use, assetId: m[2]!, preset: m[3] === '-' ? null : m[3]!, expiresAt: Number(m[4]) };
}
