/**
 * The plan being built: who sits where, free seats per table, who sits at each
 * table, and where each household's members are. Kept incrementally so a
 * candidate move is priced in time proportional to the people it moves and
 * their constraints, not to the plan's size.
 */
import { apartUnmet, splits, togetherUnmet, UNSEATED, W_CONSTRAINT, W_SPLIT, W_UNSEATED } from './cost.js';
import type { Model } from './model.js';

/** A person and the location (table index, or UNSEATED) a candidate move gives it. */
export type Change = readonly [person: number, table: number];

const NONE = -2;

export class Seating {
  /** Person → table index, or UNSEATED. */
  readonly tableOf: Int32Array;
  readonly free: Int32Array;
  /** Table → people there (unordered). */
  readonly occupants: number[][];
  /** Household → location → how many of its members are there. */
  readonly locations: Map<number, number>[];
  /** Person → its location under the move being priced, or NONE. */
  private readonly pending: Int32Array;

  constructor(private readonly model: Model) {
    const n = model.personIds.length;
    this.tableOf = new Int32Array(n).fill(UNSEATED);
    this.free = Int32Array.from(model.capacity);
    this.occupants = model.tableIds.map(() => []);
    this.locations = model.households.map((h) => new Map([[UNSEATED, h.members.length]]));
    this.pending = new Int32Array(n).fill(NONE);
    for (let p = 0; p < n; p++) if (model.fixedTable[p]! >= 0) this.place(p, model.fixedTable[p]!);
  }

  place(p: number, t: number): void {
    const from = this.tableOf[p]!;
    if (from === t) return;
    if (from !== UNSEATED) {
      const list = this.occupants[from]!;
      const i = list.indexOf(p);
      list[i] = list[list.length - 1]!;
      list.pop();
      this.free[from]!++;
    }
    if (t !== UNSEATED) {
      this.occupants[t]!.push(p);
      this.free[t]!--;
    }
    this.tableOf[p] = t;
    const loc = this.locations[this.model.householdOf[p]!]!;
    const left = loc.get(from)! - 1;
    if (left === 0) loc.delete(from);
    else loc.set(from, left);
    loc.set(t, (loc.get(t) ?? 0) + 1);
  }

  apply(changes: readonly Change[]): void {
    for (const [p, t] of changes) this.place(p, t);
  }

  /** Cost change (cost.ts) if `changes` were applied; capacity is the caller's to check. */
  delta(changes: readonly Change[]): number {
    const { together, apart, householdOf } = this.model;
    const at = (q: number) => (this.pending[q] !== NONE ? this.pending[q]! : this.tableOf[q]!);
    for (const [p, t] of changes) this.pending[p] = t;
    let d = 0;
    const households: number[] = [];
    for (const [p, t] of changes) {
      const was = this.tableOf[p]!;
      d += W_UNSEATED * ((t === UNSEATED ? 1 : 0) - (was === UNSEATED ? 1 : 0));
      // An edge between two moved people is priced once, from its smaller end.
      for (const q of together[p]!) {
        if (this.pending[q] !== NONE && q < p) continue;
        d += W_CONSTRAINT * (togetherUnmet(t, at(q)) - togetherUnmet(was, this.tableOf[q]!));
      }
      for (const q of apart[p]!) {
        if (this.pending[q] !== NONE && q < p) continue;
        d += W_CONSTRAINT * (apartUnmet(t, at(q)) - apartUnmet(was, this.tableOf[q]!));
      }
      const h = householdOf[p]!;
      if (!households.includes(h)) households.push(h);
    }
    for (const h of households) {
      const before = this.locations[h]!;
      const after = new Map(before);
      for (const [p, t] of changes) {
        if (householdOf[p] !== h) continue;
        const was = this.tableOf[p]!;
        const left = after.get(was)! - 1;
        if (left === 0) after.delete(was);
        else after.set(was, left);
        after.set(t, (after.get(t) ?? 0) + 1);
      }
      d += W_SPLIT * (splits(after) - splits(before));
    }
    for (const [p] of changes) this.pending[p] = NONE;
    return d;
  }
}
