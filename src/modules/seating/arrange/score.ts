/**
 * The result a planner sees: who sits where, who could not be seated, which
 * households were split, which constraints are unmet and why, and one score.
 *
 * score = 100 × the weighted mean of three shares, higher is better:
 *   people seated (weight 4), households of two or more whole (3), constraints met (3).
 * A share with nothing to count (no households of two, no constraints) is left
 * out of the mean, so 100 means exactly: everyone seated, every household at
 * one table, every constraint met — and an empty plan scores 100. Each failure
 * lowers it; rounded to two decimals. The improvement step minimizes a finer
 * cost (cost.ts) with the same priorities.
 */
import type { ArrangeInput, ArrangeResult, UnmetConstraint } from './arrange.js';
import { apartUnmet, togetherUnmet, UNSEATED } from './cost.js';
import { buildModel, type Model } from './model.js';

const SHARE_WEIGHTS = { seated: 4, whole: 3, met: 3 };

export function evaluate(model: Model, tableOf: Int32Array): ArrangeResult {
  const { personIds, tableIds } = model;
  const assignments: ArrangeResult['assignments'] = [];
  const unseated: string[] = [];
  for (let p = 0; p < personIds.length; p++) {
    if (tableOf[p] === UNSEATED) unseated.push(personIds[p]!);
    else assignments.push({ personId: personIds[p]!, tableId: tableIds[tableOf[p]!]! });
  }

  const splitGroups: string[] = [];
  let multi = 0;
  for (const h of model.households) {
    if (h.synthetic || h.members.length < 2) continue;
    multi++;
    const at = tableOf[h.members[0]!];
    if (h.members.some((m) => tableOf[m] !== at)) splitGroups.push(h.id);
  }

  const unmet: UnmetConstraint[] = [];
  for (const c of model.constraints) {
    const [ta, tb] = [tableOf[c.a]!, tableOf[c.b]!];
    if (c.kind === 'TOGETHER' && togetherUnmet(ta, tb))
      unmet.push({ constraintId: c.id, reason: ta === UNSEATED || tb === UNSEATED ? 'NO_ROOM' : 'SPLIT' });
    if (c.kind === 'APART' && apartUnmet(ta, tb)) unmet.push({ constraintId: c.id, reason: 'SAME_TABLE' });
  }

  const shares: [weight: number, share: number][] = [];
  if (personIds.length) shares.push([SHARE_WEIGHTS.seated, 1 - unseated.length / personIds.length]);
  if (multi) shares.push([SHARE_WEIGHTS.whole, 1 - splitGroups.length / multi]);
  if (model.constraints.length) shares.push([SHARE_WEIGHTS.met, 1 - unmet.length / model.constraints.length]);
  const weight = shares.reduce((a, [w]) => a + w, 0);
  const score = weight ? Math.round((10_000 * shares.reduce((a, [w, s]) => a + w * s, 0)) / weight) / 100 : 100;

  return { assignments, unseated, splitGroups, unmet, score };
}

/**
 * The same report for any plan of the same input (e.g. a planner's own, or a
 * baseline to compare with): assignments to unknown people or tables are
 * ignored, a person assigned twice keeps the first. Capacity is not checked.
 */
export function evaluatePlan(input: ArrangeInput, assignments: readonly { personId: string; tableId: string }[]): ArrangeResult {
  const model = buildModel(input);
  const person = new Map(model.personIds.map((id, i) => [id, i]));
  const table = new Map(model.tableIds.map((id, i) => [id, i]));
  const tableOf = new Int32Array(model.personIds.length).fill(UNSEATED);
  for (const a of assignments) {
    const p = person.get(a.personId);
    const t = table.get(a.tableId);
    if (p !== undefined && t !== undefined && tableOf[p] === UNSEATED) tableOf[p] = t;
  }
  return evaluate(model, tableOf);
}
