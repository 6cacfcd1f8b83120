import { builder } from '../../kit/builder.js';
import type { Context } from '../../kit/context.js';
import { defined, deletedPayload, payload } from '../../kit/payload.js';
import { authenticatedField, canField, canType, type IdArgs, type InputIdArgs } from '../../kit/rules.js';
import { inTransaction } from '../../kit/transaction.js';
import { keysetCursors } from '../../kit/keyset.js';
import { ValidationError } from '../../platform/errors.js';
import { createOccasion, deleteOccasion, OCCASION_KINDS, updateOccasion } from './occasions.service.js';

export const OccasionKind = builder.enumType('OccasionKind', { values: OCCASION_KINDS });

const occasionTarget = (o: { id: string }) => ({ occasionId: o.id });
const read = canType('occasion:read', 'OCCASION', occasionTarget);

export const OccasionType = builder.prismaNode('Occasion', {
  id: { field: 'id' },
  ...read,
  description: 'The workspace: one wedding, celebration or gala. Everything else lives inside one.',
  fields: (t) => ({
    name: t.exposeString('name'),
    kind: t.expose('kind', { type: OccasionKind }),
    timezone: t.exposeString('timezone'),
    defaultLocale: t.exposeString('defaultLocale'),
    branding: t.expose('branding', { type: 'JSON' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    myActions: t.stringList({
      description: 'Every action the caller holds on the occasion as a whole.',
      resolve: (o, _a, ctx) => ctx.authz.actionsAt({ occasionId: o.id }),
    }),
  }),
});

builder.queryFields((t) => ({
  occasion: t.prismaField({
    type: 'Occasion',
    ...canField('occasion:read', 'OCCASION', (_p, args: IdArgs<'id'>, ctx) => ctx.targets.occasion(args.id.id)),
    args: { id: t.arg.globalID({ required: true, for: OccasionType }) },
    // Pages under it (guests after a cursor) stay in the occasion's one statement: see keysetCursors.
    resolve: async (query, _p, args, ctx) =>
      ctx.prisma.occasion.findUniqueOrThrow({ ...(await keysetCursors(ctx.prisma, 'Occasion', query)), where: { id: args.id.id } }),
  }),
  occasions: t.prismaConnection({
    type: 'Occasion',
    cursor: 'id',
    ...authenticatedField,
    description: 'Occasions the signed-in user may read.',
    args: { search: t.arg.string() },
    resolve: async (query, _p, args, ctx) =>
      ctx.prisma.occasion.findMany({ ...query, where: await readableOccasions(ctx, args.search), orderBy: { id: 'desc' } }),
    totalCount: async (_c, args, ctx) => ctx.prisma.occasion.count({ where: await readableOccasions(ctx, args.search) }),
  }),
}));

/**
 * The occasions where the caller holds occasion:read at occasion scope, decided
 * by the engine itself (roles, expiry, team grants): someone with only an
 * event-scoped grant does not see the occasion listed, as they could not open it.
 */
async function readableOccasions(ctx: Context, search?: string | null) {
  return {
    id: { in: await ctx.authz.occasionsAllowing('occasion:read') },
    ...(search ? { name: { contains: search, mode: 'insensitive' as const } } : {}),
  };
}

const CreateOccasionInput = builder.inputType('CreateOccasionInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    kind: t.field({ type: OccasionKind }),
    timezone: t.string({ description: 'IANA time zone, default UTC.' }),
    defaultLocale: t.string(),
    branding: t.field({ type: 'JSON' }),
  }),
});
const UpdateOccasionInput = builder.inputType('UpdateOccasionInput', {
  fields: (t) => ({
    id: t.globalID({ required: true, for: OccasionType }),
    name: t.string(),
    kind: t.field({ type: OccasionKind }),
    timezone: t.string(),
    defaultLocale: t.string(),
    branding: t.field({ type: 'JSON' }),
  }),
});
const DeleteOccasionInput = builder.inputType('DeleteOccasionInput', {
  fields: (t) => ({ id: t.globalID({ required: true, for: OccasionType }) }),
});

const OccasionPayload = payload('OccasionPayload', 'occasion', OccasionType);
const DeleteOccasionPayload = deletedPayload('DeleteOccasionPayload', 'Occasion');

builder.mutationFields((t) => ({
  createOccasion: t.field({
    type: OccasionPayload,
    ...authenticatedField,
    description: 'Create an occasion; the caller becomes its owner.',
    args: { input: t.arg({ type: CreateOccasionInput, required: true }) },
    errors: { types: [ValidationError] },
    resolve: async (_r, { input }, ctx) => ({ occasion: await inTransaction(ctx, (tx) => createOccasion(tx, ctx.caller, defined(input))) }),
  }),
  updateOccasion: t.field({
    type: OccasionPayload,
    ...canField('occasion:update', 'OCCASION', (_p, args: InputIdArgs<'id'>, ctx) => ctx.targets.occasion(args.input.id.id)),
    args: { input: t.arg({ type: UpdateOccasionInput, required: true }) },
    errors: { types: [ValidationError] },
    resolve: async (_r, { input: { id, ...patch } }, ctx) => ({
      occasion: await inTransaction(ctx, (tx) => updateOccasion(tx, ctx.caller, id.id, defined(patch))),
    }),
  }),
  deleteOccasion: t.field({
    type: DeleteOccasionPayload,
    ...canField('occasion:delete', 'OCCASION', (_p, args: InputIdArgs<'id'>, ctx) => ctx.targets.occasion(args.input.id.id)),
    args: { input: t.arg({ type: DeleteOccasionInput, required: true }) },
    resolve: (_r, { input }, ctx) => inTransaction(ctx, (tx) => deleteOccasion(tx, ctx.caller, input.id.id)),
  }),
}));
