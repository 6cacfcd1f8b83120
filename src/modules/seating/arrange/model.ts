/**
 * The solver's view of an ArrangeInput: people, tables and households as
 * integer indices in id order, constraints as adjacency lists. Everything the
 * solver does afterwards iterates these in index order, which is what makes the
 * plan independent of the order of the input's arrays.
 *
 * Bad input is normalized here rather than refused (the caller validates what
 * a planner may save; the solver must still never crash or exceed a table):
 * - a table id given twice keeps its smallest capacity; a capacity that is not a
 *   non-negative number counts as 0 (fractions round down);
 * - a group id given twice is one group (members merged); a person listed in two
 *   groups belongs to the group with the smaller id; duplicate members count once;
 * - a fixed person not in any group is seated as a household of one; a fixed entry
 *   naming an unknown table is ignored; one person fixed twice keeps the smaller
 *   table id; more people fixed at a table than it seats: the first by id stay,
 *   the others are placed like everyone else (capacity wins over "stay put");
 * - a constraint id given twice keeps its smallest (kind, pair); a constraint
 *   naming an unknown person, or the same person twice, or an unknown kind, is ignored.
 */
import type { ArrangeConstraint, ArrangeInput } from './arrange.js';

export interface Household {
  id: string;
  /** Person indices, ascending. */
  members: number[];
  /** Made up for a fixed person without a group: never reported as split. */
  synthetic: boolean;
}

export interface Constraint {
  id: string;
  kind: 'TOGETHER' | 'APART';
  a: number;
  b: number;
}

export interface Model {
  personIds: string[];
  tableIds: string[];
  capacity: Int32Array;
  maxCapacity: number;
  households: Household[];
  /** Person → household index. */
  householdOf: Int32Array;
  /** Sorted by id. */
  constraints: Constraint[];
  /** Person → the people it has a TOGETHER (resp. APART) constraint with, once per constraint. */
  together: number[][];
  apart: number[][];
  /** Person → table index it is fixed at, or -1. */
  fixedTable: Int32Array;
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function seats(capacity: unknown): number {
  return typeof capacity === 'number' && Number.isFinite(capacity) && capacity > 0 ? Math.floor(capacity) : 0;
}

function tablesOf(input: ArrangeInput): { tableIds: string[]; capacity: Int32Array } {
  const cap = new Map<string, number>();
  for (const t of input.tables ?? []) {
    const c = seats(t.capacity);
    cap.set(t.id, Math.min(c, cap.get(t.id) ?? c));
  }
  const tableIds = [...cap.keys()].sort(byString);
  return { tableIds, capacity: Int32Array.from(tableIds, (id) => cap.get(id)!) };
}

/** Group id → members (merged, deduplicated), and each person's owning group (the smallest id listing it). */
function groupsOf(input: ArrangeInput): Map<string, Set<string>> {
  const byId = new Map<string, Set<string>>();
  for (const g of input.groups ?? []) {
    const set = byId.get(g.id) ?? new Set<string>();
    for (const m of g.members ?? []) set.add(m);
    byId.set(g.id, set);
  }
  const owner = new Map<string, string>();
  for (const id of [...byId.keys()].sort(byString)) for (const m of byId.get(id)!) if (!owner.has(m)) owner.set(m, id);
  const owned = new Map<string, Set<string>>();
  for (const [m, id] of owner) {
    const set = owned.get(id) ?? new Set<string>();
    set.add(m);
    owned.set(id, set);
  }
  return owned;
}

/** Which of two constraints given the same id wins: the smaller key; a pair is unordered, so its ends are sorted first. */
export function constraintKey(c: ArrangeConstraint) {
  const [x, y] = c.a < c.b ? [c.a, c.b] : [c.b, c.a];
  return `${c.kind}\u0000${x}\u0000${y}`;
}

export function buildModel(input: ArrangeInput): Model {
  const { tableIds, capacity } = tablesOf(input);
  const tableIndex = new Map(tableIds.map((id, i) => [id, i]));
  const groups = groupsOf(input);

  // Fixed entries: one table per person (the smaller id), known tables only.
  const fixedAt = new Map<string, string>();
  for (const f of input.fixed ?? []) {
    if (!tableIndex.has(f.tableId)) continue;
    const prev = fixedAt.get(f.personId);
    if (prev === undefined || f.tableId < prev) fixedAt.set(f.personId, f.tableId);
  }

  const people = new Set<string>(fixedAt.keys());
  for (const members of groups.values()) for (const m of members) people.add(m);
  const personIds = [...people].sort(byString);
  const personIndex = new Map(personIds.map((id, i) => [id, i]));

  // Households: real groups plus a synthetic one per fixed person without a group.
  const hh: { id: string; members: number[]; synthetic: boolean }[] = [];
  for (const [id, members] of groups) hh.push({ id, members: [...members].map((m) => personIndex.get(m)!), synthetic: false });
  const grouped = new Set<string>();
  for (const members of groups.values()) for (const m of members) grouped.add(m);
  for (const p of personIds) if (!grouped.has(p)) hh.push({ id: `\u0000person:${p}`, members: [personIndex.get(p)!], synthetic: true });
  hh.sort((a, b) => byString(a.id, b.id));
  const householdOf = new Int32Array(personIds.length);
  for (const [i, h] of hh.entries()) {
    h.members.sort((a, b) => a - b);
    for (const m of h.members) householdOf[m] = i;
  }

  // Fixed seats, capacity first: in person order, a table keeps as many as it seats.
  const fixedTable = new Int32Array(personIds.length).fill(-1);
  const fixedCount = new Int32Array(tableIds.length);
  for (const [p, id] of personIds.entries()) {
    const tableId = fixedAt.get(id);
    if (tableId === undefined) continue;
    const t = tableIndex.get(tableId)!;
    if (fixedCount[t]! < capacity[t]!) {
      fixedTable[p] = t;
      fixedCount[t]!++;
    }
  }

  // Constraints: one per id, known people only.
  const byId = new Map<string, ArrangeConstraint>();
  for (const c of input.constraints ?? []) {
    if (c.kind !== 'TOGETHER' && c.kind !== 'APART') continue;
    const prev = byId.get(c.id);
    if (!prev || constraintKey(c) < constraintKey(prev)) byId.set(c.id, c);
  }
  const constraints: Constraint[] = [];
  for (const id of [...byId.keys()].sort(byString)) {
    const c = byId.get(id)!;
    const a = personIndex.get(c.a);
    const b = personIndex.get(c.b);
    if (a === undefined || b === undefined || a === b) continue;
    constraints.push({ id, kind: c.kind, a, b });
  }
  const together: number[][] = personIds.map(() => []);
  const apart: number[][] = personIds.map(() => []);
  for (const c of constraints) {
    const adj = c.kind === 'TOGETHER' ? together : apart;
    adj[c.a]!.push(c.b);
    adj[c.b]!.push(c.a);
  }

  return {
    personIds,
    tableIds,
    capacity,
    maxCapacity: capacity.reduce((m, c) => Math.max(m, c), 0),
    households: hh,
    householdOf,
    constraints,
    together,
    apart,
    fixedTable,
  };
}
