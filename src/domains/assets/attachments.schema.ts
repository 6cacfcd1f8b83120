import { builder } from '../../kit/builder.js';
import type { Context } from '../../kit/context.js';
import { parseGlobalIdFor } from '../../kit/ids.js';
import { deletedPayload } from '../../kit/payload.js';
import { canField, declaredChecks, inheritedType, type InputIdArgs } from '../../kit/rules.js';
import { inTransaction } from '../../kit/transaction.js';
import { notFound, ValidationError } from '../../platform/errors.js';
import type { Target } from '../../kit/authorization.js';
import { AssetSubjectTypeEnum, AssetType, AssetVisibilityEnum } from './assets.schema.js';
import { assetsEnv } from './assets-env.js';
import { AssetInUseError, SystemAssetError } from './assets.errors.js';
import { attachAsset, detachAsset, occasionOfSubject, reorderAttachments, type SubjectRef } from './attachments.service.js';
import { deleteAsset, setAssetVisibility } from './assets.service.js';
import { purgeObjects } from './storage-cleanup.js';
import { AssetPayload } from './uploads.schema.js';

/*
 * Attaching files to what uses them, ordering them, who may see them,
 * deleting them. Attaching needs asset:upload and, on the subject, the action
 * its owner names (occasion:update for branding, event:update for a cover,
 * artifact:manage for an artifact's files): every such action is declared in
 * alsoChecks, so schema.graphql shows them.
 */

const ATTACH_ACTIONS = ['occasion:update', 'event:update', 'artifact:manage'] as const;
type AttachAction = (typeof ATTACH_ACTIONS)[number];

const assetRule = (action: string) =>
  canField(action, 'RESOURCE', (_p, args: InputIdArgs<'assetId'>, ctx) => ctx.targets.asset(args.input.assetId.id), {
    alsoChecks: ATTACH_ACTIONS,
  });
const attachRule = assetRule('asset:upload');

/** The subject's own id from its global id; NOT_FOUND when it is no id of that type (like one that does not exist). */
function subjectRef(input: { subjectType: string; subjectId: string | number }): SubjectRef {
  const id = parseGlobalIdFor(input.subjectType, String(input.subjectId));
  if (!id) throw notFound(input.subjectType);
  return { subjectType: input.subjectType, subjectId: id };
}

const checkWith = (ctx: Context) => (action: string, target: Target) => {
  if (!(ATTACH_ACTIONS as readonly string[]).includes(action)) throw new Error(`Attach action ${action} is not declared in ATTACH_ACTIONS`);
  return declaredChecks(attachRule, ctx).assert(action as AttachAction, target, 'Resource');
};

const subjectFields = (t: Parameters<Parameters<typeof builder.inputType>[1]['fields']>[0]) => ({
  subjectType: t.field({ type: AssetSubjectTypeEnum, required: true }),
  subjectId: t.id({ required: true, description: 'Global id of the subject (an Occasion, an Event, an ArtifactVersion).' }),
});

const AttachAssetInput = builder.inputType('AttachAssetInput', {
  fields: (t) => ({
    assetId: t.globalID({ required: true, for: AssetType }),
    ...subjectFields(t),
    role: t.string({ required: true, description: 'occasion: logo, cover, gallery; event: cover, gallery.' }),
    position: t.int({ description: 'Its place among the subject’s files in that role (0 first); default: last.' }),
  }),
});
const DetachAssetInput = builder.inputType('DetachAssetInput', {
  fields: (t) => ({
    assetId: t.globalID({ required: true, for: AssetType }),
    ...subjectFields(t),
    role: t.string({ description: 'Only this role; default: every role it has there.' }),
  }),
});
const ReorderAssetAttachmentsInput = builder.inputType('ReorderAssetAttachmentsInput', {
  fields: (t) => ({
    ...subjectFields(t),
    role: t.string({ required: true }),
    assetIds: t.globalIDList({ required: true, for: AssetType, description: 'These first, in this order; the others keep theirs after them.' }),
  }),
});
const DeleteAssetInput = builder.inputType('DeleteAssetInput', { fields: (t) => ({ assetId: t.globalID({ required: true, for: AssetType }) }) });
const SetAssetVisibilityInput = builder.inputType('SetAssetVisibilityInput', {
  fields: (t) => ({
    assetId: t.globalID({ required: true, for: AssetType }),
    visibility: t.field({ type: AssetVisibilityEnum, required: true }),
  }),
});

