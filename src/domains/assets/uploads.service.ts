import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import type { Asset } from '../../generated/prisma/client.js';
import { recordAudit } from '../../platform/audit.js';
import type { Tx } from '../../platform/db/client.js';
import { notFound } from '../../platform/errors.js';
import { recordBusinessEvent } from '../../platform/outbox.js';
import { actorIdOf, type Caller } from '../../platform/principal.js';
import { StorageKeyError } from '../../platform/storage/storage.js';
import { parseInput } from '../../platform/validation.js';
import { assetUploaded } from './assets.business-events.js';
import type { AssetsEnv } from './assets-env.js';
import {
  FileTooLargeError,
  StorageUnavailableError,
  UnreadableFileError,
  UnsupportedFileTypeError,
  UploadExpiredError,
  UploadNotFoundError,
} from './assets.errors.js';
import { ACCEPTED_TYPE_LIST, ACCEPTED_TYPES, cleanFilename, inspectFile, isImageType, type InspectedFile } from './file-inspection.js';
import { assertFits, assetUsage, reserveQuota } from './quota.js';
import { purgeObjects, recordUploadIntent } from './storage-cleanup.js';
import { createVariantRows } from './variants/presets.js';

/*
 * Files in, two ways. Small ones inside the GraphQL request (multipart): checked,
 * stored and recorded in one call. Large ones straight to storage: the caller
 * reserves the bytes (createAssetUpload), PUTs them to the URL it gets, and
 * finalizes; only then are the bytes looked at. Either way a file exists for
 * the API once it is READY, and what is refused leaves neither row nor object.
 *
 * The order is what keeps that true: bytes are put before the transaction that
 * records them, under a key first written down as an intent (storage-cleanup.ts),
 * so a rollback, a crash or a storage failure at any step leaves at most an
 * object the sweep deletes, never a row without its object.
 */

export type RunInTransaction = <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;

export const VISIBILITIES = ['PRIVATE', 'GUESTS'] as const;
export type AssetVisibility = (typeof VISIBILITIES)[number];

/** Where an asset's bytes are: as the client uploaded them (direct uploads), or as kept after the checks. */
export const assetKey = (assetId: string, kind: 'upload' | 'original') => `assets/${assetId}/${kind}`;

export interface IncomingFile {
  bytes: Buffer;
  filename: string;
  /** The type the client sent with it (the part's Content-Type), kept to explain a refusal; never trusted. */
  declaredType: string | null;
}

async function putOrUnavailable(env: AssetsEnv, key: string, bytes: Buffer, contentType: string): Promise<void> {
  try {
    await env.storage.put(key, bytes, { contentType });
  } catch (err) {
    if (err instanceof StorageKeyError) throw err;
    env.logger.error({ err, storageKey: key }, 'asset storage put failed');
    throw new StorageUnavailableError();
  }
}

/** The READY row's fields from a checked file; images get their variants' rows with it. */
async function markReady(tx: Tx, caller: Caller, asset: Asset, action: string): Promise<Asset> {
  if (isImageType(asset.contentType)) await createVariantRows(tx, asset.id);
  await recordAudit(tx, caller, { action, occasionId: asset.occasionId, target: { type: 'Asset', id: asset.id }, after: asset });
  await recordBusinessEvent(
    tx,
    caller,
    assetUploaded,
    { occasionId: asset.occasionId, assetId: asset.id, contentType: asset.contentType!, byteSize: Number(asset.byteSize ?? 0) },
    { occasionId: asset.occasionId },
  );
  return asset;
}

const readyFields = (f: InspectedFile, storageKey: string) => ({
  status: 'READY' as const,
  filename: f.filename,
  contentType: f.contentType,
  byteSize: BigInt(f.bytes.byteLength),
  reservedBytes: 0n,
  sha256: f.sha256,
  width: f.width,
  height: f.height,
  storageKey,
  uploadExpiresAt: null,
  readyAt: new Date(),
});

