import { builder } from '../../kit/builder.js';
import { ErrorInterface } from '../../kit/common.schema.js';
import { encodeGlobalID, isUuid } from '../../kit/ids.js';
import { canField, canTypeOrVisible, guardedByType, inheritedType } from '../../kit/rules.js';
import { notFound } from '../../platform/errors.js';
import { AuditEntryType } from '../audit/audit.schema.js';
import { OccasionType } from '../occasions/occasions.schema.js';
import { visibleWithoutAssetRead } from './asset-access.js';
import { ASSET_SUBJECT_TYPES, type AssetSubjectType } from './asset-subjects.js';
import { downloadUrl, variantFilename } from './asset-urls.js';
import { assetsEnv } from './assets-env.js';
import {
  AssetInUseError,
  FileTooLargeError,
  QuotaExceededError,
  StorageUnavailableError,
  SystemAssetError,
  UnreadableFileError,
  UnsupportedFileTypeError,
  UploadExpiredError,
  UploadNotFoundError,
} from './assets.errors.js';
import { assetUsage } from './quota.js';
import { VISIBILITIES } from './uploads.service.js';

/*
 * Reading files: the Asset type (its bytes through a short-lived signed `url`),
 * an occasion's files and usage, and the typed errors of the assets mutations
 * (uploads.schema.ts, attachments.schema.ts).
 */

export const AssetStatusEnum = builder.enumType('AssetStatus', {
  values: {
    UPLOADING: { description: 'A direct upload reserved, not finalized yet: no url, not listed.' },
    READY: { description: 'Checked and stored.' },
  },
});
export const AssetVisibilityEnum = builder.enumType('AssetVisibility', {
  values: {
    PRIVATE: { description: 'Those who may read the occasion’s files (asset:read), and those the subjects it is attached to let see it.' },
    GUESTS: { description: 'Also every guest of the occasion (through their guest link).' },
  } satisfies Record<(typeof VISIBILITIES)[number], unknown>,
});
const AssetVariantStatusEnum = builder.enumType('AssetVariantStatus', { values: ['PENDING', 'READY', 'FAILED'] as const });

/** OCCASION, EVENT, ARTIFACT_VERSION ↔ the type names attachments store. */
const enumName = (t: string) => t.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
export const AssetSubjectTypeEnum = builder.enumType('AssetSubjectType', {
  description: 'What files are attached to: an occasion (branding), an event (its cover), an artifact version (its files).',
  values: Object.fromEntries(ASSET_SUBJECT_TYPES.map((t) => [enumName(t), { value: t }])),
});

const assetTarget = (a: { id: string; occasionId: string; visibility: string }) => ({
  occasionId: a.occasionId,
  resource: { type: 'Asset', id: a.id },
});

export const assetRead = canTypeOrVisible('asset:read', 'RESOURCE', assetTarget, (a, ctx) => visibleWithoutAssetRead(ctx, a), {
  what: 'Asset',
  alsoReadableBy: 'guests when visibility is GUESTS; readers of what it is attached to',
});

const AssetVariantType = builder.prismaObject('AssetVariant', {
  ...inheritedType,
  description: 'A smaller WebP copy of an image, made in the background: `thumbnail` (within 320 px) and `web` (within 1600 px).',
  fields: (t) => ({
    preset: t.exposeString('preset'),
    status: t.field({ type: AssetVariantStatusEnum, ...inheritedType, resolve: (v) => v.status }),
    contentType: t.exposeString('contentType', { ...inheritedType, nullable: true }),
    width: t.exposeInt('width', { ...inheritedType, nullable: true }),
    height: t.exposeInt('height', { ...inheritedType, nullable: true }),
    byteSize: t.exposeInt('byteSize', { ...inheritedType, nullable: true }),
    url: t.string({
      ...inheritedType,
      nullable: true,
      description: 'A short-lived signed download URL (ASSET_URL_TTL_SECONDS); null until READY.',
      select: { asset: { select: { filename: true } } },
      resolve: (v, _a, ctx) =>
        v.status === 'READY'
          ? downloadUrl(assetsEnv(ctx.app), {
              assetId: v.assetId,
              storageKey: v.storageKey,
              filename: variantFilename(v.asset.filename, v.preset, 'webp'),
              contentType: v.contentType ?? 'image/webp',
              preset: v.preset,
            })
          : null,
    }),
  }),
});

const AssetAttachmentType = builder.prismaObject('AssetAttachment', {
  ...inheritedType,
  description: 'Where a file is used: a subject, the role it plays there, its place in order.',
  fields: (t) => ({
    subjectType: t.field({ type: AssetSubjectTypeEnum, ...inheritedType, resolve: (a) => a.subjectType as AssetSubjectType }),
    subjectId: t.id({ ...inheritedType, resolve: (a) => encodeGlobalID(a.subjectType, a.subjectId) }),
    role: t.exposeString('role', inheritedType),
    position: t.exposeInt('position', inheritedType),
    createdAt: t.expose('createdAt', { type: 'DateTime', ...inheritedType }),
  }),
});

