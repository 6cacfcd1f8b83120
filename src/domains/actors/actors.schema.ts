import { builder } from '../../kit/builder.js';
import type { Context } from '../../kit/context.js';
import { defined, deletedPayload, payload } from '../../kit/payload.js';
import { canField, canType, declaredChecks, type IdArgs, type InputIdArgs } from '../../kit/rules.js';
import { inTransaction } from '../../kit/transaction.js';
import { ConflictError, ValidationError } from '../../platform/errors.js';
import { OccasionType } from '../occasions/occasions.schema.js';
import {
  ACTOR_KINDS,
  addMembership,
  addRelationship,
  createActor,
  createTag,
  deleteActor,
  deleteTag,
  MEMBERSHIP_ROLES,
  removeMembership,
  removeRelationship,
  updateActor,
  updateMembership,
} from './actors.service.js';

export const ActorKind = builder.enumType('ActorKind', { values: ACTOR_KINDS });
export const MembershipRole = builder.enumType('MembershipRole', { values: MEMBERSHIP_ROLES });

const actorTarget = (a: { id: string; occasionId: string }) => ({ occasionId: a.occasionId, resource: { type: 'Actor', id: a.id } });
const occasionOf = (x: { occasionId: string }) => ({ occasionId: x.occasionId });

export const TagType = builder.prismaNode('Tag', {
  id: { field: 'id' },
  ...canType('actor:read', 'OCCASION', occasionOf),
  description: 'A label planners put on actors (family, college friends, vegetarian).',
  fields: (t) => ({
    name: t.exposeString('name'),
    color: t.exposeString('color', { nullable: true }),
  }),
});