/** Throws FileTooLargeError for a file too large to send inside a request (checked on its declared size before reading it too). */
export function assertInlineSize(limits: AssetsEnv['limits'], size: number): void {
  if (size > limits.inlineMaxBytes) {
    throw new FileTooLargeError(
      limits.inlineMaxBytes,
      size,
      `The file is larger than ${limits.inlineMaxBytes} bytes, the most a request may carry: upload it with createAssetUpload.`,
    );
  }
}

/** A file sent inside the request: at most ASSET_INLINE_MAX_BYTES; READY when this returns. */
export async function uploadAsset(
  env: AssetsEnv,
  run: RunInTransaction,
  caller: Caller,
  input: { occasionId: string; file: IncomingFile; visibility?: AssetVisibility | null },
): Promise<Asset> {
  const { limits } = env;
  assertInlineSize(limits, input.file.bytes.byteLength);
  const file = await inspectFile(input.file.bytes, input.file.declaredType, input.file.filename);
  // Refused before anything is put when it clearly does not fit; decided for good under the occasion's lock below.
  assertFits(await assetUsage(env.db.prisma, input.occasionId, limits.quotaBytes), file.bytes.byteLength);
  const id = uuidv7();
  const storageKey = assetKey(id, 'original');
  await recordUploadIntent(env.db, storageKey);
  await putOrUnavailable(env, storageKey, file.bytes, file.contentType);
  try {
    return await run(async (tx) => {
      await reserveQuota(tx, input.occasionId, file.bytes.byteLength, limits.quotaBytes);
      const asset = await tx.asset.create({
        data: {
          id,
          occasionId: input.occasionId,
          visibility: input.visibility ?? 'PRIVATE',
          declaredType: input.file.declaredType,
          createdByActorId: await actorIdOf(tx, caller.principal, input.occasionId),
          ...readyFields(file, storageKey),
        },
      });
      return markReady(tx, caller, asset, 'asset:upload');
    });
  } catch (e) {
    // Nothing names the object: delete it now (or the sweep will, from the intent).
    await purgeObjects(env, [storageKey]);
    throw e;
  }
}

const createUploadInput = z.object({
  filename: z.string().trim().min(1, 'Give the file a name.').max(500),
  contentType: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/, 'A media type such as image/jpeg.'),
  byteSize: z.number().int('A whole number of bytes.').positive('The file cannot be empty.'),
});

/**
 * Reserves `byteSize` bytes of the quota for a direct upload and returns its row (UPLOADING): the bytes go to
 * uploadTarget's URL, then finalizeAsset. A declared type that could never be accepted is refused at once.
 */
export async function createAssetUpload(
  env: AssetsEnv,
  tx: Tx,
  caller: Caller,
  occasionId: string,
  input: { filename: string; contentType: string; byteSize: number; visibility?: AssetVisibility | null },
): Promise<Asset> {
  const data = parseInput(createUploadInput, input);
  const { limits } = env;
  if (data.byteSize > limits.maxBytes) throw new FileTooLargeError(limits.maxBytes, data.byteSize);
  if (!ACCEPTED_TYPES[data.contentType] && data.contentType !== 'application/octet-stream') {
    throw new UnsupportedFileTypeError(null, data.contentType, ACCEPTED_TYPE_LIST);
  }
  await reserveQuota(tx, occasionId, data.byteSize, limits.quotaBytes);
  const id = uuidv7();
  const asset = await tx.asset.create({
    data: {
      id,
      occasionId,
      status: 'UPLOADING',
      visibility: input.visibility ?? 'PRIVATE',
      filename: cleanFilename(data.filename),
      declaredType: data.contentType,
      reservedBytes: BigInt(data.byteSize),
      storageKey: assetKey(id, 'upload'),
      uploadExpiresAt: new Date(Date.now() + limits.uploadTtlSeconds * 1000),
      createdByActorId: await actorIdOf(tx, caller.principal, occasionId),
    },
  });
  await recordAudit(tx, caller, { action: 'asset:create_upload', occasionId, target: { type: 'Asset', id }, after: asset });
  return asset;
}

