import { builder } from '../../interfaces/graphql/builder.js';
import { defined, deletedPayload, payload } from '../../interfaces/graphql/payload.js';
import { authenticatedField, canField, canType } from '../../interfaces/graphql/rules.js';
import { inTransaction } from '../../interfaces/graphql/write.js';
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
    ...canField('occasion:read', 'OCCASION', (_p, args, ctx) => ctx.targets.occasion(args.id.id)),
    args: { id: t.arg.globalID({ required: true, for: OccasionType }) },
    resolve: (query, _p, args, ctx) => ctx.prisma.occasion.findUniqueOrThrow({ ...query, where: { id: args.id.id } }),
  }),
  occasions: t.prismaConnection({
    type: 'Occasion',
    cursor: 'id',
    ...authenticatedField,
    description: 'Occasions the signed-in user takes part in.',
    args: { search: t.arg.string() },
    resolve: (query, _p, args, ctx) =>
      ctx.prisma.occasion.findMany({ ...query, where: myOccasions(ctx.principal, args.search), orderBy: { id: 'desc' } }),
    totalCount: (_c, args, ctx) => ctx.prisma.occasion.count({ where: myOccasions(ctx.principal, args.search) }),
  }),
}));

function myOccasions(p: import('../../platform/principal.js').Principal, search?: string | null) {
  const userId = p.kind === 'user' ? p.userId : '00000000-0000-0000-0000-000000000000';
  return {
    // The same grants the engine counts: live ones, held by the user's actor or by a team/group it belongs to.
    grants: {
      some: {
        revokedAt: null,
        OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }],
        subjectActor: { OR: [{ userId }, { members: { some: { member: { userId } } } }] },
      },
    },
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
    ...canField('occasion:update', 'OCCASION', (_p, args, ctx) => ctx.targets.occasion(args.input.id.id)),
    args: { input: t.arg({ type: UpdateOccasionInput, required: true }) },
    errors: { types: [ValidationError] },
    resolve: async (_r, { input: { id, ...patch } }, ctx) => ({
      occasion: await inTransaction(ctx, (tx) => updateOccasion(tx, ctx.caller, id.id, defined(patch))),
    }),
  }),
  deleteOccasion: t.field({
    type: DeleteOccasionPayload,
    ...canField('occasion:delete', 'OCCASION', (_p, args, ctx) => ctx.targets.occasion(args.input.id.id)),
    args: { input: t.arg({ type: DeleteOccasionInput, required: true }) },
    resolve: (_r, { input }, ctx) => inTransaction(ctx, (tx) => deleteOccasion(tx, ctx.caller, input.id.id)),
  }),
}));
