/**
 * Contradictions among seating constraints, found before they are saved, so a
 * planner is told "A with B, B with C, but A apart from C" when adding the
 * third rule instead of getting an arrangement that cannot meet it.
 *
 * TOGETHER is transitive: the people joined by a chain of TOGETHER constraints
 * (a component, found by union-find) must share one table. So:
 * - CYCLE: an APART constraint between two people of one component (or a
 *   person apart from themself). Reported once per such APART constraint, with
 *   the shortest TOGETHER chain between its two people (fewest constraints,
 *   ties by id), so the message names the rules to change;
 * - TOO_LARGE: a component with more people than the largest table seats;
 *   every TOGETHER constraint of the component is listed.
 * Households are not constraints here: the caller adds them as TOGETHER pairs
 * if they should count. Constraint ids given twice count once; the output is
 * sorted (kind, then first constraint id), the same for any input order.
 */
import type { ArrangeConstraint } from './arrange.js';
import { UnionFind } from './groups.js';
import { constraintKey } from './model.js';

export interface ConstraintConflict {
  kind: 'CYCLE' | 'TOO_LARGE';
  constraintIds: string[];
  people: string[];
  message: string;
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Breadth-first search over TOGETHER edges (sorted, so ties go to the smaller constraint id): the chain from `from` to `to`. */
function chain(edges: Map<string, { to: string; id: string }[]>, from: string, to: string): { people: string[]; ids: string[] } {
  const via = new Map<string, { prev: string; id: string } | null>([[from, null]]);
  const queue = [from];
  for (let i = 0; i < queue.length && !via.has(to); i++) {
    const at = queue[i]!;
    for (const e of edges.get(at) ?? []) {
      if (via.has(e.to)) continue;
      via.set(e.to, { prev: at, id: e.id });
      queue.push(e.to);
    }
  }
  const people = [to];
  const ids: string[] = [];
  for (let step = via.get(to); step; step = via.get(step.prev)) {
    ids.push(step.id);
    people.push(step.prev);
  }
  return { people: people.reverse(), ids: ids.reverse() };
}

export function findConstraintConflicts(constraints: ArrangeConstraint[], maxTableCapacity: number): ConstraintConflict[] {
  const byId = new Map<string, ArrangeConstraint>();
  for (const c of constraints) {
    const prev = byId.get(c.id);
    if (!prev || constraintKey(c) < constraintKey(prev)) byId.set(c.id, c);
  }
  const sorted = [...byId.values()].sort((x, y) => byString(x.id, y.id));
  const people = [...new Set(sorted.flatMap((c) => [c.a, c.b]))].sort(byString);
  const index = new Map(people.map((p, i) => [p, i]));
  const uf = new UnionFind(people.length);
  const edges = new Map<string, { to: string; id: string }[]>();
  const link = (from: string, to: string, id: string) => {
    const list = edges.get(from);
    if (list) list.push({ to, id });
    else edges.set(from, [{ to, id }]);
  };
  for (const c of sorted) {
    if (c.kind !== 'TOGETHER') continue;
    uf.union(index.get(c.a)!, index.get(c.b)!);
    link(c.a, c.b, c.id);
    link(c.b, c.a, c.id);
  }

  const conflicts: ConstraintConflict[] = [];
  for (const c of sorted) {
    if (c.kind !== 'APART' || uf.find(index.get(c.a)!) !== uf.find(index.get(c.b)!)) continue;
    // From the smaller id, so the answer does not depend on which end the planner named first.
    const [from, to] = c.a < c.b ? [c.a, c.b] : [c.b, c.a];
    const path = from === to ? { people: [from], ids: [] } : chain(edges, from, to);
    conflicts.push({
      kind: 'CYCLE',
      constraintIds: [c.id, ...path.ids],
      people: path.people,
      message:
        from === to
          ? `${from} cannot be kept apart from themself (constraint ${c.id}).`
          : `${from} and ${to} must sit apart (constraint ${c.id}), but TOGETHER constraints ${path.ids.join(', ')} put them at one table (${path.people.join(' → ')}).`,
    });
  }

  const components = new Map<number, string[]>();
  for (const p of people) {
    const r = uf.find(index.get(p)!);
    const list = components.get(r);
    if (list) list.push(p);
    else components.set(r, [p]);
  }
  for (const [root, members] of components) {
    if (members.length <= Math.max(0, maxTableCapacity)) continue;
    const ids = sorted.filter((c) => c.kind === 'TOGETHER' && uf.find(index.get(c.a)!) === root).map((c) => c.id);
    if (!ids.length) continue; // a lone person is not a TOGETHER component (only possible with no seats at all)
    conflicts.push({
      kind: 'TOO_LARGE',
      constraintIds: ids,
      people: members,
      message: `TOGETHER constraints ${ids.join(', ')} put ${members.length} people at one table, but the largest table seats ${Math.max(0, maxTableCapacity)}.`,
    });
  }
  return conflicts.sort((x, y) => byString(x.kind, y.kind) || byString(x.constraintIds[0]!, y.constraintIds[0]!));
}
