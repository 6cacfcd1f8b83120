/**
 * Improvement: deterministic hill climbing on the construction's plan.
 *
 * Each pass walks the people with a problem (unseated, household split, a
 * constraint unmet), in index order. For such a person it tries two units — the
 * part of its household at its table (moving a fragment whole keeps it whole)
 * and the person alone (needed to pull someone away from an APART partner in
 * their own household) — and, for each, these moves:
 * - relocate the unit to a table with room;
 * - swap it with a unit there (a household fragment or one person) when both
 *   sides then fit: the move that joins a household split 9 + 1 across two full
 *   tables, by trading the lone member for a single guest at the other table;
 * and, at the tables of its own circle only (they are few):
 * - evict a unit there to one of the tables with most free seats, so the unit
 *   fits (a move whose two halves are each no better, together better);
 * - swap it with two units there (3 for 2 + 1), for rooms with no seat to spare.
 * Target tables are those of the unit's household mates and TOGETHER partners;
 * for an unseated unit or one sitting with an APART partner, also a window of
 * other tables that slides along the room from one attempt to the next.
 * The best strictly improving candidate (cost.ts) is applied. Passes repeat
 * until one improves nothing or the evaluation budget is spent: every applied
 * move lowers an integer cost, so the search ends.
 *
 * Fixed people never move. The budget bounds the work, not the clock, so the
 * result does not depend on the machine.
 */
import { apartUnmet, togetherUnmet, UNSEATED } from './cost.js';
import type { Model } from './model.js';
import type { Change, Seating } from './state.js';

/** Tables outside the unit's own circle tried per attempt: enough to find a free seat or a swap partner, small enough to keep an attempt cheap. */
const WINDOW = 48;
/** Units of a table (fragments, then people) tried in pairs: a table of 12 has at most ~24. */
const PAIR_UNITS = 24;
/** Tables with the most free seats an evicted unit may go to. */
const SPARE_TABLES = 4;

