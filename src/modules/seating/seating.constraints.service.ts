import { recordAudit } from '../../platform/audit.js';
import type { Tx } from '../../platform/db/client.js';
import { ConflictError, ValidationError } from '../../platform/errors.js';
import type { Caller } from '../../platform/principal.js';
import { findConstraintConflicts } from './arrange/conflicts.js';
import { SeatingConstraintConflictError } from './seating.errors.js';
import { lockPlan } from './seating.plan.service.js';

/*
 * "Seat these two together" and "keep these two apart". A new constraint that
 * contradicts the plan's others is refused whole: apart from someone one must
 * (transitively) sit with, or a together-group that no table can hold.
 */

export interface ConstraintInput {
  planId: string;
  kind: 'TOGETHER' | 'APART';
  guestAId: string;
  guestBId: string;
  note?: string | null;
  expectedRevision?: number | null;
}

export async function addSeatingConstraint(tx: Tx, caller: Caller, input: ConstraintInput) {
  if (input.guestAId === input.guestBId)
    throw new ValidationError('input.guestBId: a constraint is between two different people.', [
      { path: 'input.guestBId', message: 'Name two different people.' },
    ]);
  const plan = await lockPlan(tx, input.planId, input.expectedRevision);
  const people = await tx.actor.count({ where: { id: { in: [input.guestAId, input.guestBId] }, kind: 'PERSON' } });
  if (people !== 2)
    throw new ValidationError('input: constraints are between people.', [
      { path: 'input', message: 'Both guests must be people (not households or groups).' },
    ]);
  // One constraint per pair, whichever order they are named in.
  const [a, b] = [input.guestAId, input.guestBId].sort() as [string, string];
  if (await tx.seatingConstraint.findUnique({ where: { planId_actorAId_actorBId: { planId: plan.id, actorAId: a, actorBId: b } } }))
    throw new ConflictError('These two people already have a constraint: remove it first.');
  const existing = await tx.seatingConstraint.findMany({ where: { planId: plan.id } });
  const tables = await tx.seatingTable.aggregate({ where: { planId: plan.id }, _max: { capacity: true } });
  const NEW = 'new';
  const conflicts = findConstraintConflicts(
    [...existing.map((c) => ({ id: c.id, kind: c.kind, a: c.actorAId, b: c.actorBId })), { id: NEW, kind: input.kind, a, b }],
    // Without tables yet, only contradictions (CYCLE) count: any size may still fit.
    tables._max.capacity ?? Number.MAX_SAFE_INTEGER,
  ).filter((c) => c.constraintIds.includes(NEW));
  if (conflicts.length)
    throw new SeatingConstraintConflictError(
      `This constraint contradicts the plan’s others: ${conflicts.map((c) => c.message).join(' ')}`,
      conflicts.map((c) => ({ ...c, constraintIds: c.constraintIds.filter((id) => id !== NEW) })),
    );
  const row = await tx.seatingConstraint.create({
    data: { occasionId: plan.occasionId, planId: plan.id, kind: input.kind, actorAId: a, actorBId: b, note: input.note ?? null },
  });
  await recordAudit(tx, caller, {
    action: 'seating:manage',
    occasionId: plan.occasionId,
    target: { type: 'SeatingConstraint', id: row.id },
    after: row,
  });
  return row;
}

export async function removeSeatingConstraint(tx: Tx, caller: Caller, constraintId: string, expectedRevision?: number | null) {
  const before = await tx.seatingConstraint.findUniqueOrThrow({ where: { id: constraintId } });
  const plan = await lockPlan(tx, before.planId, expectedRevision);
  await tx.seatingConstraint.delete({ where: { id: constraintId } });
  await recordAudit(tx, caller, {
    action: 'seating:manage',
    occasionId: before.occasionId,
    target: { type: 'SeatingConstraint', id: constraintId },
    before,
  });
  return plan;
}
