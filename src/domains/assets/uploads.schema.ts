import { builder } from '../../kit/builder.js';
import type { Context } from '../../kit/context.js';
import { payload } from '../../kit/payload.js';
import { canField, inheritedType, type InputIdArgs } from '../../kit/rules.js';
import { inTransaction } from '../../kit/transaction.js';
import { ValidationError } from '../../platform/errors.js';
import { OccasionType } from '../occasions/occasions.schema.js';
import { AssetType, AssetVisibilityEnum, UPLOAD_ERRORS } from './assets.schema.js';
import { assetsEnv } from './assets-env.js';
import { uploadTarget } from './asset-urls.js';
import { UploadExpiredError, UploadNotFoundError } from './assets.errors.js';
import { assertInlineSize, createAssetUpload, finalizeAsset, uploadAsset } from './uploads.service.js';

/*
 * Uploads: small files inside the GraphQL request (multipart, the File
 * scalar), large ones straight to storage (createAssetUpload → PUT →
 * finalizeAsset). The bytes' checks are the same on both paths.
 */

export const AssetPayload = payload('AssetPayload', 'asset', AssetType);

const run =
  (ctx: Context) =>
  <T>(fn: Parameters<typeof inTransaction<T>>[1]) =>
    inTransaction(ctx, fn);

const isFile = (v: unknown): v is File =>
  typeof v === 'object' && v !== null && typeof (v as Blob).arrayBuffer === 'function' && typeof (v as Blob).size === 'number';

const UploadAssetInput = builder.inputType('UploadAssetInput', {
  fields: (t) => ({
    occasionId: t.globalID({ required: true, for: OccasionType }),
    file: t.field({ type: 'File', required: true, description: 'The file, as a multipart part (at most ASSET_INLINE_MAX_BYTES).' }),
    visibility: t.field({ type: AssetVisibilityEnum, description: 'Default PRIVATE.' }),
  }),
});

const CreateAssetUploadInput = builder.inputType('CreateAssetUploadInput', {
  fields: (t) => ({
    occasionId: t.globalID({ required: true, for: OccasionType }),
    filename: t.string({ required: true }),
    contentType: t.string({
      required: true,
      description: 'The type the client will send (signed into the upload URL); the bytes decide what it is.',
    }),
    byteSize: t.float({
      required: true,
      description: 'The file’s size in bytes (at most ASSET_MAX_BYTES): reserved against the quota until finalized.',
    }),
    visibility: t.field({ type: AssetVisibilityEnum, description: 'Default PRIVATE.' }),
  }),
});

const FinalizeAssetInput = builder.inputType('FinalizeAssetInput', {
  fields: (t) => ({ assetId: t.globalID({ required: true, for: AssetType }) }),
});

const UploadHeader = builder.objectRef<{ name: string; value: string }>('UploadHeader').implement({
  ...inheritedType,
  fields: (t) => ({ name: t.exposeString('name', inheritedType), value: t.exposeString('value', inheritedType) }),
});

const UploadMethodEnum = builder.enumType('UploadMethod', { values: ['PUT'] as const });

type UploadTargetShape = { url: string; method: 'PUT'; headers: { name: string; value: string }[]; expiresAt: Date };

const AssetUploadTarget = builder.objectRef<UploadTargetShape>('AssetUploadTarget').implement({
  ...inheritedType,
  description: 'Where to send the bytes: one request with this method, these headers and the file as the body, before expiresAt.',
  fields: (t) => ({
    url: t.exposeString('url', inheritedType),
    method: t.field({ type: UploadMethodEnum, ...inheritedType, resolve: (u) => u.method }),
    headers: t.field({ type: [UploadHeader], ...inheritedType, resolve: (u) => u.headers }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', ...inheritedType }),
  }),
});

const CreateAssetUploadPayload = builder
  .objectRef<{ asset: Awaited<ReturnType<typeof createAssetUpload>>; upload: UploadTargetShape }>('CreateAssetUploadPayload')
  .implement({
    ...inheritedType,
    fields: (t) => ({
      asset: t.field({ type: AssetType, ...inheritedType, resolve: (p) => p.asset }),
      upload: t.field({ type: AssetUploadTarget, ...inheritedType, resolve: (p) => p.upload }),
    }),
  });

const occasionRule = canField('asset:upload', 'OCCASION', (_p, args: InputIdArgs<'occasionId'>, ctx) =>
  ctx.targets.occasion(args.input.occasionId.id),
);

builder.mutationFields((t) => ({
  uploadAsset: t.field({
    type: AssetPayload,
    ...occasionRule,
    description:
      'Uploads a small file inside this request (a GraphQL multipart request). Its type is detected from the bytes: JPEG, PNG, WebP, GIF, AVIF and PDF are accepted; images are stored without their metadata. Larger files: createAssetUpload.',
    args: { input: t.arg({ type: UploadAssetInput, required: true }) },
    errors: { types: [ValidationError, ...UPLOAD_ERRORS] },
    resolve: async (_r, { input }, ctx) => {
      const file: unknown = input.file;
      if (!isFile(file)) {
        throw new ValidationError('Send the file as a part of a multipart request (GraphQL multipart request spec).', [
          { path: 'input.file', message: 'Not a file.' },
        ]);
      }
      const env = assetsEnv(ctx.app);
      // Before reading it (the body itself was capped by the HTTP server).
      assertInlineSize(env.limits, file.size);
      const bytes = Buffer.from(await file.arrayBuffer());
      const asset = await uploadAsset(env, run(ctx), ctx.caller, {
        occasionId: input.occasionId.id,
        file: { bytes, filename: file.name, declaredType: file.type || null },
        visibility: input.visibility,
      });
      return { asset };
    },
  }),
  createAssetUpload: t.field({
    type: CreateAssetUploadPayload,
    ...occasionRule,
    description:
      'Starts a direct upload of a large file: reserves its bytes and returns where to PUT them (presigned storage, or this API), then call finalizeAsset. Unfinished uploads are dropped after ASSET_UPLOAD_TTL_SECONDS.',
    args: { input: t.arg({ type: CreateAssetUploadInput, required: true }) },
    errors: { types: [ValidationError, ...UPLOAD_ERRORS] },
    resolve: async (_r, { input: { occasionId, ...rest } }, ctx) => {
      const env = assetsEnv(ctx.app);
      const asset = await inTransaction(ctx, (tx) => createAssetUpload(env, tx, ctx.caller, occasionId.id, rest));
      return { asset, upload: await uploadTarget(env, asset) };
    },
  }),
  finalizeAsset: t.field({
    type: AssetPayload,
    ...canField('asset:upload', 'RESOURCE', (_p, args: InputIdArgs<'assetId'>, ctx) => ctx.targets.asset(args.input.assetId.id)),
    description:
      'Checks a direct upload’s bytes (size within what was reserved, type from the bytes, image metadata stripped) and makes the file READY. A refused file is dropped (row and bytes). Finalizing a READY file again returns it.',
    args: { input: t.arg({ type: FinalizeAssetInput, required: true }) },
    errors: { types: [ValidationError, UploadNotFoundError, UploadExpiredError, ...UPLOAD_ERRORS] },
    resolve: async (_r, { input }, ctx) => ({ asset: await finalizeAsset(assetsEnv(ctx.app), run(ctx), ctx.caller, input.assetId.id) }),
  }),
}));