export function improve(model: Model, seating: Seating, budget: number): number {
  const tables = model.tableIds.length;
  if (!tables || budget <= 0) return 0;
  const { tableOf, free, occupants, locations } = seating;
  const { householdOf, households, together, apart, fixedTable } = model;
  const movable = (p: number) => fixedTable[p]! < 0;
  let evaluated = 0;
  let cursor = 0;

  const apartViolated = (p: number) => apart[p]!.some((q) => apartUnmet(tableOf[p]!, tableOf[q]!) === 1);
  const hasProblem = (p: number) =>
    tableOf[p] === UNSEATED ||
    locations[householdOf[p]!]!.size > 1 ||
    together[p]!.some((q) => togetherUnmet(tableOf[p]!, tableOf[q]!) === 1) ||
    apartViolated(p);

  const seatsFree = () => free.reduce((a, f) => a + f, 0);

  /** The movable members of p's household at p's location. */
  const fragmentOf = (p: number) => households[householdOf[p]!]!.members.filter((q) => movable(q) && tableOf[q] === tableOf[p]);

  /** Units sitting at table t that a swap may move: each household's movable fragment there, and each of those people alone. */
  const unitsAt = (t: number): number[][] => {
    const byHousehold = new Map<number, number[]>();
    for (const q of occupants[t]!) {
      if (!movable(q)) continue;
      const h = householdOf[q]!;
      const list = byHousehold.get(h);
      if (list) list.push(q);
      else byHousehold.set(h, [q]);
    }
    const units: number[][] = [];
    for (const h of [...byHousehold.keys()].sort((a, b) => a - b)) {
      const fragment = byHousehold.get(h)!.sort((a, b) => a - b);
      units.push(fragment);
      if (fragment.length > 1) for (const q of fragment) units.push([q]);
    }
    return units;
  };

  /** The unit's own circle first: the tables of its household mates and TOGETHER partners (`related` of them), then a window for the unseated or misplaced. */
  const targetsOf = (unit: number[], from: number): { targets: number[]; related: number } => {
    const seen = new Set<number>([from]);
    const targets: number[] = [];
    const add = (t: number) => {
      if (t !== UNSEATED && !seen.has(t)) {
        seen.add(t);
        targets.push(t);
      }
    };
    for (const p of unit) {
      for (const q of households[householdOf[p]!]!.members) add(tableOf[q]!);
      for (const q of together[p]!) add(tableOf[q]!);
    }
    const related = targets.length;
    // An unseated unit looks further only if a seat is free somewhere: when none is, trading places with
    // strangers cannot seat more people, and with many unseated the window would spend the budget on nothing.
    if ((from === UNSEATED && seatsFree() >= unit.length) || (from !== UNSEATED && unit.some(apartViolated))) {
      for (let k = 0; k < Math.min(WINDOW, tables); k++) add((cursor + k) % tables);
      cursor = (cursor + WINDOW) % tables;
    }
    return { targets, related };
  };

  /** The few tables with the most free seats (ties: lower index): where an evicted unit can go. */
  const roomiest = (): number[] => {
    const best: number[] = [];
    for (let t = 0; t < tables; t++) {
      if (free[t]! <= 0) continue;
      let i = best.length;
      while (i > 0 && free[best[i - 1]!]! < free[t]!) i--;
      if (i < SPARE_TABLES) best.splice(i, 0, t);
      if (best.length > SPARE_TABLES) best.pop();
    }
    return best;
  };

  const disjoint = (a: number[], b: number[]) => !a.some((p) => b.includes(p));
  const to = (unit: number[], t: number): Change[] => unit.map((p) => [p, t] as const);

  /** Applies the best strictly improving move of `unit`; whether there was one. */
  const tryUnit = (unit: number[]): boolean => {
    const from = tableOf[unit[0]!]!;
    let best: Change[] | undefined;
    let bestDelta = 0;
    const consider = (changes: Change[]) => {
      evaluated++;
      const d = seating.delta(changes);
      if (d < bestDelta) [best, bestDelta] = [changes, d];
    };
    // Seats at `from` once the unit has left it.
    const roomAtFrom = from === UNSEATED ? Infinity : free[from]! + unit.length;
    const { targets, related } = targetsOf(unit, from);
    const spare = related ? roomiest() : [];
    for (const [i, t] of targets.entries()) {
      if (evaluated >= budget) break;
      const there = to(unit, t);
      if (free[t]! >= unit.length) consider(there);
      const units = unitsAt(t);
      for (const [j, v] of units.entries()) {
        if (evaluated >= budget) break;
        if (free[t]! + v.length >= unit.length) {
          // Swap: v takes the unit's place.
          if (roomAtFrom >= v.length) consider([...there, ...to(v, from)]);
          // Eviction: v makes room by going to a table with spare seats.
          if (i < related) for (const c of spare) if (c !== t && c !== from && free[c]! >= v.length) consider([...there, ...to(v, c)]);
        }
        // Two units make room together (3 for 2 + 1), both taking the unit's place; only where the unit does not fit
        // as it is, and among the first units of a table (quadratic: a banquet table of hundreds would cost too much).
        if (i >= related || free[t]! >= unit.length || j >= PAIR_UNITS) continue;
        for (const w of units.slice(j + 1, PAIR_UNITS)) {
          if (evaluated >= budget) break;
          const size = v.length + w.length;
          if (free[t]! + size >= unit.length && roomAtFrom >= size && disjoint(v, w)) consider([...there, ...to(v, from), ...to(w, from)]);
        }
      }
    }
    if (!best) return false;
    seating.apply(best);
    return true;
  };

  for (;;) {
    let improved = false;
    for (let p = 0; p < tableOf.length && evaluated < budget; p++) {
      if (!movable(p) || !hasProblem(p)) continue;
      const fragment = fragmentOf(p);
      if (tryUnit(fragment)) improved = true;
      else if (fragment.length > 1 && tryUnit([p])) improved = true;
    }
    if (!improved || evaluated >= budget) return evaluated;
  }
}
