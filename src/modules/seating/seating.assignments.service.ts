import { recordAudit } from '../../platform/audit.js';
import type { Tx } from '../../platform/db/client.js';
import { ValidationError } from '../../platform/errors.js';
import type { Caller } from '../../platform/principal.js';
import { attendees } from './seating.attendance.js';
import { GuestNotAttendingError, SeatUnavailableError, TableFullError } from './seating.errors.js';
import { lockPlan } from './seating.plan.service.js';

/*
 * Who sits where. Only people attending the plan's event can be seated; a
 * person's household (the invitation unit that answered for them) comes along
 * by default; no table ever holds more than its capacity. Every check runs
 * after lockPlan, under the plan's row lock, so it sees every committed seat.
 */

export interface AssignInput {
  planId: string;
  tableId: string;
  guestIds: string[];
  /** A seat at the table for a single guest; absent: anywhere at the table. */
  seatNumber?: number | null;
  /** Bring the rest of each guest's household (those not seated yet) along: on by default. */
  withHousehold?: boolean | null;
  expectedRevision?: number | null;
}

export async function assignSeatingGuests(tx: Tx, caller: Caller, input: AssignInput) {
  const plan = await lockPlan(tx, input.planId, input.expectedRevision);
  const table = await tx.seatingTable.findFirst({ where: { id: input.tableId, planId: plan.id } });
  if (!table)
    throw new ValidationError('input.tableId: not a table of this plan.', [{ path: 'input.tableId', message: 'Not a table of this seating plan.' }]);
  const asked = [...new Set(input.guestIds)];
  if (!asked.length)
    throw new ValidationError('input.guestIds: name at least one guest.', [{ path: 'input.guestIds', message: 'Name at least one guest.' }]);
  if (input.seatNumber != null && asked.length !== 1)
    throw new ValidationError('input.seatNumber: a seat is for one guest.', [
      { path: 'input.seatNumber', message: 'A seat number needs exactly one guest.' },
    ]);

  const coming = await attendees(tx, plan.eventId);
  const byId = new Map(coming.map((a) => [a.actorId, a]));
  const absent = asked.filter((id) => !byId.has(id));
  if (absent.length)
    throw new GuestNotAttendingError(`${absent.length} of these guests do not attend this event (declined, not answered or not invited).`, absent);

  const seats = await tx.seatingAssignment.findMany({ where: { planId: plan.id }, select: { actorId: true, tableId: true, seatNumber: true } });
  const seated = new Set(seats.map((s) => s.actorId));
  const who = new Set(asked);
  if (input.withHousehold ?? true) {
    const units = new Set(asked.map((id) => byId.get(id)!.unitId));
    for (const a of coming) if (units.has(a.unitId) && !seated.has(a.actorId)) who.add(a.actorId);
  }
  const staying = seats.filter((s) => s.tableId === table.id && !who.has(s.actorId));
  if (staying.length + who.size > table.capacity)
    throw new TableFullError(
      `Table ${table.label} seats ${table.capacity}: ${staying.length} seated there already, ${who.size} more asked for.`,
      table.id,
      table.capacity,
      staying.length + who.size,
    );
  if (input.seatNumber != null) {
    const n = input.seatNumber;
    if (n < 1 || n > table.capacity || staying.some((s) => s.seatNumber === n))
      throw new SeatUnavailableError(`Seat ${n} of table ${table.label} is ${n < 1 || n > table.capacity ? 'not there' : 'taken'}.`, table.id, n);
  }

  await tx.seatingAssignment.deleteMany({ where: { planId: plan.id, actorId: { in: [...who] } } });
  await tx.seatingAssignment.createMany({
    data: [...who].map((actorId) => ({
      occasionId: plan.occasionId,
      planId: plan.id,
      tableId: table.id,
      actorId,
      seatNumber: actorId === asked[0] ? (input.seatNumber ?? null) : null,
      pinned: true,
    })),
  });
  await recordAudit(tx, caller, {
    action: 'seating:manage',
    occasionId: plan.occasionId,
    target: { type: 'SeatingTable', id: table.id },
    after: { assigned: [...who] },
  });
  return plan;
}

export async function unassignSeatingGuests(tx: Tx, caller: Caller, input: { planId: string; guestIds: string[]; expectedRevision?: number | null }) {
  const plan = await lockPlan(tx, input.planId, input.expectedRevision);
  const { count } = await tx.seatingAssignment.deleteMany({ where: { planId: plan.id, actorId: { in: input.guestIds } } });
  if (count)
    await recordAudit(tx, caller, {
      action: 'seating:manage',
      occasionId: plan.occasionId,
      target: { type: 'SeatingPlan', id: plan.id },
      before: { unassigned: input.guestIds },
    });
  return plan;
}

export async function dismissSeatingNotices(tx: Tx, caller: Caller, planId: string) {
  const plan = await tx.seatingPlan.findUniqueOrThrow({ where: { id: planId } });
  await tx.seatingNotice.updateMany({ where: { planId, dismissedAt: null }, data: { dismissedAt: new Date() } });
  await recordAudit(tx, caller, {
    action: 'seating:manage',
    occasionId: plan.occasionId,
    target: { type: 'SeatingPlan', id: planId },
    reason: 'Notices dismissed.',
  });
  return plan;
}
