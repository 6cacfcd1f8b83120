import type { Authorization } from '../../kit/authorization.js';
import { z } from 'zod';
import { recordAudit } from '../../platform/audit.js';
import { randomToken, sha256 } from '../../platform/crypto.js';
import type { Tx } from '../../platform/db/client.js';
import { ConflictError, InvalidTokenError, notFound, unauthenticated, ValidationError } from '../../platform/errors.js';
import { recordBusinessEvent } from '../../platform/outbox.js';
import { actorIdOf, type Caller } from '../../platform/principal.js';
import { parseInput } from '../../platform/validation.js';
import type { ActionRegistry } from './actions.js';
import { assertMayMoveGrantsOf } from './grant-guard.js';
import { collaboratorInvited, collaboratorJoined } from './permissions.business-events.js';
import type { MessagingEnv } from '../communications/messaging-env.js';
import { queueCollaboratorInvitation } from './collaborator-email.js';

const INVITE_PREFIX = 'tovinv_';
/** Roles a collaborator can be invited to; owner is handed over, not invited. */
export const INVITABLE_ROLES = ['planner', 'co_planner', 'helper', 'vendor', 'viewer'] as const;

const inviteInput = z.object({
  email: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.email({ message: 'Enter a valid email address.' })),
  role: z.string(),
  displayName: z.string().trim().min(1).max(200).optional(),
  actorId: z.uuid().optional(),
  kind: z.enum(['PERSON', 'VENDOR']).default('PERSON'),
  eventIds: z.array(z.uuid()).max(50).default([]),
  expiresInDays: z.number().int().min(1).max(60).default(14),
});

/**
 * Invites a collaborator by email: the invitation (createCollaboratorInvitation)
 * and its email, written together.
 */
export async function inviteCollaborator(
  tx: Tx,
  caller: Caller,
  authz: Authorization,
  registry: ActionRegistry,
  occasionId: string,
  input: unknown,
  env: MessagingEnv,
) {
  const { invitation, token, acceptUrl, email } = await createCollaboratorInvitation(tx, caller, authz, registry, occasionId, input, env);
  // The invitee hears it by email: the token goes nowhere else (the inviter never sees it).
  const sent = await queueCollaboratorInvitation(tx, caller, env, {
    occasionId,
    invitationId: invitation.id,
    actorId: invitation.actorId,
    email,
    role: invitation.role,
    expiresAt: invitation.expiresAt,
    acceptUrl,
  });
  return { invitation, token, acceptUrl, sendId: sent.sendId };
}

/**
 * The invitation alone, with its checks, audit row and event, and no email:
 * for a caller that hands the token over itself (the demo seed accepts its
 * helpers' invitations at once, so its mailbox holds only what a planner sent).
 */
export async function createCollaboratorInvitation(
  tx: Tx,
  caller: Caller,
  authz: Authorization,
  registry: ActionRegistry,
  occasionId: string,
  input: unknown,
  env: Pick<MessagingEnv, 'publicUrl'>,
) {
  const data = parseInput(inviteInput, input);
  if (!registry.roles.has(data.role) || data.role === 'owner') {
    throw new ValidationError(`Cannot invite as "${data.role}".`, [
      { path: 'input.role', message: `One of: ${INVITABLE_ROLES.join(', ')} or a module role.` },
    ]);
  }
  for (const eventId of data.eventIds) {
    if (!(await tx.event.findFirst({ where: { id: eventId, occasionId }, select: { id: true } }))) throw notFound('Event');
  }
  let actorId = data.actorId;
  if (actorId) {
    const actor = await tx.actor.findFirst({ where: { id: actorId, occasionId } });
    if (!actor) throw notFound('Actor');
    if (actor.userId) throw new ConflictError('This actor is already linked to a user.');
    // Whoever accepts will hold what this actor holds (directly or through its teams): hand-over rules apply.
    await assertMayMoveGrantsOf(tx, authz, registry, occasionId, [actor.id], { inherited: true });
  } else {
    if (!data.displayName)
      throw new ValidationError('Give a displayName or an existing actorId.', [{ path: 'input.displayName', message: 'Required without actorId.' }]);
    actorId = (await tx.actor.create({ data: { occasionId, kind: data.kind, displayName: data.displayName, email: data.email } })).id;
  }
  // Checked now, not at acceptance: the inviter must hold what the invitation will grant.
  const scopeTargets = data.eventIds.length ? data.eventIds.map((eventId) => ({ occasionId, eventId })) : [{ occasionId }];
  for (const target of scopeTargets) {
    for (const a of registry.roleActions(data.role) ?? []) {
      if (!(await authz.can(a, target)))
        throw new ValidationError(`You cannot invite someone as ${data.role}: you do not hold ${a} yourself.`, [
          { path: 'input.role', message: 'Beyond your own access.' },
        ]);
    }
  }
  const token = randomToken(INVITE_PREFIX);
  const invitation = await tx.collaboratorInvitation.create({
    data: {
      occasionId,
      actorId,
      email: data.email,
      role: data.role,
      eventIds: data.eventIds,
      tokenHash: sha256(token),
      expiresAt: new Date(Date.now() + data.expiresInDays * 86_400_000),
      createdByActorId: await actorIdOf(tx, caller.principal, occasionId),
    },
  });
  await recordAudit(tx, caller, {
    action: 'access:invite',
    occasionId,
    target: { type: 'CollaboratorInvitation', id: invitation.id },
    after: { ...invitation, tokenHash: undefined },
  });
  await recordBusinessEvent(tx, caller, collaboratorInvited, { occasionId, invitationId: invitation.id, actorId, role: data.role }, { occasionId });
  const acceptUrl = `${env.publicUrl}/invitations/accept#token=${token}`;
  return { invitation, token, acceptUrl, email: data.email };
}

