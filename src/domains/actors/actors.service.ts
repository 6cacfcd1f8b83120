import type { Authorization } from '../../kit/authorization.js';
import { z } from 'zod';
import { recordAudit } from '../../platform/audit.js';
import type { Tx } from '../../platform/db/client.js';
import { ConflictError, notFound, ValidationError } from '../../platform/errors.js';
import { recordBusinessEvent } from '../../platform/outbox.js';
import type { Caller } from '../../platform/principal.js';
import { parseInput } from '../../platform/validation.js';
import type { ActionRegistry } from '../permissions/actions.js';
import { assertMayMoveGrantsOf, revokeGrantsScopedTo } from '../permissions/grant-guard.js';
import { actorCreated, actorDeleted, actorUpdated } from './actors.business-events.js';

/** What a write needs to check that it does not move access the caller may not move. */
export interface AccessCheck {
  authz: Authorization;
  registry: ActionRegistry;
}

export const ACTOR_KINDS = ['PERSON', 'HOUSEHOLD', 'GROUP', 'VENDOR', 'TEAM'] as const;
export const MEMBERSHIP_ROLES = ['HEAD', 'MEMBER', 'PLUS_ONE', 'CHILD'] as const;
type ActorKind = (typeof ACTOR_KINDS)[number];

/** Which kinds can contain members, and which kinds they accept. */
const CONTAINS: Record<ActorKind, ActorKind[]> = {
  HOUSEHOLD: ['PERSON'],
  GROUP: ['PERSON', 'HOUSEHOLD'],
  TEAM: ['PERSON'],
  VENDOR: ['PERSON'],
  PERSON: [],
};

const attributes = z
  .record(
    z.string().regex(/^[a-zA-Z][a-zA-Z0-9_.-]{0,63}$/, 'Attribute keys are 1–64 letters, digits, _ . -'),
    z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]),
  )
  .refine((a) => Object.keys(a).length <= 100, 'At most 100 attributes.');
const email = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: 'Enter a valid email address.' }).max(254));
const phone = z
  .string()
  .trim()
  .regex(/^\+?[0-9 ()-]{5,30}$/, 'Enter a phone number such as +44 20 7946 0000.');
const fields = {
  kind: z.enum(ACTOR_KINDS),
  displayName: z.string().trim().min(1, 'Give the actor a name.').max(200),
  email: email.nullable(),
  phone: phone.nullable(),
  notes: z.string().max(10_000).nullable(),
  attributes,
};
/** The same rules for importers (guest-list CSV), so a row is valid exactly when createActor would accept it. */
export const actorFieldRules = { displayName: fields.displayName, email, phone } as const;
const newMember = z.object({
  displayName: fields.displayName,
  email: email.optional(),
  phone: phone.optional(),
  role: z.enum(MEMBERSHIP_ROLES).default('MEMBER'),
});
const createInput = z.object({
  ...fields,
  email: fields.email.optional(),
  phone: fields.phone.optional(),
  notes: fields.notes.optional(),
  attributes: attributes.default({}),
  tagIds: z.array(z.uuid()).max(50).default([]),
  newMembers: z.array(newMember).max(50).default([]),
});
const updateInput = z
  .object({ ...fields, tagIds: z.array(z.uuid()).max(50) })
  .omit({ kind: true })
  .partial();

async function sameOccasionTags(tx: Tx, occasionId: string, tagIds: string[]) {
  const found = await tx.tag.count({ where: { id: { in: tagIds }, occasionId } });
  if (found !== new Set(tagIds).size) throw notFound('Tag');
}

/** An actor by id, only within the occasion; anything else is NOT_FOUND. */
export async function actorIn(tx: Tx, occasionId: string, id: string) {
  const a = await tx.actor.findFirst({ where: { id, occasionId } });
  if (!a) throw notFound('Actor');
  return a;
}

async function assertMembershipAllowed(tx: Tx, group: { id: string; kind: ActorKind; occasionId: string }, member: { id: string; kind: ActorKind }) {
  if (group.id === member.id)
    throw new ValidationError('An actor cannot be a member of itself.', [{ path: 'input.memberId', message: 'Same as the group.' }]);
  if (!CONTAINS[group.kind].includes(member.kind)) {
    throw new ValidationError(`A ${group.kind.toLowerCase()} cannot contain a ${member.kind.toLowerCase()}.`, [
      { path: 'input.memberId', message: `Allowed: ${CONTAINS[group.kind].join(', ') || 'none'}` },
    ]);
  }
  if (group.kind === 'HOUSEHOLD') {
    const other = await tx.membership.findFirst({
      where: { memberActorId: member.id, group: { kind: 'HOUSEHOLD' }, NOT: { groupActorId: group.id } },
    });
    if (other) throw new ConflictError('This person already belongs to another household; remove them there first.');
  }
}

