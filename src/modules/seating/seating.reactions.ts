import { recordAudit } from '../../platform/audit.js';
import type { Tx } from '../../platform/db/client.js';
import { type Reaction, recordBusinessEvent, type RecordedBusinessEvent } from '../../platform/outbox.js';
import type { Caller } from '../../platform/principal.js';
import { seatingGuestsUnseated } from './seating.business-events.js';

/*
 * RSVP answers flow into the plan in the same transaction as the answer: a
 * guest who no longer attends (declined, or left out of the unit's
 * participants) loses their seat, with a notice the planner sees on the plan
 * and a revision bump (a planner's edit made before it is a CONFLICT, so
 * nobody saves over a plan they have not seen). New attendees need no work:
 * the plan's unseated list is read from RSVP's rows, and so are meals.
 */

interface ResponsePayload {
  eventId: string;
  status: string;
  previousStatus: string;
}

/** Seats held by people who no longer attend the plan's event. */
async function lostSeats(tx: Tx, planId: string, eventId: string) {
  return tx.$queryRaw<{ id: string; actorId: string; name: string; label: string }[]>`
    SELECT s.id::text AS id, s.actor_id::text AS "actorId", a.display_name AS name, t.label
      FROM seating_assignments s JOIN seating_tables t ON t.id = s.table_id JOIN actors a ON a.id = s.actor_id
     WHERE s.plan_id = ${planId}::uuid
       AND NOT EXISTS (SELECT 1 FROM rsvp_responses r
                        WHERE r.event_id = ${eventId}::uuid AND r.status = 'ATTENDING' AND s.actor_id = ANY(r.participant_actor_ids))`;
}

async function unseatAbsent(tx: Tx, caller: Caller, events: RecordedBusinessEvent[]) {
  // Only an answer that was ATTENDING can take a seat away.
  const relevant = events.map((e) => e.payload as ResponsePayload).filter((p) => p.previousStatus === 'ATTENDING');
  if (!relevant.length) return;
  const declined = new Set(relevant.filter((p) => p.status === 'DECLINED').map((p) => p.eventId));
  const plans = await tx.seatingPlan.findMany({ where: { eventId: { in: [...new Set(relevant.map((p) => p.eventId))] } } });
  for (const plan of plans) {
    const gone = await lostSeats(tx, plan.id, plan.eventId);
    if (!gone.length) continue;
    await tx.seatingAssignment.deleteMany({ where: { id: { in: gone.map((g) => g.id) } } });
    await tx.seatingPlan.update({ where: { id: plan.id }, data: { revision: { increment: 1 } } });
    const kind = declined.has(plan.eventId) ? 'GUEST_DECLINED' : 'GUEST_REMOVED';
    await tx.seatingNotice.createMany({
      data: gone.map((g) => ({ occasionId: plan.occasionId, planId: plan.id, actorId: g.actorId, guestName: g.name, kind, tableLabel: g.label })),
    });
    const reason = kind === 'GUEST_DECLINED' ? 'The guest declined.' : 'The guest no longer attends.';
    await recordAudit(tx, caller, {
      action: 'seating:manage',
      occasionId: plan.occasionId,
      target: { type: 'SeatingPlan', id: plan.id },
      before: { seated: gone.map((g) => g.actorId) },
      reason,
    });
    await recordBusinessEvent(
      tx,
      caller,
      seatingGuestsUnseated,
      { occasionId: plan.occasionId, eventId: plan.eventId, planId: plan.id, actorIds: gone.map((g) => g.actorId), reason },
      { occasionId: plan.occasionId, eventId: plan.eventId },
    );
  }
}

const onResponse: Reaction = (tx, caller, events) => unseatAbsent(tx, caller, events);

export const SEATING_REACTIONS: Record<string, Reaction> = {
  'rsvp.submitted': onResponse,
  'rsvp.updated': onResponse,
  'rsvp.overridden': onResponse,
};
