/**
 * Construction: best-fit decreasing bin packing of the blocks (groups.ts),
 * which respects APART and falls back gracefully.
 *
 * - A block (households joined by TOGETHER) goes whole to the table where most
 *   of its people's household mates and partners already sit (a fixed person's
 *   table), else to the tightest table it fits (best fit keeps big empty tables
 *   for the big blocks still to come), never next to an APART partner.
 * - A block that cannot sit whole (larger than any table's free seats, or
 *   holding an APART pair) is placed household by household, each at the table
 *   with most of its own, else the roomiest, so the next household of the block
 *   can still join it.
 * - A household that cannot sit whole goes person by person, the same way: it
 *   fills one table before opening the next (a household of 14 at tables of 10
 *   becomes 10 + 4, not 14 scattered singles).
 * - A person with no APART-free seat left takes any free seat (a seated guest
 *   with an unmet APART beats an unseated one; improve.ts may still fix it), and
 *   stays unseated only when every seat is taken.
 * - With fewer seats than people, households are kept whole rather than seated
 *   in part: see `deferred` below.
 */
import { UNSEATED } from './cost.js';
import { buildBlocks } from './groups.js';
import type { Model } from './model.js';
import type { Seating } from './state.js';

type Preference = 'tightest' | 'roomiest';

/** The table for `unit` by preference, or -1; `respectApart` false allows tables where an APART partner sits. */
function chooseTable(model: Model, seating: Seating, unit: readonly number[], prefer: Preference, respectApart = true): number {
  const { tableOf, free } = seating;
  const inUnit = new Set(unit);
  const affinity = new Map<number, number>();
  const forbidden = new Set<number>();
  const near = (q: number) => {
    const t = tableOf[q]!;
    if (t !== UNSEATED && !inUnit.has(q)) affinity.set(t, (affinity.get(t) ?? 0) + 1);
  };
  for (const p of unit) {
    for (const q of model.households[model.householdOf[p]!]!.members) near(q);
    for (const q of model.together[p]!) near(q);
    if (respectApart) for (const q of model.apart[p]!) if (tableOf[q] !== UNSEATED) forbidden.add(tableOf[q]!);
  }
  let best = -1;
  let bestAffinity = -1;
  for (let t = 0; t < free.length; t++) {
    if (free[t]! < unit.length || forbidden.has(t)) continue;
    const a = affinity.get(t) ?? 0;
    const better = best < 0 || a > bestAffinity || (a === bestAffinity && (prefer === 'tightest' ? free[t]! < free[best]! : free[t]! > free[best]!));
    if (better) [best, bestAffinity] = [t, a];
  }
  return best;
}

function placeAll(seating: Seating, unit: readonly number[], t: number) {
  for (const p of unit) seating.place(p, t);
}

function hasApartWithin(model: Model, unit: readonly number[]): boolean {
  const inUnit = new Set(unit);
  return unit.some((p) => model.apart[p]!.some((q) => inUnit.has(q)));
}

/** Seats each person where it fits best; returns how many found a seat. */
function placeEach(model: Model, seating: Seating, people: readonly number[]): number {
  let seated = 0;
  for (const p of people) {
    const t = chooseTable(model, seating, [p], 'roomiest');
    const anyway = t >= 0 ? t : chooseTable(model, seating, [p], 'roomiest', false);
    if (anyway >= 0) {
      seating.place(p, anyway);
      seated++;
    }
  }
  return seated;
}

export function construct(model: Model, seating: Seating): void {
  const blocks = buildBlocks(model);
  let toSeat = blocks.reduce((a, b) => a + b.people.length, 0);
  let seatsFree = seating.free.reduce((a, f) => a + f, 0);
  // With fewer seats than people, a household that no longer fits whole waits until everyone else is placed:
  // the seats go to households that fit whole, and the one left over stays whole, unseated, rather than
  // seated in part. (Free seats only shrink, so it would not fit whole later either.)
  const deferred: number[][] = [];
  const place = (unit: readonly number[], t: number) => {
    placeAll(seating, unit, t);
    toSeat -= unit.length;
    seatsFree -= unit.length;
  };
  const split = (unit: readonly number[]) => {
    seatsFree -= placeEach(model, seating, unit);
    toSeat -= unit.length;
  };
  for (const block of blocks) {
    if (!block.contradictory) {
      const t = chooseTable(model, seating, block.people, 'tightest');
      if (t >= 0) {
        place(block.people, t);
        continue;
      }
    }
    for (const atom of block.atoms) {
      const t = hasApartWithin(model, atom) ? -1 : chooseTable(model, seating, atom, 'roomiest');
      if (t >= 0) place(atom, t);
      else if (seatsFree < toSeat && atom.length <= model.maxCapacity) deferred.push(atom);
      else split(atom);
    }
  }
  for (const atom of deferred) placeEach(model, seating, atom);
}
