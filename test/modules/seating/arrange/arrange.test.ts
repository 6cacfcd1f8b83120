import { describe, expect, it } from 'vitest';
import { arrange, type ArrangeInput, type ArrangeResult } from '../../../../src/modules/seating/arrange/arrange.js';
import { evaluatePlan } from '../../../../src/modules/seating/arrange/score.js';
import { plantedInput, problemsOf, prng } from './generate.js';

const tables = (...caps: number[]) => caps.map((capacity, i) => ({ id: `t${i + 1}`, capacity }));
const tableOf = (r: ArrangeResult, personId: string) => r.assignments.find((a) => a.personId === personId)?.tableId;
const together = (id: string, a: string, b: string) => ({ id, kind: 'TOGETHER' as const, a, b });
const apart = (id: string, a: string, b: string) => ({ id, kind: 'APART' as const, a, b });

describe('arrange', () => {
  it('keeps households whole when the seats allow it, packing the largest first', () => {
    const input: ArrangeInput = {
      tables: tables(6, 4),
      groups: [
        { id: 'cohen', members: ['c1', 'c2', 'c3', 'c4'] },
        { id: 'levi', members: ['l1', 'l2', 'l3'] },
        { id: 'mizrahi', members: ['m1', 'm2', 'm3'] },
      ],
      constraints: [],
    };
    const r = arrange(input);
    expect(r).toMatchObject({ unseated: [], splitGroups: [], unmet: [], score: 100 });
    expect(['c1', 'c2', 'c3', 'c4'].map((p) => tableOf(r, p))).toEqual(['t2', 't2', 't2', 't2']);
    expect(tableOf(r, 'l1')).toBe('t1');
    expect(tableOf(r, 'm1')).toBe('t1');
  });

  it('splits a household larger than any table (10 + 4, not scattered) instead of leaving it unseated', () => {
    const members = Array.from({ length: 14 }, (_, i) => `p${String(i).padStart(2, '0')}`);
    const r = arrange({ tables: tables(10, 10), groups: [{ id: 'big', members }], constraints: [] });
    expect(r.unseated).toEqual([]);
    expect(r.splitGroups).toEqual(['big']);
    const perTable = new Map<string, number>();
    for (const a of r.assignments) perTable.set(a.tableId, (perTable.get(a.tableId) ?? 0) + 1);
    expect([...perTable.values()].sort((a, b) => a - b)).toEqual([4, 10]);
  });

  it('with fewer seats than people, fills every seat with whole households and leaves a whole household out', () => {
    const sizes = [4, 4, 4, 4, 4, 2, 2];
    const groups = sizes.map((n, i) => ({ id: `g${i}`, members: Array.from({ length: n }, (_, k) => `g${i}-${k}`) }));
    const r = arrange({ tables: tables(10, 10), groups, constraints: [] });
    expect(r.assignments).toHaveLength(20);
    expect(r.unseated).toHaveLength(4);
    expect(r.splitGroups).toEqual([]);
    // Construction alone already does: a household that no longer fits waits instead of taking the last seats in part.
    expect(arrange({ tables: tables(10, 10), groups, constraints: [] }, { maxIterations: 0 }).splitGroups).toEqual([]);
  });

  it('seats TOGETHER pairs from different households at one table, with both households', () => {
    const r = arrange({
      tables: tables(4, 4),
      groups: [
        { id: 'g1', members: ['a', 'a2'] },
        { id: 'g2', members: ['b', 'b2'] },
        { id: 'g3', members: ['c', 'c2', 'c3'] },
      ],
      constraints: [together('k1', 'a', 'b')],
    });
    expect(r).toMatchObject({ unseated: [], splitGroups: [], unmet: [], score: 100 });
    expect(tableOf(r, 'a')).toBe(tableOf(r, 'b'));
    expect(tableOf(r, 'a2')).toBe(tableOf(r, 'b2'));
  });

  it('meets a TOGETHER chain longer than a table by moving one person away from their household (constraints outrank households)', () => {
    const input: ArrangeInput = {
      tables: tables(4, 4, 4),
      groups: [
        { id: 'g1', members: ['a', 'a2'] },
        { id: 'g2', members: ['b'] },
        { id: 'g3', members: ['c', 'c2', 'c3'] },
        { id: 'g4', members: ['d', 'd2', 'd3'] },
      ],
      // a – b – c: 6 people with their households, more than a table.
      constraints: [together('k1', 'a', 'b'), together('k2', 'b', 'c')],
    };
    const r = arrange(input);
    expect(problemsOf(input, r)).toEqual([]);
    expect(r.unseated).toEqual([]);
    expect(r.unmet).toEqual([]);
    expect(r.splitGroups).toHaveLength(1);
    expect(new Set(['a', 'b', 'c'].map((p) => tableOf(r, p))).size).toBe(1);
    // With households weighed above constraints the other way round, the construction's plan (one SPLIT) would stand.
    expect(arrange(input, { maxIterations: 0 }).unmet).toEqual([{ constraintId: 'k2', reason: 'SPLIT' }]);
  });

  it('keeps APART pairs at different tables, even inside one household (the planner outranks the default)', () => {
    const r = arrange({
      tables: tables(4, 4),
      groups: [
        { id: 'g1', members: ['dan', 'eli', 'ruth'] },
        { id: 'g2', members: ['x', 'y'] },
      ],
      constraints: [apart('k1', 'dan', 'eli'), apart('k2', 'x', 'ruth')],
    });
    expect(r.unmet).toEqual([]);
    expect(r.splitGroups).toEqual(['g1']);
    expect(tableOf(r, 'dan')).not.toBe(tableOf(r, 'eli'));
    expect(tableOf(r, 'x')).not.toBe(tableOf(r, 'ruth'));
    expect(r.score).toBeLessThan(100);
  });

  it('reports the one constraint of a contradiction it cannot meet (A with B, B with C, A apart from C)', () => {
    const input: ArrangeInput = {
      tables: tables(4, 4),
      groups: [
        { id: 'ga', members: ['A'] },
        { id: 'gb', members: ['B'] },
        { id: 'gc', members: ['C'] },
      ],
      constraints: [together('k1', 'A', 'B'), together('k2', 'B', 'C'), apart('k3', 'A', 'C')],
    };
    const r = arrange(input);
    expect(r.unseated).toEqual([]);
    expect(r.unmet).toHaveLength(1);
    expect(problemsOf(input, r)).toEqual([]);
  });

  it('reports NO_ROOM for a TOGETHER pair with someone left unseated, and seats no one twice', () => {
    const r = arrange({
      tables: tables(1),
      groups: [
        { id: 'g1', members: ['a'] },
        { id: 'g2', members: ['b'] },
      ],
      constraints: [together('k1', 'a', 'b')],
    });
    expect(r.assignments).toHaveLength(1);
    expect(r.unseated).toHaveLength(1);
    expect(r.unmet).toEqual([{ constraintId: 'k1', reason: 'NO_ROOM' }]);
  });

  it('keeps fixed people where they are and brings their household to them', () => {
    const r = arrange({
      tables: tables(10, 4),
      groups: [
        { id: 'g1', members: ['a', 'b', 'c'] },
        { id: 'g2', members: ['d'] },
      ],
      constraints: [],
      fixed: [{ personId: 'a', tableId: 't2' }],
    });
    expect(tableOf(r, 'a')).toBe('t2');
    expect(tableOf(r, 'b')).toBe('t2');
    expect(tableOf(r, 'c')).toBe('t2');
    expect(r.splitGroups).toEqual([]);
  });

  it('seats a fixed person without a group; ignores a fixed entry for an unknown table; a table overfilled by fixed entries keeps the first by id', () => {
    const r = arrange({
      tables: tables(2, 5),
      groups: [{ id: 'g1', members: ['a', 'b', 'c', 'd'] }],
      constraints: [],
      fixed: [
        { personId: 'solo', tableId: 't1' },
        { personId: 'a', tableId: 't1' },
        { personId: 'b', tableId: 't1' },
        { personId: 'c', tableId: 'nowhere' },
      ],
    });
    expect(r.unseated).toEqual([]);
    // t1 seats 2 of the 3 fixed there: a and b, first by id; solo is placed like anyone else.
    expect(tableOf(r, 'a')).toBe('t1');
    expect(tableOf(r, 'b')).toBe('t1');
    expect(tableOf(r, 'solo')).toBe('t2');
    expect(tableOf(r, 'c')).toBe('t2');
    expect(r.assignments.filter((x) => x.tableId === 't1')).toHaveLength(2);
  });

  it('ignores constraints naming unknown people or one person twice', () => {
    const r = arrange({
      tables: tables(2, 2),
      groups: [
        { id: 'g1', members: ['a'] },
        { id: 'g2', members: ['b'] },
      ],
      constraints: [together('k1', 'a', 'ghost'), apart('k2', 'ghost', 'b'), apart('k3', 'a', 'a'), together('k4', 'a', 'b')],
    });
    expect(r.unmet).toEqual([]);
    expect(tableOf(r, 'a')).toBe(tableOf(r, 'b'));
    expect(r.score).toBe(100);
  });

  describe('edge cases', () => {
    it('empty input: an empty plan scoring 100', () => {
      expect(arrange({ tables: [], groups: [], constraints: [] })).toEqual({ assignments: [], unseated: [], splitGroups: [], unmet: [], score: 100 });
    });

    it('no tables, or only tables of zero (or nonsense) capacity: everyone unseated, no household counted as split', () => {
      const groups = [{ id: 'g1', members: ['a', 'b'] }];
      for (const ts of [
        [],
        [{ id: 't', capacity: 0 }],
        [
          { id: 't', capacity: -3 },
          { id: 'u', capacity: Number.NaN },
        ],
      ]) {
        const r = arrange({ tables: ts, groups, constraints: [together('k', 'a', 'b')] });
        expect(r.assignments).toEqual([]);
        expect(r.unseated).toEqual(['a', 'b']);
        expect(r.splitGroups).toEqual([]);
        expect(r.unmet).toEqual([{ constraintId: 'k', reason: 'NO_ROOM' }]);
        expect(r.score).toBeLessThan(50);
      }
    });

    it('tables but no people', () => {
      expect(arrange({ tables: tables(8), groups: [], constraints: [apart('k', 'x', 'y')] }).score).toBe(100);
    });

    it('duplicate ids: a table keeps its smaller capacity, a group its merged members, a person its first group, a constraint one entry', () => {
      const input: ArrangeInput = {
        tables: [
          { id: 't1', capacity: 6 },
          { id: 't1', capacity: 2 },
          { id: 't2', capacity: 6 },
        ],
        groups: [
          { id: 'g2', members: ['a', 'x'] },
          { id: 'g1', members: ['a', 'b', 'b'] },
          { id: 'g1', members: ['c'] },
        ],
        constraints: [apart('k1', 'a', 'b'), apart('k1', 'a', 'b'), together('k2', 'x', 'b')],
      };
      const r = arrange(input);
      expect(r.assignments.filter((x) => x.tableId === 't1').length).toBeLessThanOrEqual(2);
      expect(r.assignments.map((x) => x.personId)).toEqual(['a', 'b', 'c', 'x']);
      // g1 = {a, b, c} (a's first group by id), k1 keeps a and b apart: g1 is split, g2 = {x} cannot be.
      expect(r.splitGroups).toEqual(['g1']);
      expect(r.unmet).toEqual([]);
      expect(tableOf(r, 'x')).toBe(tableOf(r, 'b'));
    });
  });

  it('the improvement step meets what construction alone leaves unmet (100 exactly-full planted plans)', () => {
    const rng = prng(21);
    let constructionOnly = 0;
    let improved = 0;
    for (let i = 0; i < 100; i++) {
      const input = plantedInput(rng, { tables: 10 + (i % 20), capacity: 10, fill: 1, constraints: 30 });
      constructionOnly += arrange(input, { maxIterations: 0 }).unmet.length;
      improved += arrange(input).unmet.length;
    }
    expect(constructionOnly).toBeGreaterThan(0);
    expect(improved).toBe(0);
  });
});

