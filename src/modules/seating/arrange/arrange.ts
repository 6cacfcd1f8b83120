/**
 * Seating auto-arrange: fills (or re-fills) a plan's tables with the attending
 * people, keeping households whole and honouring TOGETHER / APART constraints
 * as far as the seats allow (the wedding-seating problem, Bellows & Peterson).
 *
 * An exact model (ILP) does not scale to a 5,000-guest event's 300–500 tables,
 * so this is a heuristic in two steps over a normalized, index-based model:
 *
 * 1. construction (pack.ts): households joined by TOGETHER constraints form
 *    blocks (groups.ts, union-find), packed largest first, best fit, into tables
 *    with no APART partner already there; blocks that cannot sit whole are placed
 *    household by household, then person by person, next to their own;
 * 2. improvement (improve.ts): hill climbing over moves and swaps of household
 *    fragments and single people, accepting only strictly better plans
 *    (cost.ts), within an evaluation budget.
 *
 * Pure and deterministic: no clock, no randomness, every array sorted by id
 * first (model.ts), so the same input in any order gives the same plan.
 */
import { construct } from './pack.js';
import { improve } from './improve.js';
import { buildModel } from './model.js';
import { evaluate } from './score.js';
import { Seating } from './state.js';

export interface ArrangeTable {
  id: string;
  capacity: number;
}
/** A household's attending people (ids); kept at one table when it fits. */
export interface ArrangeGroup {
  id: string;
  members: string[];
}
/** Between two people (ids). */
export interface ArrangeConstraint {
  id: string;
  kind: 'TOGETHER' | 'APART';
  a: string;
  b: string;
}
export interface ArrangeInput {
  tables: ArrangeTable[];
  groups: ArrangeGroup[];
  constraints: ArrangeConstraint[];
  /** People kept where they are when re-filling (planner-placed); counted against capacity. */
  fixed?: { personId: string; tableId: string }[];
}
export interface UnmetConstraint {
  constraintId: string;
  /** SPLIT: a TOGETHER pair at different tables; SAME_TABLE: an APART pair at one table; NO_ROOM: a TOGETHER pair with someone unseated. */
  reason: 'SPLIT' | 'SAME_TABLE' | 'NO_ROOM';
}
export interface ArrangeResult {
  /** Includes the fixed ones; sorted by personId. */
  assignments: { personId: string; tableId: string }[];
  /** People who could not be placed (not enough seats); sorted. */
  unseated: string[];
  /** Households not all at one table (seated at two or more, or partly unseated); sorted. */
  splitGroups: string[];
  /** Sorted by constraintId. */
  unmet: UnmetConstraint[];
  /**
   * 0..100, higher is better; 100 = everyone seated, every household whole and every constraint met.
   * A weighted mean of three shares (see score.ts): people seated (weight 4), households whole (3),
   * constraints met (3); a share with nothing to count is left out of the mean.
   */
  score: number;
}
export interface ArrangeOptions {
  /** Budget of candidate moves the improvement step may evaluate (default 200,000; 0 = construction only; Infinity = until no move improves). */
  maxIterations?: number;
}

export const DEFAULT_MAX_ITERATIONS = 200_000;

export function arrange(input: ArrangeInput, options?: ArrangeOptions): ArrangeResult {
  const model = buildModel(input);
  const seating = new Seating(model);
  construct(model, seating);
  const max = options?.maxIterations;
  improve(model, seating, typeof max === 'number' && !Number.isNaN(max) ? Math.max(0, Math.floor(max)) : DEFAULT_MAX_ITERATIONS);
  return evaluate(model, seating.tableOf);
}