const bytes = (v: bigint | null) => (v === null ? null : Number(v));

export const AssetType = builder.prismaNode('Asset', {
  id: { field: 'id' },
  ...assetRead,
  description:
    'A file of the occasion: uploaded (images, PDFs) or generated (a published artifact’s files). Its type is what its bytes are, whatever the client said; images are stored without their metadata (EXIF, GPS). Readable with asset:read, by guests when its visibility is GUESTS, and by whoever may read what it is attached to (an occasion’s branding: occasion:read; an event’s cover: event:read on that event; an artifact version’s files: its owner’s rule); anyone else gets NOT_FOUND.',
  fields: (t) => ({
    filename: t.exposeString('filename'),
    contentType: t.exposeString('contentType', { nullable: true, description: 'Detected from the bytes; null until READY.' }),
    declaredType: t.exposeString('declaredType', { nullable: true, description: 'The type the client sent it as.' }),
    byteSize: t.float({ nullable: true, description: 'Bytes (a whole number); null until READY.', resolve: (a) => bytes(a.byteSize) }),
    sha256: t.exposeString('sha256', { nullable: true, description: 'Of the stored bytes, hex.' }),
    width: t.exposeInt('width', { nullable: true }),
    height: t.exposeInt('height', { nullable: true }),
    status: t.field({ type: AssetStatusEnum, resolve: (a) => a.status }),
    visibility: t.field({ type: AssetVisibilityEnum, resolve: (a) => a.visibility }),
    system: t.exposeBoolean('system', { description: 'Generated by the system (not deletable by hand).' }),
    uploadExpiresAt: t.expose('uploadExpiresAt', {
      type: 'DateTime',
      nullable: true,
      description: 'A direct upload not finalized by then is dropped.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    readyAt: t.expose('readyAt', { type: 'DateTime', nullable: true }),
    url: t.string({
      nullable: true,
      description:
        'A short-lived signed download URL (ASSET_URL_TTL_SECONDS), served as an attachment with the detected type; null until READY. Ask again for a fresh one.',
      resolve: (a, _args, ctx) =>
        a.status === 'READY'
          ? downloadUrl(assetsEnv(ctx.app), {
              assetId: a.id,
              storageKey: a.storageKey,
              filename: a.filename,
              contentType: a.contentType ?? 'application/octet-stream',
              preset: null,
            })
          : null,
    }),
    variants: t.relation('variants', { description: 'Images only.', query: { orderBy: { preset: 'asc' } } }),
    attachments: t.relation('attachments', {
      // The planners' view: a guest or vendor who may see a cover learns nothing of what else it is attached to.
      ...canField('asset:read', 'RESOURCE', assetTarget),
      description: 'Where it is used (needs asset:read: readers through an attachment or as guests do not see the others).',
      query: { orderBy: [{ subjectType: 'asc' }, { subjectId: 'asc' }, { position: 'asc' }] },
    }),
    auditTrail: t.prismaConnection({
      type: AuditEntryType,
      cursor: 'id',
      ...canField('audit:read', 'OCCASION', (a: { occasionId: string }) => ({ occasionId: a.occasionId })),
      description: 'What happened to this file (uploaded, attached, made visible, refusals…), newest first. Owners only, like the audit log.',
      resolve: (query, a, _args, ctx) =>
        ctx.prisma.auditLog.findMany({ ...query, where: { occasionId: a.occasionId, targetType: 'Asset', targetId: a.id }, orderBy: { id: 'desc' } }),
      totalCount: (a, _args, ctx) => ctx.prisma.auditLog.count({ where: { occasionId: a.occasionId, targetType: 'Asset', targetId: a.id } }),
    }),
  }),
});
void AssetVariantType;
void AssetAttachmentType;

const AssetFilter = builder.inputType('AssetFilter', {
  fields: (t) => ({
    visibility: t.field({ type: AssetVisibilityEnum }),
    system: t.boolean({ description: 'Only generated files (true) or only uploads (false).' }),
  }),
});

builder.prismaObjectField(OccasionType, 'assets', (t) =>
  t.relatedConnection('assets', {
    cursor: 'id',
    ...canField('asset:read', 'OCCASION', (o: { id: string }) => ({ occasionId: o.id })),
    description: 'The occasion’s files, newest first: READY ones only (uploads under way are not listed, nor counted in totalCount).',
    args: { filter: t.arg({ type: AssetFilter }) },
    totalCount: true,
    query: (args) => ({
      where: {
        status: 'READY' as const,
        ...(args.filter?.visibility ? { visibility: args.filter.visibility } : {}),
        ...(args.filter?.system != null ? { system: args.filter.system } : {}),
      },
      orderBy: [{ createdAt: 'desc' as const }, { id: 'desc' as const }],
    }),
  }),
);

const AssetUsageType = builder.objectRef<{ usedBytes: number; quotaBytes: number }>('AssetUsage').implement({
  ...inheritedType,
  description: 'Bytes the occasion’s files take (READY files, and what uploads under way reserved) and may take.',
  fields: (t) => ({
    usedBytes: t.exposeFloat('usedBytes', inheritedType),
    quotaBytes: t.exposeFloat('quotaBytes', inheritedType),
  }),
});

builder.prismaObjectField(OccasionType, 'assetUsage', (t) =>
  t.field({
    type: AssetUsageType,
    ...canField('asset:read', 'OCCASION', (o: { id: string }) => ({ occasionId: o.id })),
    resolve: (o, _a, ctx) => assetUsage(ctx.prisma, o.id, ctx.app.config.ASSET_QUOTA_BYTES),
  }),
);

builder.queryField('asset', (t) =>
  t.prismaField({
    type: 'Asset',
    // The row and what is selected under it in one statement; Asset's own rule then decides.
    ...guardedByType(assetRead),
    args: { id: t.arg.globalID({ required: true, for: AssetType }) },
    resolve: async (query, _p, args, ctx) => {
      const row = isUuid(args.id.id) ? await ctx.prisma.asset.findUnique({ ...query, where: { id: args.id.id } }) : null;
      if (!row) throw notFound('Asset');
      return row;
    },
  }),
);

// ─── Typed errors ───────────────────────────────────────────────────────────

const errorType = { interfaces: [ErrorInterface], ...inheritedType };

builder.objectType(FileTooLargeError, {
  name: 'FileTooLargeError',
  ...errorType,
  fields: (t) => ({
    maxBytes: t.exposeFloat('maxBytes', inheritedType),
    byteSize: t.exposeFloat('byteSize', { ...inheritedType, nullable: true }),
  }),
});
builder.objectType(UnsupportedFileTypeError, {
  name: 'UnsupportedFileTypeError',
  ...errorType,
  fields: (t) => ({
    detectedType: t.exposeString('detectedType', { ...inheritedType, nullable: true, description: 'What the bytes are; null: not recognised.' }),
    declaredType: t.exposeString('declaredType', { ...inheritedType, nullable: true }),
    allowedTypes: t.exposeStringList('allowedTypes', inheritedType),
  }),
});
builder.objectType(QuotaExceededError, {
  name: 'QuotaExceededError',
  ...errorType,
  fields: (t) => ({
    usedBytes: t.exposeFloat('usedBytes', inheritedType),
    quotaBytes: t.exposeFloat('quotaBytes', inheritedType),
    requestedBytes: t.exposeFloat('requestedBytes', inheritedType),
  }),
});
const AttachmentRefType = builder.objectRef<{ subjectType: string; subjectId: string; role: string }>('AssetAttachmentRef').implement({
  ...inheritedType,
  fields: (t) => ({
    subjectType: t.field({ type: AssetSubjectTypeEnum, ...inheritedType, resolve: (a) => a.subjectType as AssetSubjectType }),
    subjectId: t.id({ ...inheritedType, resolve: (a) => encodeGlobalID(a.subjectType, a.subjectId) }),
    role: t.exposeString('role', inheritedType),
  }),
});
builder.objectType(AssetInUseError, {
  name: 'AssetInUseError',
  ...errorType,
  fields: (t) => ({ attachments: t.field({ type: [AttachmentRefType], ...inheritedType, resolve: (e) => e.attachments }) }),
});
for (const [cls, name, description] of [
  [UnreadableFileError, 'UnreadableFileError', 'The bytes are of an accepted type but do not decode (truncated, damaged): nothing was kept.'],
  [UploadNotFoundError, 'UploadNotFoundError', 'Nothing was uploaded for this file yet: PUT the bytes to its upload URL, then finalize again.'],
  [UploadExpiredError, 'UploadExpiredError', 'The upload was not finished in time: it was dropped; start a new one.'],
  [SystemAssetError, 'SystemAssetError', 'A generated file goes with what generated it: it cannot be deleted by hand.'],
  [
    StorageUnavailableError,
    'StorageUnavailableError',
    'File storage failed: nothing was saved (a direct upload is kept to finalize again); try again.',
  ],
] as const) {
  builder.objectType(cls, { name, description, ...errorType });
}

/** The typed errors of uploads (inline and finalize). */
export const UPLOAD_ERRORS = [FileTooLargeError, UnsupportedFileTypeError, UnreadableFileError, QuotaExceededError, StorageUnavailableError];