/** Drops an upload that will never be finished (refused, expired): its row, then its object. */
async function discardUpload(env: AssetsEnv, run: RunInTransaction, asset: Asset): Promise<void> {
  await run((tx) => tx.asset.deleteMany({ where: { id: asset.id, status: 'UPLOADING' } }));
  await purgeObjects(env, [asset.storageKey]);
}

/**
 * Checks a direct upload's bytes and makes it READY: there must be bytes (UPLOAD_NOT_FOUND, the upload may still be
 * sent), no more than reserved; then the same checks as an inline upload. A refusal drops the upload (row and object).
 * Finalizing a READY asset again returns it as it is.
 */
export async function finalizeAsset(env: AssetsEnv, run: RunInTransaction, caller: Caller, assetId: string): Promise<Asset> {
  const row = await env.db.prisma.asset.findUnique({ where: { id: assetId } });
  if (!row) throw notFound('Asset');
  if (row.status === 'READY') return row;
  if (!row.uploadExpiresAt || row.uploadExpiresAt.getTime() <= Date.now()) {
    await discardUpload(env, run, row);
    throw new UploadExpiredError();
  }
  const cap = Math.min(Number(row.reservedBytes), env.limits.maxBytes);
  const tooLarge = async (size: number) => {
    await discardUpload(env, run, row);
    return new FileTooLargeError(cap, size, `The file uploaded is ${size} bytes, more than the ${cap} reserved for it: it was dropped.`);
  };
  const unavailable = (err: unknown) => {
    env.logger.error({ err, assetId }, 'asset storage read failed at finalize');
    return new StorageUnavailableError('File storage is unavailable right now: the upload is kept, finalize it again shortly.');
  };
  const head = await env.storage.head(row.storageKey).catch((err: unknown) => Promise.reject(unavailable(err)));
  if (!head) throw new UploadNotFoundError();
  // Refused on its size alone, before any of it is read.
  if (head.size > cap) throw await tooLarge(head.size);
  const bytes = await env.storage.get(row.storageKey).catch((err: unknown) => Promise.reject(unavailable(err)));
  if (!bytes) throw new UploadNotFoundError();
  // Sent again, larger, between the two reads.
  if (bytes.byteLength > cap) throw await tooLarge(bytes.byteLength);
  let file: InspectedFile;
  try {
    file = await inspectFile(bytes, row.declaredType, row.filename);
  } catch (e) {
    if (e instanceof UnsupportedFileTypeError || e instanceof UnreadableFileError) await discardUpload(env, run, row);
    throw e;
  }
  // An image is kept as encoded again (without its metadata) under a key of its own: the upload's bytes stay as they
  // were until the commit, so a finalize running twice reads the same input and writes the same output.
  const storageKey = isImageType(file.contentType) ? assetKey(row.id, 'original') : row.storageKey;
  if (storageKey !== row.storageKey) {
    await recordUploadIntent(env.db, storageKey);
    await putOrUnavailable(env, storageKey, file.bytes, file.contentType);
  }
  try {
    const asset = await run(async (tx) => {
      const [locked] = await tx.$queryRaw<{ status: string }[]>`SELECT status::text FROM assets WHERE id = ${assetId}::uuid FOR UPDATE`;
      if (!locked) throw notFound('Asset');
      if (locked.status === 'READY') return tx.asset.findUniqueOrThrow({ where: { id: assetId } });
      const ready = await tx.asset.update({ where: { id: assetId }, data: readyFields(file, storageKey) });
      return markReady(tx, caller, ready, 'asset:finalize');
    });
    // The upload's own object, once an image's cleaned copy replaced it (its trigger entry is due now).
    if (asset.storageKey !== row.storageKey) await purgeObjects(env, [row.storageKey]);
    return asset;
  } catch (e) {
    if (storageKey !== row.storageKey) await purgeObjects(env, [storageKey]);
    throw e;
  }
}
