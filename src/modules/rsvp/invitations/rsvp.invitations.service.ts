import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { LIVE_LINK_CHOICES } from '../../../domains/guest-access/guest-access.errors.js';
import { issueGuestAccess, issueGuestAccessBulk, liveLinkWhere } from '../../../domains/guest-access/guest-access.service.js';
import { recordAudit } from '../../../platform/audit.js';
import { bulkInsert } from '../../../platform/db/bulk-insert.js';
import type { Tx } from '../../../platform/db/client.js';
import { ConflictError, ModuleDependencyError, notFound, ValidationError } from '../../../platform/errors.js';
import { recordBusinessEvent, recordBusinessEvents } from '../../../platform/outbox.js';
import type { Caller } from '../../../platform/principal.js';
import { parseInput } from '../../../platform/validation.js';
import { rsvpInvitationCreated, rsvpInvitationDeleted, rsvpInvitationUpdated } from '../rsvp.business-events.js';

export const RESPONSE_SCOPES = ['ACTOR', 'HOUSEHOLD', 'GROUP'] as const;
type ResponseScope = (typeof RESPONSE_SCOPES)[number];

/** Which unit kinds each response scope fits: a person answers for themselves, a household or group's controller for its members. */
const SCOPE_FOR_KIND: Record<string, ResponseScope> = { PERSON: 'ACTOR', HOUSEHOLD: 'HOUSEHOLD', GROUP: 'GROUP' };

const eventIds = z.array(z.uuid()).min(1, 'Invite the unit to at least one event.').max(100);
const plusOnes = z.number().int().min(0).max(10);

const createInput = z.object({
  unitActorId: z.uuid(),
  primaryActorId: z.uuid().optional(),
  responseScope: z.enum(RESPONSE_SCOPES).optional(),
  eventIds,
  plusOnesAllowed: plusOnes.optional(),
  issueGuestLink: z.boolean().default(true),
  /** When the unit already has a working link (issued on its own before): replace it or keep it. */
  onLiveLink: z.enum(LIVE_LINK_CHOICES).optional(),
});
const updateInput = z.object({
  primaryActorId: z.uuid().optional(),
  responseScope: z.enum(RESPONSE_SCOPES).optional(),
  eventIds: eventIds.optional(),
  plusOnesAllowed: plusOnes.optional(),
});
const bulkInput = z.object({
  householdIds: z.array(z.uuid()).max(5000).optional(),
  eventIds,
  plusOnesAllowed: plusOnes.optional(),
});

async function rsvpInstallation(tx: Tx, occasionId: string) {
  const inst = await tx.moduleInstallation.findUnique({ where: { occasionId_moduleKey: { occasionId, moduleKey: 'rsvp' } } });
  if (!inst) throw new ModuleDependencyError('Install the rsvp module on the occasion first.', ['rsvp']);
  return inst;
}

/** Every event must belong to the occasion (else NOT_FOUND) and have RSVP enabled (else a typed error naming it). */
async function assertRsvpEvents(tx: Tx, occasionId: string, ids: string[], path = 'input.eventIds') {
  const unique = [...new Set(ids)];
  if (unique.length !== ids.length) throw new ValidationError('An event is listed twice.', [{ path, message: 'Duplicate event.' }]);
  const events = await tx.event.findMany({
    where: { id: { in: unique }, occasionId },
    select: { id: true, name: true, enablements: { where: { installation: { moduleKey: 'rsvp' } }, select: { id: true } } },
  });
  if (events.length !== unique.length) throw notFound('Event');
  const off = events.filter((e) => !e.enablements.length);
  if (off.length) {
    throw new ValidationError(`RSVP is not enabled on ${off.map((e) => `“${e.name}”`).join(', ')}.`, [
      { path, message: 'Enable RSVP on the event first.' },
    ]);
  }
  return unique;
}