describe('score', () => {
  const input: ArrangeInput = {
    tables: tables(4, 4),
    groups: [
      { id: 'g1', members: ['a', 'b'] },
      { id: 'g2', members: ['c', 'd'] },
    ],
    constraints: [together('k1', 'a', 'c'), apart('k2', 'a', 'd')],
  };
  const plan = (pairs: [string, string][]) => pairs.map(([personId, tableId]) => ({ personId, tableId }));

  it('is 100 for a plan that meets everything, lower with each failure, and the solver reaches the best plan here', () => {
    const best = evaluatePlan(
      input,
      plan([
        ['a', 't1'],
        ['b', 't1'],
        ['c', 't1'],
        ['d', 't2'],
      ]),
    );
    // g2 split (c with a, d apart from a): the best this input allows.
    expect(best.splitGroups).toEqual(['g2']);
    expect(best.unmet).toEqual([]);
    const oneUnmet = evaluatePlan(
      input,
      plan([
        ['a', 't1'],
        ['b', 't1'],
        ['c', 't2'],
        ['d', 't2'],
      ]),
    );
    expect(oneUnmet.unmet).toEqual([{ constraintId: 'k1', reason: 'SPLIT' }]);
    const twoUnmet = evaluatePlan(
      input,
      plan([
        ['a', 't1'],
        ['b', 't1'],
        ['c', 't2'],
        ['d', 't1'],
      ]),
    );
    const unseated = evaluatePlan(
      input,
      plan([
        ['a', 't1'],
        ['b', 't1'],
        ['c', 't2'],
      ]),
    );
    expect(
      evaluatePlan(
        { ...input, constraints: [] },
        plan([
          ['a', 't1'],
          ['b', 't1'],
          ['c', 't2'],
          ['d', 't2'],
        ]),
      ).score,
    ).toBe(100);
    expect(best.score).toBeLessThan(100);
    expect(oneUnmet.score).toBeLessThan(100);
    expect(twoUnmet.score).toBeLessThan(oneUnmet.score);
    expect(unseated.score).toBeLessThan(oneUnmet.score);
    expect(arrange(input).score).toBe(best.score);
  });
});
