import type { AssetsEnv } from './assets-env.js';
import { assetToken, FILE_PATH, UPLOAD_PATH } from './asset-tokens.js';

/*
 * Where a client sends and fetches a file's bytes: presigned S3 URLs when the
 * storage is S3, else the API's own signed routes (asset-tokens.ts). Clients
 * see one flow either way: PUT the bytes with the headers given; GET the URL.
 */

export interface UploadTarget {
  url: string;
  method: 'PUT';
  headers: { name: string; value: string }[];
  expiresAt: Date;
}

export async function uploadTarget(
  env: AssetsEnv,
  asset: { id: string; storageKey: string; declaredType: string | null; uploadExpiresAt: Date | null },
): Promise<UploadTarget> {
  const expiresAt = asset.uploadExpiresAt ?? new Date(Date.now() + env.limits.uploadTtlSeconds * 1000);
  const ttlSeconds = Math.max(1, Math.floor((expiresAt.getTime() - Date.now()) / 1000));
  const contentType = asset.declaredType ?? 'application/octet-stream';
  const presigned = await env.storage.presignPut(asset.storageKey, { contentType, ttlSeconds });
  const url =
    presigned ??
    `${env.publicUrl}${UPLOAD_PATH}${assetToken(env.appKey, { use: 'put', assetId: asset.id, preset: null, expiresAt: Math.floor(expiresAt.getTime() / 1000) })}`;
  // The type is part of the signature (S3) or checked by the route: the client sends exactly this.
  return { url, method: 'PUT', headers: [{ name: 'Content-Type', value: contentType }], expiresAt };
}

export interface DownloadSource {
  assetId: string;
  storageKey: string;
  filename: string;
  contentType: string;
  /** A variant's preset; null for the file itself. */
  preset: string | null;
}

/** A short-lived URL serving the bytes as an attachment with the type the API decided. */
export async function downloadUrl(env: AssetsEnv, source: DownloadSource): Promise<string> {
  const ttlSeconds = env.limits.urlTtlSeconds;
  const presigned = await env.storage.presignGet(source.storageKey, { ttlSeconds, filename: source.filename, contentType: source.contentType });
  if (presigned) return presigned;
  const expiresAt = Math.floor(Date.now() / 1000) + ttlSeconds;
  return `${env.publicUrl}${FILE_PATH}${assetToken(env.appKey, { use: 'get', assetId: source.assetId, preset: source.preset, expiresAt })}`;
}

/** A variant's download name: the file's stem, the preset, its own extension. */
export function variantFilename(filename: string, preset: string, extension: string): string {
  const dot = filename.lastIndexOf('.');
  return `${dot > 0 ? filename.slice(0, dot) : filename}-${preset}.${extension}`;
}
