import { recordAudit } from '../../platform/audit.js';
import type { Tx } from '../../platform/db/client.js';
import { ValidationError } from '../../platform/errors.js';
import type { Caller } from '../../platform/principal.js';
import { arrange, type UnmetConstraint } from './arrange/arrange.js';
import { attendees } from './seating.attendance.js';
import { lockPlan } from './seating.plan.service.js';

/*
 * Auto-arrange: the solver (arrange/, pure) fed from the plan — its tables,
 * the attending guests grouped by the invitation unit that answered for them
 * (households stay whole where they fit), the constraints between attending
 * people, and, when re-filling with keepPlanned, the seats planners placed by
 * hand (kept where they are, numbered seats included). Everything else is
 * replaced in the same transaction, under the plan's lock.
 */

export interface ArrangeOutcome {
  planId: string;
  score: number;
  unmet: UnmetConstraint[];
  unseated: string[];
  splitGroups: string[];
}

export async function autoArrangeSeatingPlan(
  tx: Tx,
  caller: Caller,
  input: { planId: string; keepPlanned?: boolean | null; expectedRevision?: number | null },
): Promise<ArrangeOutcome> {
  const plan = await lockPlan(tx, input.planId, input.expectedRevision);
  const keep = input.keepPlanned ?? true;
  const [tables, coming, constraints, seats] = await Promise.all([
    tx.seatingTable.findMany({ where: { planId: plan.id }, select: { id: true, capacity: true } }),
    attendees(tx, plan.eventId),
    tx.seatingConstraint.findMany({ where: { planId: plan.id }, select: { id: true, kind: true, actorAId: true, actorBId: true } }),
    tx.seatingAssignment.findMany({ where: { planId: plan.id, pinned: true }, select: { actorId: true, tableId: true } }),
  ]);
  if (!tables.length)
    throw new ValidationError('input.planId: the plan has no tables to fill.', [{ path: 'input.planId', message: 'Add tables first.' }]);

  const attending = new Set(coming.map((a) => a.actorId));
  const groups = new Map<string, string[]>();
  for (const a of coming) groups.set(a.unitId, [...(groups.get(a.unitId) ?? []), a.actorId]);
  const fixed = keep ? seats.filter((s) => attending.has(s.actorId)).map((s) => ({ personId: s.actorId, tableId: s.tableId })) : [];
  const result = arrange({
    tables,
    groups: [...groups].map(([id, members]) => ({ id, members })),
    constraints: constraints
      .filter((c) => attending.has(c.actorAId) && attending.has(c.actorBId))
      .map((c) => ({ id: c.id, kind: c.kind, a: c.actorAId, b: c.actorBId })),
    fixed,
  });

  const kept = new Set(fixed.map((f) => f.personId));
  await tx.seatingAssignment.deleteMany({ where: { planId: plan.id, ...(keep ? { pinned: false } : {}) } });
  await tx.seatingAssignment.createMany({
    data: result.assignments
      .filter((a) => !kept.has(a.personId))
      .map((a) => ({ occasionId: plan.occasionId, planId: plan.id, tableId: a.tableId, actorId: a.personId, pinned: false })),
  });
  await recordAudit(tx, caller, {
    action: 'seating:manage',
    occasionId: plan.occasionId,
    target: { type: 'SeatingPlan', id: plan.id },
    after: { autoArranged: result.assignments.length - kept.size, kept: kept.size, score: result.score, unseated: result.unseated.length },
  });
  return { planId: plan.id, score: result.score, unmet: result.unmet, unseated: result.unseated, splitGroups: result.splitGroups };
}