export async function createActor(tx: Tx, caller: Caller, occasionId: string, input: unknown) {
  const { tagIds, newMembers, ...data } = parseInput(createInput, input);
  if (newMembers.length && CONTAINS[data.kind].length === 0) {
    throw new ValidationError('Only households, groups, teams and vendors have members.', [
      { path: 'input.newMembers', message: 'Not allowed for a person.' },
    ]);
  }
  if (newMembers.length && !CONTAINS[data.kind].includes('PERSON')) {
    throw new ValidationError('New members are people; this kind cannot contain people.', [{ path: 'input.newMembers', message: 'Not allowed.' }]);
  }
  await sameOccasionTags(tx, occasionId, tagIds);
  const actor = await tx.actor.create({
    data: { ...data, attributes: data.attributes, occasionId, tags: { create: tagIds.map((tagId) => ({ tagId })) } },
  });
  for (const m of newMembers) {
    const person = await tx.actor.create({ data: { occasionId, kind: 'PERSON', displayName: m.displayName, email: m.email, phone: m.phone } });
    await tx.membership.create({ data: { occasionId, groupActorId: actor.id, memberActorId: person.id, role: m.role } });
  }
  await recordAudit(tx, caller, {
    action: 'actor:create',
    occasionId,
    target: { type: 'Actor', id: actor.id },
    after: { ...actor, tagIds, newMembers },
  });
  await recordBusinessEvent(tx, caller, actorCreated, { occasionId, actorId: actor.id, kind: actor.kind }, { occasionId });
  return actor;
}

export async function updateActor(tx: Tx, caller: Caller, id: string, input: unknown) {
  const { tagIds, ...patch } = parseInput(updateInput, input);
  const before = await tx.actor.findUnique({ where: { id }, include: { tags: { select: { tagId: true } } } });
  if (!before) throw notFound('Actor');
  if (tagIds) {
    await sameOccasionTags(tx, before.occasionId, tagIds);
    await tx.actorTag.deleteMany({ where: { actorId: id } });
    await tx.actorTag.createMany({ data: [...new Set(tagIds)].map((tagId) => ({ actorId: id, tagId })) });
  }
  const after = await tx.actor.update({ where: { id }, data: { ...patch, attributes: patch.attributes } });
  await recordAudit(tx, caller, {
    action: 'actor:update',
    occasionId: before.occasionId,
    target: { type: 'Actor', id },
    before: { ...before, tags: undefined, tagIds: before.tags.map((t) => t.tagId) },
    after: { ...after, tagIds: tagIds ?? before.tags.map((t) => t.tagId) },
  });
  await recordBusinessEvent(
    tx,
    caller,
    actorUpdated,
    { occasionId: before.occasionId, actorId: id, changed: Object.keys({ ...patch, ...(tagIds ? { tagIds } : {}) }) },
    { occasionId: before.occasionId },
  );
  return after;
}

export async function deleteActor(tx: Tx, caller: Caller, access: AccessCheck, id: string) {
  const before = await tx.actor.findUnique({ where: { id } });
  if (!before) throw notFound('Actor');
  const ownerGrants = await tx.grant.count({ where: { subjectActorId: id, role: 'owner', revokedAt: null } });
  if (ownerGrants) throw new ConflictError('This actor is an owner of the occasion; transfer ownership before deleting it.');
  // Its grants go with it (and its members lose what a team held): that is revoking access.
  await assertMayMoveGrantsOf(tx, access.authz, access.registry, before.occasionId, [id]);
  await revokeGrantsScopedTo(tx, caller, before.occasionId, { resourceType: 'Actor', resourceId: id });
  // Recorded before the row goes: modules reacting in this transaction (RSVP) still see what it was part of.
  await recordBusinessEvent(tx, caller, actorDeleted, { occasionId: before.occasionId, actorId: id }, { occasionId: before.occasionId });
  await tx.actor.delete({ where: { id } });
  await recordAudit(tx, caller, { action: 'actor:delete', occasionId: before.occasionId, target: { type: 'Actor', id }, before });
  return before;
}

/**
 * A change to one of an actor's parts (membership, relationship): one audit row
 * on the part, one actor.updated event on the actor it belongs to.
 */
async function recordActorPartChange(
  tx: Tx,
  caller: Caller,
  part: { type: 'Membership' | 'Relationship'; id: string; occasionId: string },
  actorId: string,
  changed: 'members' | 'relationships',
  snapshots: { before?: unknown; after?: unknown },
) {
  await recordAudit(tx, caller, { action: 'actor:update', occasionId: part.occasionId, target: { type: part.type, id: part.id }, ...snapshots });
  await recordBusinessEvent(tx, caller, actorUpdated, { occasionId: part.occasionId, actorId, changed: [changed] }, { occasionId: part.occasionId });
}