/** The unit's kind fixes the response scope; the primary actor is the person (or a member of the household/group). */
async function resolveUnit(tx: Tx, occasionId: string, unitActorId: string, scope?: ResponseScope, primaryActorId?: string) {
  const unit = await tx.actor.findFirst({
    where: { id: unitActorId, occasionId },
    select: { id: true, kind: true, members: { select: { memberActorId: true, role: true }, orderBy: [{ role: 'asc' }, { createdAt: 'asc' }] } },
  });
  if (!unit) throw notFound('Actor');
  const fitting = SCOPE_FOR_KIND[unit.kind];
  if (!fitting)
    throw new ValidationError(`A ${unit.kind.toLowerCase()} cannot be invited; invite a person, household or group.`, [
      { path: 'input.unitId', message: 'Not an invitable kind.' },
    ]);
  const responseScope = scope ?? fitting;
  if (responseScope !== fitting) {
    throw new ValidationError(`A ${unit.kind.toLowerCase()} is invited with response scope ${fitting}.`, [
      { path: 'input.responseScope', message: `Use ${fitting} for this unit.` },
    ]);
  }
  let primary = primaryActorId;
  if (responseScope === 'ACTOR') {
    if (primary && primary !== unit.id)
      throw new ValidationError('A person invited alone is their own primary actor.', [
        { path: 'input.primaryActorId', message: 'Must be the unit.' },
      ]);
    primary = unit.id;
  } else if (primary) {
    if (!unit.members.some((m) => m.memberActorId === primary))
      throw new ValidationError('The primary actor must be a member of the household or group.', [
        { path: 'input.primaryActorId', message: 'Not a member.' },
      ]);
  } else {
    // The head of the household (or the first member) receives the invitation.
    primary = unit.members[0]?.memberActorId;
    if (!primary) throw new ValidationError('This household or group has no members yet.', [{ path: 'input.unitId', message: 'Add members first.' }]);
  }
  return { unit, responseScope, primaryActorId: primary };
}

export async function createRsvpInvitation(tx: Tx, caller: Caller, occasionId: string, input: unknown, linkTemplate: string) {
  const data = parseInput(createInput, input);
  const inst = await rsvpInstallation(tx, occasionId);
  const { unit, responseScope, primaryActorId } = await resolveUnit(tx, occasionId, data.unitActorId, data.responseScope, data.primaryActorId);
  const events = await assertRsvpEvents(tx, occasionId, data.eventIds);
  if (await tx.rsvpInvitation.findUnique({ where: { invitationUnitActorId: unit.id }, select: { id: true } })) {
    throw new ConflictError('This unit is already invited; change its invitation instead.');
  }
  const guest = data.issueGuestLink
    ? await issueGuestAccess(tx, caller, occasionId, { unitActorId: unit.id }, linkTemplate, { onLiveLink: data.onLiveLink })
    : null;
  const invitation = await tx.rsvpInvitation.create({
    data: {
      occasionId,
      invitationUnitActorId: unit.id,
      primaryActorId,
      responseScope,
      invitedEventIds: events,
      plusOnesAllowed: data.plusOnesAllowed ?? (inst.config as { defaultPlusOnes?: number }).defaultPlusOnes ?? 0,
      guestAccessId: guest?.access.id ?? null,
    },
  });
  await tx.rsvpResponse.createMany({ data: events.map((eventId) => ({ occasionId, invitationId: invitation.id, eventId, unitActorId: unit.id })) });
  await recordAudit(tx, caller, { action: 'rsvp:manage', occasionId, target: { type: 'RsvpInvitation', id: invitation.id }, after: invitation });
  await recordBusinessEvent(
    tx,
    caller,
    rsvpInvitationCreated,
    { occasionId, invitationId: invitation.id, unitActorId: unit.id, eventIds: events },
    { occasionId },
  );
  return { invitation, guestToken: guest?.token ?? null, guestLink: guest?.link ?? null };
}

/**
 * Invites many households at once (a whole guest list): every household of the
 * occasion without an invitation yet, or the given ones. Households already
 * invited are skipped, so running it again changes nothing. Set-based: a
 * handful of statements for any number of households.
 */