export const ActorType = builder.prismaNode('Actor', {
  id: { field: 'id' },
  ...canType('actor:read', 'RESOURCE', actorTarget),
  description: 'Anyone or anything taking part: a person, household, group, vendor or team.',
  fields: (t) => ({
    kind: t.expose('kind', { type: ActorKind }),
    displayName: t.exposeString('displayName'),
    email: t.exposeString('email', { nullable: true, ...canField('actor:read_contact', 'RESOURCE', actorTarget) }),
    phone: t.exposeString('phone', { nullable: true, ...canField('actor:read_contact', 'RESOURCE', actorTarget) }),
    notes: t.exposeString('notes', { nullable: true, description: 'Planner-only notes.', ...canField('actor:read_notes', 'RESOURCE', actorTarget) }),
    attributes: t.expose('attributes', { type: 'JSON' }),
    hasAccount: t.boolean({ description: 'Whether a signed-in user acts through this actor.', resolve: (a) => a.userId !== null }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    occasion: t.relation('occasion'),
    tags: t.field({
      type: [TagType],
      select: { tags: { select: { tag: true } } },
      resolve: (a) => a.tags.map((x) => x.tag),
    }),
    members: t.relation('members', {
      description: 'Members of a household, group, team or vendor.',
      query: { orderBy: [{ role: 'asc' }, { createdAt: 'asc' }] },
    }),
    memberOf: t.relation('memberOf', { description: 'Households, groups and teams this actor belongs to.' }),
    relationships: t.relation('relationsFrom', { description: 'Relationships from this actor (spouse, parent, …).' }),
    relatedFrom: t.relation('relationsTo', { description: 'Relationships pointing at this actor.' }),
  }),
});

export const MembershipType = builder.prismaNode('Membership', {
  id: { field: 'id' },
  ...canType('actor:read', 'RESOURCE', (m: { occasionId: string; groupActorId: string }) => ({
    occasionId: m.occasionId,
    resource: { type: 'Actor', id: m.groupActorId },
  })),
  fields: (t) => ({
    role: t.expose('role', { type: MembershipRole }),
    group: t.relation('group'),
    member: t.relation('member'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

export const RelationshipType = builder.prismaNode('Relationship', {
  id: { field: 'id' },
  ...canType('actor:read', 'RESOURCE', (r: { occasionId: string; fromActorId: string }) => ({
    occasionId: r.occasionId,
    resource: { type: 'Actor', id: r.fromActorId },
  })),
  fields: (t) => ({
    kind: t.exposeString('kind'),
    from: t.relation('from'),
    to: t.relation('to'),
  }),
});

const ActorFilter = builder.inputType('ActorFilter', {
  fields: (t) => ({
    kinds: t.field({ type: [ActorKind] }),
    search: t.string({ description: 'Case-insensitive match on name, and on email for callers who may read contact details.' }),
    tagIds: t.globalIDList({ for: TagType, description: 'Actors with any of these tags.' }),
    hasAccount: t.boolean(),
  }),
});

type ActorFilterValue = {
  kinds?: (typeof ACTOR_KINDS)[number][] | null;
  search?: string | null;
  tagIds?: { id: string }[] | null;
  hasAccount?: boolean | null;
};
/** Occasion.actors: actor:read, and actor:read_contact to search emails too (checked in actorFilterWhere). */
const actorListRule = canField(
  'actor:read',
  'OCCASION',
  (o: { id: string; actors?: unknown }, args: { filter?: { search?: string | null } | null }, ctx) => {
    // Loaded with the occasion (one statement): a search was planned before the row was known.
    if (o.actors !== undefined && args.filter?.search) ctx.authz.assertPlanned(o.id);
    return { occasionId: o.id };
  },
  { alsoChecks: ['actor:read_contact'] },
);

/**
 * The SQL filter of a list of actors, planned with the occasion's own query (so
 * for whichever occasion it hangs under). Email is searched only in occasions
 * where the caller may read contact details: otherwise the search would reveal,
 * one guess at a time, the addresses the field itself hides.
 */
async function actorFilterWhere(ctx: Context, f: ActorFilterValue) {
  const contactIn = f.search ? await declaredChecks(actorListRule, ctx).plannedOccasionsAllowing('actor:read_contact') : [];
  return {
    ...(f.kinds?.length ? { kind: { in: f.kinds } } : {}),
    ...(f.search
      ? {
          OR: [
            { displayName: { contains: f.search, mode: 'insensitive' as const } },
            ...(contactIn.length ? [{ occasionId: { in: contactIn }, email: { contains: f.search, mode: 'insensitive' as const } }] : []),
          ],
        }
      : {}),
    ...(f.tagIds?.length ? { tags: { some: { tagId: { in: f.tagIds.map((x) => x.id) } } } } : {}),
    ...(f.hasAccount === true ? { userId: { not: null } } : f.hasAccount === false ? { userId: null } : {}),
  };
}

builder.prismaObjectFields(OccasionType, (t) => ({
  actors: t.relatedConnection('actors', {
    cursor: 'id',
    ...actorListRule,
    description: 'People, households, groups, vendors and teams, by name.',
    args: { filter: t.arg({ type: ActorFilter }) },
    totalCount: true,
    query: async (args, ctx) => ({
      where: await actorFilterWhere(ctx, args.filter ?? {}),
      orderBy: [{ displayName: 'asc' }, { id: 'asc' }],
    }),
  }),
  tags: t.relation('tags', {
    ...canField('actor:read', 'OCCASION', (o: { id: string }) => ({ occasionId: o.id })),
    query: { orderBy: { name: 'asc' } },
  }),
}));

builder.queryField('actor', (t) =>
  t.prismaField({
    type: 'Actor',
    ...canField('actor:read', 'RESOURCE', (_p, args: IdArgs<'id'>, ctx) => ctx.targets.actor(args.id.id)),
    args: { id: t.arg.globalID({ required: true, for: ActorType }) },
    resolve: (query, _p, args, ctx) => ctx.prisma.actor.findUniqueOrThrow({ ...query, where: { id: args.id.id } }),
  }),
);

const NewMemberInput = builder.inputType('NewMemberInput', {
  description: 'A person created together with their household, group, team or vendor.',
  fields: (t) => ({
    displayName: t.string({ required: true }),
    email: t.string(),
    phone: t.string(),
    role: t.field({ type: MembershipRole }),
  }),
});
const CreateActorInput = builder.inputType('CreateActorInput', {
  fields: (t) => ({
    occasionId: t.globalID({ required: true, for: OccasionType }),
    kind: t.field({ type: ActorKind, required: true }),
    displayName: t.string({ required: true }),
    email: t.string(),
    phone: t.string(),
    notes: t.string(),
    attributes: t.field({ type: 'JSON' }),
    tagIds: t.globalIDList({ for: TagType }),
    newMembers: t.field({ type: [NewMemberInput] }),
  }),
});
const UpdateActorInput = builder.inputType('UpdateActorInput', {
  fields: (t) => ({
    id: t.globalID({ required: true, for: ActorType }),
    displayName: t.string(),
    email: t.string(),
    phone: t.string(),
    notes: t.string(),
    attributes: t.field({ type: 'JSON', description: 'Replaces all attributes.' }),
    tagIds: t.globalIDList({ for: TagType, description: 'Replaces all tags.' }),
  }),
});
const IdInput = (name: string, type: object) =>
  builder.inputType(name, { fields: (t) => ({ id: t.globalID({ required: true, for: type as typeof ActorType }) }) });
const DeleteActorInput = IdInput('DeleteActorInput', ActorType);
const AddMembershipInput = builder.inputType('AddMembershipInput', {
  fields: (t) => ({
    groupId: t.globalID({ required: true, for: ActorType }),
    memberId: t.globalID({ required: true, for: ActorType }),
    role: t.field({ type: MembershipRole }),
  }),
});
const UpdateMembershipInput = builder.inputType('UpdateMembershipInput', {
  fields: (t) => ({ id: t.globalID({ required: true, for: MembershipType }), role: t.field({ type: MembershipRole, required: true }) }),
});
const RemoveMembershipInput = builder.inputType('RemoveMembershipInput', {
  fields: (t) => ({ id: t.globalID({ required: true, for: MembershipType }) }),
});
const AddRelationshipInput = builder.inputType('AddRelationshipInput', {
  fields: (t) => ({
    fromId: t.globalID({ required: true, for: ActorType }),
    toId: t.globalID({ required: true, for: ActorType }),
    kind: t.string({ required: true, description: 'spouse, partner, parent, child, sibling, friend, …' }),
  }),
});
const RemoveRelationshipInput = builder.inputType('RemoveRelationshipInput', {
  fields: (t) => ({ id: t.globalID({ required: true, for: RelationshipType }) }),
});
const CreateTagInput = builder.inputType('CreateTagInput', {
  fields: (t) => ({ occasionId: t.globalID({ required: true, for: OccasionType }), name: t.string({ required: true }), color: t.string() }),
});
const DeleteTagInput = builder.inputType('DeleteTagInput', { fields: (t) => ({ id: t.globalID({ required: true, for: TagType }) }) });

const ActorPayload = payload('ActorPayload', 'actor', ActorType);
const MembershipPayload = payload('MembershipPayload', 'membership', MembershipType);
const RelationshipPayload = payload('RelationshipPayload', 'relationship', RelationshipType);
const TagPayload = payload('TagPayload', 'tag', TagType);
const DeleteActorPayload = deletedPayload('DeleteActorPayload', 'Actor');
const RemoveMembershipPayload = deletedPayload('RemoveMembershipPayload', 'Membership');
const RemoveRelationshipPayload = deletedPayload('RemoveRelationshipPayload', 'Relationship');
const DeleteTagPayload = deletedPayload('DeleteTagPayload', 'Tag');

const ids = (xs?: { id: string }[] | null) => xs?.map((x) => x.id);
const access = (ctx: Context) => ({ authz: ctx.authz, registry: ctx.app.actions });
/**
 * Deleting an actor, or changing a membership of a group, that holds grants
 * moves access: the service (assertMayMoveGrantsOf) then asserts access:manage
 * on the occasion, and that the caller holds every action moved.
 */
const movesAccess = { alsoChecks: ['access:manage'] } as const;

builder.mutationFields((t) => ({
  createActor: t.field({
    type: ActorPayload,
    ...canField('actor:create', 'OCCASION', (_p, args: InputIdArgs<'occasionId'>, ctx) => ctx.targets.occasion(args.input.occasionId.id)),
    args: { input: t.arg({ type: CreateActorInput, required: true }) },
    errors: { types: [ValidationError] },
    resolve: async (_r, { input: { occasionId, tagIds, ...rest } }, ctx) => ({
      actor: await inTransaction(ctx, (tx) => createActor(tx, ctx.caller, occasionId.id, { ...defined(rest), tagIds: ids(tagIds) })),
    }),
  }),
  updateActor: t.field({
    type: ActorPayload,
    ...canField('actor:update', 'RESOURCE', (_p, args: InputIdArgs<'id'>, ctx) => ctx.targets.actor(args.input.id.id)),
    args: { input: t.arg({ type: UpdateActorInput, required: true }) },
    errors: { types: [ValidationError] },
    resolve: async (_r, { input: { id, tagIds, ...patch } }, ctx) => ({
      actor: await inTransaction(ctx, (tx) => updateActor(tx, ctx.caller, id.id, { ...defined(patch), ...(tagIds ? { tagIds: ids(tagIds) } : {}) })),
    }),
  }),
  deleteActor: t.field({
    type: DeleteActorPayload,
    ...canField('actor:delete', 'RESOURCE', (_p, args: InputIdArgs<'id'>, ctx) => ctx.targets.actor(args.input.id.id), movesAccess),
    args: { input: t.arg({ type: DeleteActorInput, required: true }) },
    errors: { types: [ConflictError] },
    resolve: (_r, { input }, ctx) => inTransaction(ctx, (tx) => deleteActor(tx, ctx.caller, access(ctx), input.id.id)),
  }),
  addMembership: t.field({
    type: MembershipPayload,
    ...canField('actor:update', 'RESOURCE', (_p, args: InputIdArgs<'groupId'>, ctx) => ctx.targets.actor(args.input.groupId.id), movesAccess),
    args: { input: t.arg({ type: AddMembershipInput, required: true }) },
    errors: { types: [ValidationError, ConflictError] },
    resolve: async (_r, { input }, ctx) => ({
      membership: await inTransaction(ctx, (tx) =>
        addMembership(tx, ctx.caller, access(ctx), input.groupId.id, input.memberId.id, defined({ role: input.role })),
      ),
    }),
  }),
  updateMembership: t.field({
    type: MembershipPayload,
    ...canField('actor:update', 'RESOURCE', (_p, args: InputIdArgs<'id'>, ctx) => ctx.targets.membership(args.input.id.id)),
    args: { input: t.arg({ type: UpdateMembershipInput, required: true }) },
    errors: { types: [ValidationError] },
    resolve: async (_r, { input }, ctx) => ({
      membership: await inTransaction(ctx, (tx) => updateMembership(tx, ctx.caller, input.id.id, { role: input.role })),
    }),
  }),
  removeMembership: t.field({
    type: RemoveMembershipPayload,
    ...canField('actor:update', 'RESOURCE', (_p, args: InputIdArgs<'id'>, ctx) => ctx.targets.membership(args.input.id.id), movesAccess),
    args: { input: t.arg({ type: RemoveMembershipInput, required: true }) },
    resolve: (_r, { input }, ctx) => inTransaction(ctx, (tx) => removeMembership(tx, ctx.caller, access(ctx), input.id.id)),
  }),
  addRelationship: t.field({
    type: RelationshipPayload,
    ...canField('actor:update', 'RESOURCE', (_p, args: InputIdArgs<'fromId'>, ctx) => ctx.targets.actor(args.input.fromId.id)),
    args: { input: t.arg({ type: AddRelationshipInput, required: true }) },
    errors: { types: [ValidationError, ConflictError] },
    resolve: async (_r, { input }, ctx) => ({
      relationship: await inTransaction(ctx, (tx) => addRelationship(tx, ctx.caller, input.fromId.id, input.toId.id, { kind: input.kind })),
    }),
  }),
  removeRelationship: t.field({
    type: RemoveRelationshipPayload,
    ...canField('actor:update', 'RESOURCE', (_p, args: InputIdArgs<'id'>, ctx) => ctx.targets.relationship(args.input.id.id)),
    args: { input: t.arg({ type: RemoveRelationshipInput, required: true }) },
    resolve: (_r, { input }, ctx) => inTransaction(ctx, (tx) => removeRelationship(tx, ctx.caller, input.id.id)),
  }),
  createTag: t.field({
    type: TagPayload,
    ...canField('actor:update', 'OCCASION', (_p, args: InputIdArgs<'occasionId'>, ctx) => ctx.targets.occasion(args.input.occasionId.id)),
    args: { input: t.arg({ type: CreateTagInput, required: true }) },
    errors: { types: [ValidationError, ConflictError] },
    resolve: async (_r, { input: { occasionId, ...rest } }, ctx) => ({
      tag: await inTransaction(ctx, (tx) => createTag(tx, ctx.caller, occasionId.id, defined(rest))),
    }),
  }),
  deleteTag: t.field({
    type: DeleteTagPayload,
    ...canField('actor:update', 'OCCASION', (_p, args: InputIdArgs<'id'>, ctx) => ctx.targets.tag(args.input.id.id)),
    args: { input: t.arg({ type: DeleteTagInput, required: true }) },
    resolve: (_r, { input }, ctx) => inTransaction(ctx, (tx) => deleteTag(tx, ctx.caller, input.id.id)),
  }),
}));