const ReorderPayload = builder.objectRef<{ assetIds: string[] }>('ReorderAssetAttachmentsPayload').implement({
  ...inheritedType,
  fields: (t) => ({
    assets: t.prismaField({
      type: ['Asset'],
      ...inheritedType,
      description: 'The subject’s files in that role, in their new order.',
      resolve: async (query, p, _a, ctx) => {
        const rows = await ctx.prisma.asset.findMany({ ...query, where: { id: { in: p.assetIds } } });
        return p.assetIds.map((id) => rows.find((r) => r.id === id)!).filter(Boolean);
      },
    }),
  }),
});

const DeleteAssetPayload = deletedPayload('DeleteAssetPayload', 'Asset');

builder.mutationFields((t) => ({
  attachAsset: t.field({
    type: AssetPayload,
    ...attachRule,
    description: 'Attaches a READY file to a subject of its occasion in a role (again: moves it to `position`).',
    args: { input: t.arg({ type: AttachAssetInput, required: true }) },
    errors: { types: [ValidationError] },
    resolve: async (_r, { input }, ctx) => {
      const ref = subjectRef(input);
      const asset = await inTransaction(ctx, (tx) =>
        attachAsset(tx, ctx.caller, ctx.app.assetSubjects, checkWith(ctx), {
          ...ref,
          assetId: input.assetId.id,
          role: input.role,
          position: input.position,
        }),
      );
      return { asset: await ctx.prisma.asset.findUniqueOrThrow({ where: { id: asset.id } }) };
    },
  }),
  detachAsset: t.field({
    type: AssetPayload,
    ...attachRule,
    description: 'Detaches a file from a subject (in one role, or all). Deleting the subject detaches its files too.',
    args: { input: t.arg({ type: DetachAssetInput, required: true }) },
    errors: { types: [ValidationError] },
    resolve: async (_r, { input }, ctx) => {
      const ref = subjectRef(input);
      const asset = await inTransaction(ctx, (tx) =>
        detachAsset(tx, ctx.caller, ctx.app.assetSubjects, checkWith(ctx), { ...ref, assetId: input.assetId.id, role: input.role }),
      );
      return { asset: await ctx.prisma.asset.findUniqueOrThrow({ where: { id: asset.id } }) };
    },
  }),
  reorderAssetAttachments: t.field({
    type: ReorderPayload,
    ...canField(
      'asset:upload',
      'OCCASION',
      async (_p, args: { input: { subjectType: string; subjectId: string | number } }, ctx) => ({
        occasionId: await occasionOfSubject(ctx.prisma, ctx.app.assetSubjects, subjectRef(args.input)),
      }),
      { alsoChecks: ATTACH_ACTIONS },
    ),
    description: 'Orders the files a subject uses in one role.',
    args: { input: t.arg({ type: ReorderAssetAttachmentsInput, required: true }) },
    errors: { types: [ValidationError] },
    resolve: async (_r, { input }, ctx) => {
      const ref = subjectRef(input);
      const assetIds = await inTransaction(ctx, (tx) =>
        reorderAttachments(tx, ctx.caller, ctx.app.assetSubjects, checkWith(ctx), {
          ...ref,
          role: input.role,
          assetIds: input.assetIds.map((a) => a.id),
        }),
      );
      return { assetIds };
    },
  }),
  setAssetVisibility: t.field({
    type: AssetPayload,
    ...canField('asset:upload', 'RESOURCE', (_p, args: InputIdArgs<'assetId'>, ctx) => ctx.targets.asset(args.input.assetId.id)),
    description: 'PRIVATE, or GUESTS: every guest of the occasion may then read it (through their guest link).',
    args: { input: t.arg({ type: SetAssetVisibilityInput, required: true }) },
    errors: { types: [ValidationError] },
    resolve: async (_r, { input }, ctx) => ({
      asset: await inTransaction(ctx, (tx) => setAssetVisibility(tx, ctx.caller, input.assetId.id, input.visibility)),
    }),
  }),
  deleteAsset: t.field({
    type: DeleteAssetPayload,
    ...canField('asset:delete', 'RESOURCE', (_p, args: InputIdArgs<'assetId'>, ctx) => ctx.targets.asset(args.input.assetId.id)),
    description: 'Deletes a file nothing uses any more (else AssetInUseError, listing where it is used), with its variants and bytes.',
    args: { input: t.arg({ type: DeleteAssetInput, required: true }) },
    errors: { types: [AssetInUseError, SystemAssetError] },
    resolve: async (_r, { input }, ctx) => {
      const deleted = await inTransaction(ctx, (tx) => deleteAsset(tx, ctx.caller, input.assetId.id));
      // After the commit; a failure is logged and left to the sweep, not the caller's problem.
      await purgeObjects(assetsEnv(ctx.app), deleted.storageKeys);
      return { id: deleted.id };
    },
  }),
}));