export async function createRsvpInvitationsFromHouseholds(tx: Tx, caller: Caller, occasionId: string, input: unknown) {
  const data = parseInput(bulkInput, input);
  const inst = await rsvpInstallation(tx, occasionId);
  const events = await assertRsvpEvents(tx, occasionId, data.eventIds);
  const households = await tx.actor.findMany({
    where: {
      occasionId,
      kind: 'HOUSEHOLD',
      ...(data.householdIds ? { id: { in: data.householdIds } } : {}),
    },
    select: {
      id: true,
      rsvpUnitOf: { select: { id: true } },
      members: { select: { memberActorId: true }, orderBy: [{ role: 'asc' }, { createdAt: 'asc' }], take: 1 },
    },
  });
  if (data.householdIds && households.length !== new Set(data.householdIds).size) throw notFound('Household');
  const fresh = households.filter((h) => !h.rsvpUnitOf.length && h.members.length);
  const plusOnesAllowed = data.plusOnesAllowed ?? (inst.config as { defaultPlusOnes?: number }).defaultPlusOnes ?? 0;
  const rows = fresh.map((h) => ({
    id: randomUUID(),
    occasionId,
    invitationUnitActorId: h.id,
    primaryActorId: h.members[0]!.memberActorId,
    responseScope: 'HOUSEHOLD' as const,
    invitedEventIds: events,
    plusOnesAllowed,
  }));
  await tx.rsvpInvitation.createMany({ data: rows });
  await tx.rsvpResponse.createMany({
    data: rows.flatMap((r) => events.map((eventId) => ({ occasionId, invitationId: r.id, eventId, unitActorId: r.invitationUnitActorId }))),
  });
  await recordAudit(tx, caller, {
    action: 'rsvp:manage',
    occasionId,
    target: { type: 'Occasion', id: occasionId },
    after: { invited: rows.map((r) => r.invitationUnitActorId), eventIds: events, plusOnesAllowed },
  });
  await recordBusinessEvents(
    tx,
    caller,
    rsvpInvitationCreated,
    rows.map((r) => ({ payload: { occasionId, invitationId: r.id, unitActorId: r.invitationUnitActorId, eventIds: events }, occasionId })),
  );
  return {
    created: rows.length,
    skipped: households.length - rows.length,
    invitationIds: rows.map((r) => r.id),
  };
}

export async function updateRsvpInvitation(tx: Tx, caller: Caller, id: string, input: unknown) {
  const data = parseInput(updateInput, input);
  const before = await tx.rsvpInvitation.findUnique({ where: { id } });
  if (!before) throw notFound('RSVP invitation');
  const { responseScope, primaryActorId } = await resolveUnit(
    tx,
    before.occasionId,
    before.invitationUnitActorId,
    data.responseScope ?? before.responseScope,
    data.primaryActorId ?? (data.responseScope ? undefined : before.primaryActorId),
  );
  let events = before.invitedEventIds;
  if (data.eventIds) {
    events = await assertRsvpEvents(tx, before.occasionId, data.eventIds);
    const added = events.filter((e) => !before.invitedEventIds.includes(e));
    const removed = before.invitedEventIds.filter((e) => !events.includes(e));
    // Un-inviting an event withdraws its response; the audit row keeps what it was.
    if (removed.length) await tx.rsvpResponse.deleteMany({ where: { invitationId: id, eventId: { in: removed } } });
    if (added.length) {
      await tx.rsvpResponse.createMany({
        data: added.map((eventId) => ({ occasionId: before.occasionId, invitationId: id, eventId, unitActorId: before.invitationUnitActorId })),
      });
    }
  }
  const after = await tx.rsvpInvitation.update({
    where: { id },
    data: {
      responseScope,
      primaryActorId,
      invitedEventIds: events,
      ...(data.plusOnesAllowed !== undefined ? { plusOnesAllowed: data.plusOnesAllowed } : {}),
    },
  });
  const changed = Object.keys(data);
  await recordAudit(tx, caller, { action: 'rsvp:manage', occasionId: before.occasionId, target: { type: 'RsvpInvitation', id }, before, after });
  await recordBusinessEvent(
    tx,
    caller,
    rsvpInvitationUpdated,
    {
      occasionId: before.occasionId,
      invitationId: id,
      unitActorId: before.invitationUnitActorId,
      eventIds: [...new Set([...before.invitedEventIds, ...events])],
      changed,
    },
    { occasionId: before.occasionId },
  );
  return after;
}