const membershipInput = z.object({ role: z.enum(MEMBERSHIP_ROLES).default('MEMBER') });

export async function addMembership(tx: Tx, caller: Caller, access: AccessCheck, groupId: string, memberId: string, input: unknown) {
  const { role } = parseInput(membershipInput, input);
  const group = await tx.actor.findUnique({ where: { id: groupId } });
  if (!group) throw notFound('Actor');
  const member = await actorIn(tx, group.occasionId, memberId);
  await assertMembershipAllowed(tx, group, member);
  // A member receives what the team or group holds: that is granting access.
  await assertMayMoveGrantsOf(tx, access.authz, access.registry, group.occasionId, [groupId]);
  const existing = await tx.membership.findUnique({ where: { groupActorId_memberActorId: { groupActorId: groupId, memberActorId: memberId } } });
  if (existing) throw new ConflictError('Already a member; change the role with updateMembership.');
  const m = await tx.membership.create({ data: { occasionId: group.occasionId, groupActorId: groupId, memberActorId: memberId, role } });
  await recordActorPartChange(tx, caller, { type: 'Membership', ...m }, groupId, 'members', { after: m });
  return m;
}

export async function updateMembership(tx: Tx, caller: Caller, id: string, input: unknown) {
  const { role } = parseInput(membershipInput, input);
  const before = await tx.membership.findUnique({ where: { id } });
  if (!before) throw notFound('Membership');
  const after = await tx.membership.update({ where: { id }, data: { role } });
  await recordActorPartChange(tx, caller, { type: 'Membership', ...before }, before.groupActorId, 'members', { before, after });
  return after;
}

export async function removeMembership(tx: Tx, caller: Caller, access: AccessCheck, id: string) {
  const before = await tx.membership.findUnique({ where: { id } });
  if (!before) throw notFound('Membership');
  // The member loses what the team or group holds: that is revoking access.
  await assertMayMoveGrantsOf(tx, access.authz, access.registry, before.occasionId, [before.groupActorId]);
  await tx.membership.delete({ where: { id } });
  await recordActorPartChange(tx, caller, { type: 'Membership', ...before }, before.groupActorId, 'members', { before });
  return before;
}

const relationshipInput = z.object({
  kind: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z][a-z_ -]{0,39}$/, 'Use a short word such as spouse, parent, sibling.'),
});

export async function addRelationship(tx: Tx, caller: Caller, fromId: string, toId: string, input: unknown) {
  const { kind } = parseInput(relationshipInput, input);
  const from = await tx.actor.findUnique({ where: { id: fromId } });
  if (!from) throw notFound('Actor');
  await actorIn(tx, from.occasionId, toId);
  if (fromId === toId) throw new ValidationError('An actor cannot relate to itself.', [{ path: 'input.toId', message: 'Same as fromId.' }]);
  const dupe = await tx.relationship.findUnique({ where: { fromActorId_toActorId_kind: { fromActorId: fromId, toActorId: toId, kind } } });
  if (dupe) throw new ConflictError('That relationship already exists.');
  const r = await tx.relationship.create({ data: { occasionId: from.occasionId, fromActorId: fromId, toActorId: toId, kind } });
  await recordActorPartChange(tx, caller, { type: 'Relationship', ...r }, fromId, 'relationships', { after: r });
  return r;
}

export async function removeRelationship(tx: Tx, caller: Caller, id: string) {
  const before = await tx.relationship.findUnique({ where: { id } });
  if (!before) throw notFound('Relationship');
  await tx.relationship.delete({ where: { id } });
  await recordActorPartChange(tx, caller, { type: 'Relationship', ...before }, before.fromActorId, 'relationships', { before });
  return before;
}

const tagInput = z.object({
  name: z.string().trim().min(1).max(60),
  color: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, 'Use a hex colour such as #aabbcc.')
    .nullable()
    .optional(),
});

export async function createTag(tx: Tx, caller: Caller, occasionId: string, input: unknown) {
  const data = parseInput(tagInput, input);
  if (await tx.tag.findUnique({ where: { occasionId_name: { occasionId, name: data.name } } }))
    throw new ConflictError(`A tag named "${data.name}" already exists.`);
  const tag = await tx.tag.create({ data: { ...data, occasionId } });
  await recordAudit(tx, caller, { action: 'actor:update', occasionId, target: { type: 'Tag', id: tag.id }, after: tag });
  return tag;
}

export async function deleteTag(tx: Tx, caller: Caller, id: string) {
  const before = await tx.tag.findUnique({ where: { id } });
  if (!before) throw notFound('Tag');
  await tx.tag.delete({ where: { id } });
  await recordAudit(tx, caller, { action: 'actor:update', occasionId: before.occasionId, target: { type: 'Tag', id }, before });
  return before;
}