/**
 * The signed-in user takes up an invitation sent to their email: they are
 * linked to the invited actor and get the invited role (at occasion scope, or
 * on the invited events only, plus occasion:read to see where they are).
 */
export async function acceptCollaboratorInvitation(tx: Tx, caller: Caller, authz: Authorization, token: string) {
  const p = caller.principal;
  if (p.kind !== 'user') throw unauthenticated();
  const inv = await tx.collaboratorInvitation.findUnique({ where: { tokenHash: sha256(token) } });
  if (!inv || inv.revokedAt || inv.acceptedAt || inv.expiresAt <= new Date())
    throw new InvalidTokenError('This invitation is invalid, expired, revoked or already used.');
  if (inv.email !== p.email) throw new InvalidTokenError('This invitation was sent to another email address; sign in with that one.');
  if (await tx.actor.findFirst({ where: { occasionId: inv.occasionId, userId: p.userId }, select: { id: true } })) {
    throw new ConflictError('You already take part in this occasion.');
  }
  // Only an actor nobody has claimed yet: of two invitations for one actor, the first accepted wins.
  const linked = await tx.actor.updateMany({ where: { id: inv.actorId, userId: null }, data: { userId: p.userId } });
  if (linked.count === 0) throw new ConflictError('Someone else has already accepted an invitation for this person.');
  const actor = await tx.actor.findUniqueOrThrow({ where: { id: inv.actorId } });
  const now = new Date();
  await tx.collaboratorInvitation.update({ where: { id: inv.id }, data: { acceptedAt: now, acceptedByUserId: p.userId } });
  // Other invitations still pending for this actor could never be accepted now; close them.
  await tx.collaboratorInvitation.updateMany({
    where: { actorId: inv.actorId, id: { not: inv.id }, acceptedAt: null, revokedAt: null },
    data: { revokedAt: now },
  });
  const grantedBy = inv.createdByActorId;
  const base = { occasionId: inv.occasionId, subjectType: 'ACTOR' as const, subjectActorId: actor.id, grantedByActorId: grantedBy };
  if (inv.eventIds.length) {
    await tx.grant.create({ data: { ...base, actions: ['occasion:read'], scopeType: 'OCCASION' } });
    await tx.grant.createMany({
      data: inv.eventIds.map((eventId) => ({ ...base, role: inv.role, actions: [], scopeType: 'EVENT' as const, scopeEventId: eventId })),
    });
  } else {
    await tx.grant.create({ data: { ...base, role: inv.role, actions: [], scopeType: 'OCCASION' } });
  }
  authz.clear(inv.occasionId);
  await recordAudit(tx, caller, {
    action: 'access:accept_invitation',
    occasionId: inv.occasionId,
    target: { type: 'CollaboratorInvitation', id: inv.id },
    after: { actorId: actor.id, role: inv.role, eventIds: inv.eventIds },
  });
  await recordBusinessEvent(
    tx,
    caller,
    collaboratorJoined,
    { occasionId: inv.occasionId, invitationId: inv.id, actorId: actor.id, userId: p.userId },
    { occasionId: inv.occasionId },
  );
  return { actor, occasionId: inv.occasionId };
}

export async function revokeCollaboratorInvitation(tx: Tx, caller: Caller, id: string) {
  const before = await tx.collaboratorInvitation.findUnique({ where: { id } });
  if (!before) throw notFound('Invitation');
  if (before.acceptedAt || before.revokedAt) throw new ConflictError('This invitation was already accepted or revoked.');
  const after = await tx.collaboratorInvitation.update({ where: { id }, data: { revokedAt: new Date() } });
  await recordAudit(tx, caller, {
    action: 'access:revoke_invitation',
    occasionId: before.occasionId,
    target: { type: 'CollaboratorInvitation', id },
    before: { ...before, tokenHash: undefined },
    after: { ...after, tokenHash: undefined },
  });
  return after;
}
