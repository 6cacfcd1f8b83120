/**
 * Seeded inputs for the solver's property tests, and a checker that recomputes
 * a result's claims from the input without the solver's code.
 */
import type { ArrangeConstraint, ArrangeInput, ArrangeResult } from '../../../../src/modules/seating/arrange/arrange.js';

/** mulberry32: small, fast, deterministic. */
export function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Rng = () => number;
export const int = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));

export function shuffle<T>(rng: Rng, xs: readonly T[]): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Any input: tables of 0–10 seats, households of 1–5, random constraints (unknown people among them) and fixed seats within capacity. */
export function randomInput(rng: Rng): ArrangeInput {
  const tables = Array.from({ length: int(rng, 0, 12) }, (_, i) => ({ id: `t${i}`, capacity: int(rng, 0, 10) }));
  let next = 0;
  const groups = Array.from({ length: int(rng, 0, 30) }, (_, i) => ({
    id: `g${i}`,
    members: Array.from({ length: int(rng, 1, 5) }, () => `p${next++}`),
  }));
  const pick = () => `p${int(rng, 0, next + 2)}`; // now and then someone unknown
  const constraints: ArrangeConstraint[] = Array.from({ length: next ? int(rng, 0, 15) : 0 }, (_, i) => ({
    id: `c${i}`,
    kind: rng() < 0.5 ? 'TOGETHER' : 'APART',
    a: pick(),
    b: pick(),
  }));
  const room = tables.map((t) => t.capacity);
  const fixed: { personId: string; tableId: string }[] = [];
  for (let p = 0; p < next; p++) {
    if (!tables.length || rng() > 0.1) continue;
    const t = int(rng, 0, tables.length - 1);
    if (room[t]! > 0) {
      room[t]!--;
      fixed.push({ personId: `p${p}`, tableId: tables[t]!.id });
    }
  }
  return { tables, groups, constraints, fixed };
}

/**
 * A plan known to meet everything: households dealt to tables up to `fill` of their seats; TOGETHER
 * constraints only between people the plan seats together, APART only between people it seats apart.
 */
export function plantedInput(rng: Rng, opts: { tables: number; capacity: number; fill: number; constraints: number }): ArrangeInput {
  const tables = Array.from({ length: opts.tables }, (_, i) => ({ id: `t${i}`, capacity: opts.capacity }));
  const groups: { id: string; members: string[] }[] = [];
  const seatedAt: string[][] = tables.map(() => []);
  let next = 0;
  for (const [t, table] of tables.entries()) {
    const target = Math.floor(table.capacity * opts.fill);
    while (seatedAt[t]!.length < target) {
      const size = Math.min(int(rng, 1, 4), target - seatedAt[t]!.length);
      const members = Array.from({ length: size }, () => `p${next++}`);
      groups.push({ id: `g${groups.length}`, members });
      seatedAt[t]!.push(...members);
    }
  }
  const constraints: ArrangeConstraint[] = [];
  const nonEmpty = seatedAt.filter((xs) => xs.length);
  for (let i = 0; i < opts.constraints && nonEmpty.length > 1; i++) {
    const x = nonEmpty[int(rng, 0, nonEmpty.length - 1)]!;
    if (rng() < 0.5) {
      constraints.push({ id: `c${i}`, kind: 'TOGETHER', a: x[int(rng, 0, x.length - 1)]!, b: x[int(rng, 0, x.length - 1)]! });
    } else {
      let y = x;
      while (y === x) y = nonEmpty[int(rng, 0, nonEmpty.length - 1)]!;
      constraints.push({ id: `c${i}`, kind: 'APART', a: x[int(rng, 0, x.length - 1)]!, b: y[int(rng, 0, y.length - 1)]! });
    }
  }
  return { tables: shuffle(rng, tables), groups: shuffle(rng, groups), constraints: shuffle(rng, constraints) };
}

