/**
 * What the improvement step minimizes. Finer than the reported score (score.ts):
 * a household split three ways costs more than one split in two, so the search
 * is rewarded for each piece it joins back, not only for the last one.
 *
 * The order of the weights is the policy:
 * - an unseated person is the worst outcome (a guest with no chair);
 * - a planner's explicit constraint outweighs the household default, so
 *   "keep Dan apart from his brother" can split their household;
 * - every extra table a household spans costs the same.
 * Integers, so every accepted move lowers the cost by at least 1 and the
 * search cannot cycle.
 */
export const W_UNSEATED = 10;
export const W_CONSTRAINT = 3;
export const W_SPLIT = 2;

/** Location of an unseated person in Seating.tableOf. */
export const UNSEATED = -1;

/** TOGETHER is unmet when either person is unseated or they sit at different tables. */
export function togetherUnmet(ta: number, tb: number): number {
  return ta === UNSEATED || ta !== tb ? 1 : 0;
}

/** APART is unmet only when both sit at the same table (an unseated person is apart from everyone). */
export function apartUnmet(ta: number, tb: number): number {
  return ta !== UNSEATED && ta === tb ? 1 : 0;
}

/** A household at k locations (tables, and "unseated" as one more) is k - 1 splits. */
export function splits(locations: Map<number, number>): number {
  return Math.max(0, locations.size - 1);
}