export async function deleteRsvpInvitation(tx: Tx, caller: Caller, id: string) {
  const before = await tx.rsvpInvitation.findUnique({ where: { id }, include: { responses: true } });
  if (!before) throw notFound('RSVP invitation');
  await tx.rsvpInvitation.delete({ where: { id } });
  await recordAudit(tx, caller, { action: 'rsvp:manage', occasionId: before.occasionId, target: { type: 'RsvpInvitation', id }, before });
  await recordBusinessEvent(
    tx,
    caller,
    rsvpInvitationDeleted,
    { occasionId: before.occasionId, invitationId: id, unitActorId: before.invitationUnitActorId, eventIds: before.invitedEventIds },
    { occasionId: before.occasionId },
  );
  return before;
}

// ─── For bulk writers (the guest-list import) ────────────────────────────────

/** The occasion's RSVP installation, or a ModuleDependencyError: what every invitation write checks first. */
export const requireRsvpInstallation = rsvpInstallation;

/** Plus-one slots a new invitation gets when none are given: the module's defaultPlusOnes. */
export const defaultPlusOnes = (inst: { config: unknown }) => (inst.config as { defaultPlusOnes?: number }).defaultPlusOnes ?? 0;

export interface NewInvitationRow {
  unitActorId: string;
  primaryActorId: string;
  responseScope: ResponseScope;
  eventIds: string[];
}

/** A pending response per (invitation, event), as the invitation writes above create them. */
function insertPendingResponses(tx: Tx, occasionId: string, rows: { invitationId: string; eventId: string; unitActorId: string }[]) {
  return bulkInsert(
    tx,
    'rsvp_responses',
    {
      id: 'uuid',
      occasion_id: 'uuid',
      invitation_id: 'uuid',
      event_id: 'uuid',
      unit_actor_id: 'uuid',
      participant_actor_ids: 'uuid[]',
      form_submission_ids: 'uuid[]',
    },
    rows.map((r) => ({
      id: randomUUID(),
      occasion_id: occasionId,
      invitation_id: r.invitationId,
      event_id: r.eventId,
      unit_actor_id: r.unitActorId,
      participant_actor_ids: [],
      form_submission_ids: [],
    })),
  );
}

/** Outbox rows per recordBusinessEvents call (one createMany, a parameter per cell): well under PostgreSQL's 65,535. */
const BATCH = 1000;
const batches = <T>(xs: T[]) => Array.from({ length: Math.ceil(xs.length / BATCH) }, (_, i) => xs.slice(i * BATCH, (i + 1) * BATCH));

/**
 * Creates many invitations at once, each with a pending response per invited
 * event and its rsvp_invitation.created event, like createRsvpInvitationsFromHouseholds
 * (and, like it, without guest links). The caller has resolved units, primary
 * actors and RSVP-enabled events of the occasion, and writes its own audit row.
 * One INSERT per table whatever the count, plus the outbox rows by the thousand.
 */
export async function insertRsvpInvitations(tx: Tx, caller: Caller, occasionId: string, items: NewInvitationRow[], plusOnesAllowed: number) {
  const rows = items.map((i) => ({
    id: randomUUID(),
    occasionId,
    invitationUnitActorId: i.unitActorId,
    primaryActorId: i.primaryActorId,
    responseScope: i.responseScope,
    invitedEventIds: i.eventIds,
    plusOnesAllowed,
  }));
  await bulkInsert(
    tx,
    'rsvp_invitations',
    {
      id: 'uuid',
      occasion_id: 'uuid',
      invitation_unit_actor_id: 'uuid',
      primary_actor_id: 'uuid',
      response_scope: '"RsvpResponseScope"',
      invited_event_ids: 'uuid[]',
      plus_ones_allowed: 'integer',
    },
    rows.map((r) => ({
      id: r.id,
      occasion_id: occasionId,
      invitation_unit_actor_id: r.invitationUnitActorId,
      primary_actor_id: r.primaryActorId,
      response_scope: r.responseScope,
      invited_event_ids: r.invitedEventIds,
      plus_ones_allowed: r.plusOnesAllowed,
    })),
  );
  await insertPendingResponses(
    tx,
    occasionId,
    rows.flatMap((r) => r.invitedEventIds.map((eventId) => ({ invitationId: r.id, eventId, unitActorId: r.invitationUnitActorId }))),
  );
  const events = rows.map((r) => ({
    payload: { occasionId, invitationId: r.id, unitActorId: r.invitationUnitActorId, eventIds: r.invitedEventIds },
    occasionId,
  }));
  for (const b of batches(events)) await recordBusinessEvents(tx, caller, rsvpInvitationCreated, b);
  return rows.map((r) => r.id);
}