/** The input with ids given twice with other contents: tables, groups (and people in two groups), constraints, fixed people. */
export function withDuplicates(rng: Rng, input: ArrangeInput): ArrangeInput {
  const people = input.groups.flatMap((g) => g.members);
  const anyone = () => people[int(rng, 0, people.length - 1)]!;
  const some = <T>(xs: readonly T[]) => xs.filter(() => rng() < 0.3);
  return {
    tables: [...input.tables, ...some(input.tables).map((t) => ({ ...t, capacity: int(rng, 0, 10) }))],
    groups: people.length
      ? [...input.groups, ...some(input.groups).map((g) => ({ id: rng() < 0.5 ? g.id : `${g.id}-again`, members: [anyone(), anyone()] }))]
      : input.groups,
    constraints: people.length
      ? [
          ...input.constraints,
          ...some(input.constraints).map((c) => ({ ...c, kind: rng() < 0.5 ? c.kind : ('APART' as const), a: anyone(), b: anyone() })),
        ]
      : input.constraints,
    fixed: input.tables.length
      ? [...(input.fixed ?? []), ...some(input.fixed ?? []).map((f) => ({ ...f, tableId: input.tables[int(rng, 0, input.tables.length - 1)]!.id }))]
      : input.fixed,
  };
}

/** The same input with every array (and every household's members) in another order. */
export function shuffled(rng: Rng, input: ArrangeInput): ArrangeInput {
  return {
    tables: shuffle(rng, input.tables),
    groups: shuffle(
      rng,
      input.groups.map((g) => ({ ...g, members: shuffle(rng, g.members) })),
    ),
    constraints: shuffle(
      rng,
      input.constraints.map((c) => (rng() < 0.5 ? { ...c, a: c.b, b: c.a } : c)),
    ),
    fixed: input.fixed && shuffle(rng, input.fixed),
  };
}

/**
 * Recomputes what a result claims for an input without duplicate ids, and returns the problems found:
 * every person exactly once (seated or unseated), no table over capacity, fixed people where fixed,
 * nobody unseated while a seat is free, and splitGroups / unmet exactly as the plan makes them.
 */
export function problemsOf(input: ArrangeInput, r: ArrangeResult): string[] {
  const problems: string[] = [];
  const people = new Set([...input.groups.flatMap((g) => g.members), ...(input.fixed ?? []).map((f) => f.personId)]);
  const capacity = new Map(input.tables.map((t) => [t.id, Math.max(0, Math.floor(t.capacity))]));
  const at = new Map<string, string>();
  for (const a of r.assignments) {
    if (at.has(a.personId)) problems.push(`${a.personId} assigned twice`);
    if (!capacity.has(a.tableId)) problems.push(`${a.personId} at unknown table ${a.tableId}`);
    at.set(a.personId, a.tableId);
  }
  for (const u of r.unseated) if (at.has(u)) problems.push(`${u} both seated and unseated`);
  const listed = new Set([...at.keys(), ...r.unseated]);
  for (const p of people) if (!listed.has(p)) problems.push(`${p} missing`);
  for (const p of listed) if (!people.has(p)) problems.push(`${p} is nobody`);
  const used = new Map<string, number>();
  for (const t of at.values()) used.set(t, (used.get(t) ?? 0) + 1);
  for (const [t, n] of used) if (n > capacity.get(t)!) problems.push(`table ${t}: ${n} people, ${capacity.get(t)} seats`);
  for (const f of input.fixed ?? []) if (at.get(f.personId) !== f.tableId) problems.push(`fixed ${f.personId} moved to ${at.get(f.personId)}`);
  const seats = [...capacity.values()].reduce((a, b) => a + b, 0);
  if (r.unseated.length && at.size < seats) problems.push(`${r.unseated.length} unseated with ${seats - at.size} seats free`);

  const split = input.groups.filter((g) => g.members.length > 1 && new Set(g.members.map((m) => at.get(m) ?? '-')).size > 1).map((g) => g.id);
  if (JSON.stringify(split.sort()) !== JSON.stringify(r.splitGroups))
    problems.push(`splitGroups ${r.splitGroups.join(',')} but plan splits ${split.join(',')}`);
  const unmet = input.constraints
    .filter((c) => people.has(c.a) && people.has(c.b) && c.a !== c.b)
    .flatMap((c) => {
      const [ta, tb] = [at.get(c.a), at.get(c.b)];
      if (c.kind === 'TOGETHER' && (!ta || !tb)) return [{ constraintId: c.id, reason: 'NO_ROOM' }];
      if (c.kind === 'TOGETHER' && ta !== tb) return [{ constraintId: c.id, reason: 'SPLIT' }];
      if (c.kind === 'APART' && ta && ta === tb) return [{ constraintId: c.id, reason: 'SAME_TABLE' }];
      return [];
    })
    .sort((x, y) => (x.constraintId < y.constraintId ? -1 : 1));
  if (JSON.stringify(unmet) !== JSON.stringify(r.unmet)) problems.push(`unmet ${JSON.stringify(r.unmet)} but plan leaves ${JSON.stringify(unmet)}`);
  return problems;
}
