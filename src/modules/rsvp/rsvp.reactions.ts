import { recordAudit } from '../../platform/audit.js';
import type { Tx } from '../../platform/db/client.js';
import { type Reaction, recordBusinessEvent, type RecordedBusinessEvent } from '../../platform/outbox.js';
import { type Caller, principalId } from '../../platform/principal.js';
import { rsvpInvitationDeleted, rsvpUpdated } from './rsvp.business-events.js';
import { loadUnitPeople } from './invitations/rsvp.unit.js';

/*
 * RSVP keeps its answers true to the guest list, in the same transaction as
 * the guest-list change: a deleted person leaves the responses they were in,
 * a household whose members or roles changed gets its counts redone, and an
 * invitation whose unit (or last person) is deleted is withdrawn with its own
 * event rather than vanishing by cascade. Only answered responses can be
 * affected (pending ones list nobody), so bulk imports cost one query here.
 */

const REASON = 'The guest list changed.';

type ActorPayload = { occasionId: string; actorId: string; changed?: string[] };
const payloads = (events: RecordedBusinessEvent[]) => events.map((e) => e.payload as ActorPayload);

/** Invitations whose people may change when these actors change: the actors' own, and those of groups containing them. */
async function affectedInvitations(tx: Tx, occasionId: string, actorIds: string[]) {
  const rows = await tx.rsvpInvitation.findMany({
    where: {
      occasionId,
      OR: [
        { invitationUnitActorId: { in: actorIds } },
        { primaryActorId: { in: actorIds } },
        { invitationUnit: { members: { some: { memberActorId: { in: actorIds } } } } },
        { responses: { some: { participantActorIds: { hasSome: actorIds } } } },
      ],
    },
    select: { id: true, invitationUnitActorId: true },
  });
  return rows;
}

/** Redoes one invitation's primary actor and its answered responses without the `gone` actors. */
async function refresh(tx: Tx, caller: Caller, invitationId: string, gone: Set<string>) {
  const inv = await loadUnitPeople(tx, { id: invitationId });
  if (!inv) return;
  const people = inv.people.filter((p) => !gone.has(p.id));
  const primary = people.find((p) => p.role !== 'PLUS_ONE');
  if (gone.has(inv.invitationUnitActorId) || !primary) {
    // Nobody left to answer: the invitation is withdrawn, visibly.
    await tx.rsvpInvitation.delete({ where: { id: inv.id } });
    await recordAudit(tx, caller, {
      action: 'rsvp:manage',
      occasionId: inv.occasionId,
      target: { type: 'RsvpInvitation', id: inv.id },
      reason: REASON,
    });
    await recordBusinessEvent(
      tx,
      caller,
      rsvpInvitationDeleted,
      { occasionId: inv.occasionId, invitationId: inv.id, unitActorId: inv.invitationUnitActorId, eventIds: inv.invitedEventIds },
      { occasionId: inv.occasionId },
    );
    return;
  }
  if (gone.has(inv.primaryActorId)) await tx.rsvpInvitation.update({ where: { id: inv.id }, data: { primaryActorId: primary.id } });
  const byId = new Map(people.map((p) => [p.id, p]));
  const answered = await tx.rsvpResponse.findMany({ where: { invitationId: inv.id, status: 'ATTENDING' } });
  for (const r of answered) {
    const participants = r.participantActorIds.filter((id) => byId.has(id));
    const who = participants.map((id) => byId.get(id)!);
    const next = {
      participantActorIds: participants,
      headcount: who.length,
      childCount: who.filter((p) => p.role === 'CHILD').length,
      plusOneCount: who.filter((p) => p.role === 'PLUS_ONE').length,
      // Everyone who was coming is gone: the unit has to answer again.
      status: participants.length ? r.status : ('PENDING' as const),
    };
    const same =
      next.status === r.status &&
      next.headcount === r.headcount &&
      next.childCount === r.childCount &&
      next.plusOneCount === r.plusOneCount &&
      participants.length === r.participantActorIds.length;
    if (same) continue;
    const after = await tx.rsvpResponse.update({ where: { id: r.id }, data: next });
    if (participants.length !== r.participantActorIds.length || next.status !== r.status) {
      await tx.rsvpResponseChange.create({
        data: {
          responseId: r.id,
          occasionId: r.occasionId,
          eventId: r.eventId,
          fromStatus: r.status,
          toStatus: after.status,
          fromParticipantActorIds: r.participantActorIds,
          toParticipantActorIds: after.participantActorIds,
          source: 'PLANNER_OVERRIDE',
          principalType: caller.principal.kind,
          principalId: principalId(caller.principal),
          reason: REASON,
          requestId: caller.requestId,
        },
      });
    }
    await recordBusinessEvent(
      tx,
      caller,
      rsvpUpdated,
      {
        occasionId: r.occasionId,
        eventId: r.eventId,
        invitationId: inv.id,
        responseId: r.id,
        status: after.status,
        previousStatus: r.status,
        headcount: after.headcount,
      },
      { occasionId: r.occasionId, eventId: r.eventId },
    );
  }
}

async function refreshFor(tx: Tx, caller: Caller, events: RecordedBusinessEvent[], gone: (p: ActorPayload) => boolean) {
  const byOccasion = new Map<string, ActorPayload[]>();
  for (const p of payloads(events)) byOccasion.set(p.occasionId, [...(byOccasion.get(p.occasionId) ?? []), p]);
  for (const [occasionId, ps] of byOccasion) {
    const goneIds = new Set(ps.filter(gone).map((p) => p.actorId));
    for (const inv of await affectedInvitations(
      tx,
      occasionId,
      ps.map((p) => p.actorId),
    ))
      await refresh(tx, caller, inv.id, goneIds);
  }
}

/** actor.deleted is recorded before the row is deleted: the actor is still there to be found in invitations. */
const actorDeleted: Reaction = (tx, caller, events) => refreshFor(tx, caller, events, () => true);

/** Membership changes (members added, removed, roles changed) are recorded after the change. */
const actorUpdated: Reaction = (tx, caller, events) =>
  refreshFor(
    tx,
    caller,
    events.filter((e) => (e.payload as ActorPayload).changed?.includes('members')),
    () => false,
  );

export const RSVP_REACTIONS: Record<string, Reaction> = { 'actor.deleted': actorDeleted, 'actor.updated': actorUpdated };