/**
 * Adds events to existing invitations (never removes any: that would withdraw
 * answers), with a pending response for each added event and one
 * rsvp_invitation.updated per invitation, like updateRsvpInvitation. One
 * UPDATE per distinct set of added events. The caller writes its own audit row.
 */
export async function extendRsvpInvitations(
  tx: Tx,
  caller: Caller,
  occasionId: string,
  items: { invitationId: string; unitActorId: string; invitedEventIds: string[]; addEventIds: string[] }[],
) {
  const todo = items.filter((i) => i.addEventIds.length);
  await insertPendingResponses(
    tx,
    occasionId,
    todo.flatMap((i) => i.addEventIds.map((eventId) => ({ invitationId: i.invitationId, eventId, unitActorId: i.unitActorId }))),
  );
  const bySet = new Map<string, { add: string[]; ids: string[] }>();
  for (const i of todo) {
    const key = i.addEventIds.join();
    const group = bySet.get(key) ?? { add: i.addEventIds, ids: [] };
    group.ids.push(i.invitationId);
    bySet.set(key, group);
  }
  for (const g of bySet.values())
    await tx.rsvpInvitation.updateMany({ where: { id: { in: g.ids }, occasionId }, data: { invitedEventIds: { push: g.add } } });
  const events = todo.map((i) => ({
    payload: {
      occasionId,
      invitationId: i.invitationId,
      unitActorId: i.unitActorId,
      eventIds: [...i.invitedEventIds, ...i.addEventIds],
      changed: ['eventIds'],
    },
    occasionId,
  }));
  for (const b of batches(events)) await recordBusinessEvents(tx, caller, rsvpInvitationUpdated, b);
}

/**
 * Guest links for invitations whose unit has none that still works (after a
 * bulk invite or an import): each unit gets one; running it again issues none.
 */
export async function issueMissingGuestLinks(tx: Tx, caller: Caller, occasionId: string, invitationIds: string[] | undefined, linkTemplate: string) {
  const now = new Date();
  const invitations = await tx.rsvpInvitation.findMany({
    where: {
      occasionId,
      ...(invitationIds ? { id: { in: invitationIds } } : {}),
      invitationUnit: { guestAccesses: { none: liveLinkWhere(now) } },
    },
    select: { id: true, invitationUnitActorId: true, invitationUnit: { select: { displayName: true } } },
    orderBy: { invitationUnit: { displayName: 'asc' } },
  });
  if (invitationIds && (await tx.rsvpInvitation.count({ where: { occasionId, id: { in: invitationIds } } })) !== new Set(invitationIds).size) {
    throw notFound('RSVP invitation');
  }
  const issued = await issueGuestAccessBulk(
    tx,
    caller,
    occasionId,
    invitations.map((i) => i.invitationUnitActorId),
    linkTemplate,
  );
  if (invitations.length) {
    await tx.$executeRaw`
      UPDATE rsvp_invitations r SET occasion_invitation_id = v.access_id
        FROM unnest(${invitations.map((i) => i.id)}::uuid[], ${issued.map((i) => i.guestAccessId)}::uuid[]) AS v(invitation_id, access_id)
       WHERE r.id = v.invitation_id`;
  }
  return invitations.map((inv, k) => ({ invitationId: inv.id, unitName: inv.invitationUnit.displayName, ...issued[k]! }));
}
