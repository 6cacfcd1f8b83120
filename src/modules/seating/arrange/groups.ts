/**
 * Union-find, and the blocks the construction places: the people who would
 * ideally share one table because a household or a chain of TOGETHER
 * constraints joins them (TOGETHER is transitive: A with B and B with C puts
 * all three at one table).
 */
import type { Model } from './model.js';

export class UnionFind {
  private readonly parent: Int32Array;
  private readonly size: Int32Array;

  constructor(n: number) {
    this.parent = Int32Array.from({ length: n }, (_, i) => i);
    this.size = new Int32Array(n).fill(1);
  }

  find(x: number): number {
    let root = x;
    while (this.parent[root] !== root) root = this.parent[root]!;
    // Path compression: later finds are near constant.
    while (this.parent[x] !== root) {
      const next = this.parent[x]!;
      this.parent[x] = root;
      x = next;
    }
    return root;
  }

  /** Union by size; ties keep the smaller index as the root, so the result depends only on the call order. */
  union(a: number, b: number): void {
    let ra = this.find(a);
    let rb = this.find(b);
    if (ra === rb) return;
    if (this.size[ra]! < this.size[rb]! || (this.size[ra] === this.size[rb] && rb < ra)) [ra, rb] = [rb, ra];
    this.parent[rb] = ra;
    this.size[ra]! += this.size[rb]!;
  }
}

export interface Block {
  /** The block's people still to seat (fixed people excluded), ascending. */
  people: number[];
  /** Those people by household (each ascending), largest first, then by household index. */
  atoms: number[][];
  /** Whether an APART constraint joins two of the block's people (fixed ones included): it cannot sit whole. */
  contradictory: boolean;
}

/**
 * Blocks over every person (fixed ones too: a fixed person's household and
 * partners are drawn to its table), each listing only the people still to seat.
 * Ordered for first-fit decreasing: most people to seat first, then by their
 * first person index.
 */
export function buildBlocks(model: Model): Block[] {
  const n = model.personIds.length;
  const uf = new UnionFind(n);
  for (const h of model.households) for (let i = 1; i < h.members.length; i++) uf.union(h.members[0]!, h.members[i]!);
  for (const c of model.constraints) if (c.kind === 'TOGETHER') uf.union(c.a, c.b);

  const byRoot = new Map<number, number[]>();
  for (let p = 0; p < n; p++) {
    const r = uf.find(p);
    const list = byRoot.get(r);
    if (list) list.push(p);
    else byRoot.set(r, [p]);
  }
  const contradictory = new Set<number>();
  for (const c of model.constraints) if (c.kind === 'APART' && uf.find(c.a) === uf.find(c.b)) contradictory.add(uf.find(c.a));

  const blocks: Block[] = [];
  for (const [root, members] of byRoot) {
    const people = members.filter((p) => model.fixedTable[p]! < 0);
    if (!people.length) continue;
    const byHousehold = new Map<number, number[]>();
    for (const p of people) {
      const h = model.householdOf[p]!;
      const list = byHousehold.get(h);
      if (list) list.push(p);
      else byHousehold.set(h, [p]);
    }
    const atoms = [...byHousehold.entries()].sort((a, b) => b[1].length - a[1].length || a[0] - b[0]).map(([, ps]) => ps);
    blocks.push({ people, atoms, contradictory: contradictory.has(root) });
  }
  return blocks.sort((a, b) => b.people.length - a.people.length || a.people[0]! - b.people[0]!);
}
