import { Readable } from 'node:stream';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FILE_PATH, UPLOAD_PATH, verifyAssetToken } from '../../domains/assets/asset-tokens.js';
import { variantFilename } from '../../domains/assets/asset-urls.js';
import { assetsEnv } from '../../domains/assets/assets-env.js';
import type { AppServices } from '../../kit/context.js';
import { attachmentDisposition, StorageTooLargeError } from '../../platform/storage/storage.js';
import { handleCors, type OriginPolicy } from '../graphql/cors.js';

/*
 * The API's own signed URLs for file bytes, used when storage is local (with
 * S3 the URLs are presigned and go to the bucket): `PUT /assets/upload/<token>`
 * receives a direct upload, streamed to storage and cut off past the size the
 * upload reserved; `GET /assets/file/<token>` serves a READY file or variant as
 * an attachment, with the type the API detected. A token that is tampered
 * with or expired gets a refusal, never the bytes; one naming a file that is
 * gone gets 404. Tokens never reach a log line (requests log their path only
 * up to the token).
 */

function refuse(res: ServerResponse, status: number, message: string) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end(`${message}\n`);
}

export async function handleAssetRoutes(
  app: AppServices,
  origins: OriginPolicy,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<boolean> {
  const upload = url.pathname.startsWith(UPLOAD_PATH);
  if (!upload && !url.pathname.startsWith(FILE_PATH)) return false;
  // A planner app on another origin PUTs and GETs these directly (as it would an S3 bucket configured for it).
  if (handleCors(origins, req, res)) return true;
  const token = url.pathname.slice((upload ? UPLOAD_PATH : FILE_PATH).length);
  const allowed = upload ? ['PUT'] : ['GET', 'HEAD'];
  if (!allowed.includes(req.method ?? '')) res.writeHead(405, { allow: allowed.join(', ') }).end();
  else if (upload) await receiveUpload(app, req, res, token);
  else await serveFile(app, req, res, token);
  return true;
}

async function receiveUpload(app: AppServices, req: IncomingMessage, res: ServerResponse, token: string) {
  const env = assetsEnv(app);
  const verified = verifyAssetToken(env.appKey, 'put', token);
  if (verified === 'invalid') return refuse(res, 403, 'This upload URL is not valid.');
  if (verified === 'expired') return refuse(res, 403, 'This upload URL has expired: start a new upload.');
  const asset = await app.db.prisma.asset.findUnique({
    where: { id: verified.assetId },
    select: { status: true, storageKey: true, declaredType: true, reservedBytes: true, uploadExpiresAt: true },
  });
  if (!asset || asset.status !== 'UPLOADING' || !asset.uploadExpiresAt || asset.uploadExpiresAt.getTime() <= Date.now()) {
    return refuse(res, 404, 'There is no upload waiting here (finished, dropped or expired).');
  }
  // As an S3 presigned PUT signs it: the type agreed when the upload was created, nothing else.
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (contentType !== (asset.declaredType ?? 'application/octet-stream')) {
    return refuse(res, 403, `Send the file with Content-Type: ${asset.declaredType ?? 'application/octet-stream'}.`);
  }
  const maxBytes = Math.min(Number(asset.reservedBytes), app.config.ASSET_MAX_BYTES);
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) {
    res.setHeader('connection', 'close');
    return refuse(res, 413, `The file is larger than the ${maxBytes} bytes reserved for it.`);
  }
  try {
    await env.storage.putStream(asset.storageKey, req as AsyncIterable<Uint8Array>, { contentType, maxBytes });
  } catch (err) {
    if (err instanceof StorageTooLargeError) {
      // Stop reading what is left of the body: the answer is already known.
      res.setHeader('connection', 'close');
      return refuse(res, 413, `The file is larger than the ${maxBytes} bytes reserved for it.`);
    }
    if (req.destroyed || req.readableAborted) return void res.end();
    app.logger.error({ err, assetId: verified.assetId }, 'direct upload could not be stored');
    return refuse(res, 503, 'File storage is unavailable right now: nothing was saved. Send the file again.');
  }
  res.writeHead(200, { 'content-length': '0' }).end();
}

async function serveFile(app: AppServices, req: IncomingMessage, res: ServerResponse, token: string) {
  const env = assetsEnv(app);
  const verified = verifyAssetToken(env.appKey, 'get', token);
  if (verified === 'invalid') return refuse(res, 403, 'This link is not valid.');
  if (verified === 'expired') return refuse(res, 403, 'This link has expired: ask for the file again.');
  const asset = await app.db.prisma.asset.findUnique({
    where: { id: verified.assetId },
    select: {
      status: true,
      storageKey: true,
      filename: true,
      contentType: true,
      variants: verified.preset ? { where: { preset: verified.preset, status: 'READY' }, select: { storageKey: true, contentType: true } } : false,
    },
  });
  const variant = verified.preset ? asset?.variants?.[0] : undefined;
  if (!asset || asset.status !== 'READY' || (verified.preset && !variant)) return refuse(res, 404, 'This file no longer exists.');
  const key = variant ? variant.storageKey : asset.storageKey;
  const contentType = (variant ? variant.contentType : asset.contentType) ?? 'application/octet-stream';
  const filename = verified.preset ? variantFilename(asset.filename, verified.preset, 'webp') : asset.filename;
  const bytes = await env.storage.get(key);
  if (!bytes) return refuse(res, 404, 'This file no longer exists.');
  const maxAge = Math.max(0, verified.expiresAt - Math.floor(Date.now() / 1000));
  res.writeHead(200, {
    'content-type': contentType,
    'content-length': String(bytes.byteLength),
    'content-disposition': attachmentDisposition(filename),
    // Ours alone, and only until the link expires.
    'cache-control': `private, max-age=${maxAge}`,
    'x-content-type-options': 'nosniff',
    // Were a browser to render it anyway, it runs nothing and reaches nothing.
    'content-security-policy': "default-src 'none'; sandbox",
  });
  if (req.method === 'HEAD') return void res.end();
  Readable.from([bytes]).pipe(res);
}
