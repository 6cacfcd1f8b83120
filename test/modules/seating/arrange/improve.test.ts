import { describe, expect, it } from 'vitest';
import type { ArrangeInput } from '../../../../src/modules/seating/arrange/arrange.js';
import { improve } from '../../../../src/modules/seating/arrange/improve.js';
import { buildModel } from '../../../../src/modules/seating/arrange/model.js';
import { evaluate } from '../../../../src/modules/seating/arrange/score.js';
import { Seating } from '../../../../src/modules/seating/arrange/state.js';

/** The improvement step alone, from a plan given by hand (table id per person). */
function improveFrom(input: ArrangeInput, plan: Record<string, string>, budget = 10_000) {
  const model = buildModel(input);
  const seating = new Seating(model);
  for (const [person, table] of Object.entries(plan)) seating.place(model.personIds.indexOf(person), model.tableIds.indexOf(table));
  const before = evaluate(model, seating.tableOf);
  improve(model, seating, budget);
  const after = evaluate(model, seating.tableOf);
  const at = (person: string) => after.assignments.find((a) => a.personId === person)?.tableId;
  return { before, after, at };
}

const group = (id: string, ...members: string[]) => ({ id, members });

describe('improve', () => {
  it('joins a household split 4 + 1 across two full tables by trading its lone member for a single guest', () => {
    const input: ArrangeInput = {
      tables: [
        { id: 't1', capacity: 5 },
        { id: 't2', capacity: 5 },
      ],
      groups: [group('h', 'h1', 'h2', 'h3', 'h4', 'h5'), group('s', 's'), group('u', 'u1', 'u2', 'u3', 'u4')],
      constraints: [],
    };
    const { before, after } = improveFrom(input, {
      h1: 't1',
      h2: 't1',
      h3: 't1',
      h4: 't1',
      s: 't1',
      h5: 't2',
      u1: 't2',
      u2: 't2',
      u3: 't2',
      u4: 't2',
    });
    expect(before.splitGroups).toEqual(['h']);
    expect(after.splitGroups).toEqual([]);
    expect(after.score).toBe(100);
  });

  it('moves a household of 3 to its TOGETHER partner at a full table by trading it for a household of 2 and a single (3 for 2 + 1)', () => {
    const input: ArrangeInput = {
      tables: [
        { id: 't1', capacity: 5 },
        { id: 't2', capacity: 4 },
      ],
      groups: [group('h', 'h1', 'h2', 'h3'), group('x1', 'x1'), group('x2', 'x2'), group('p', 'p'), group('a', 'a1', 'a2'), group('s', 's')],
      constraints: [
        { id: 'k', kind: 'TOGETHER', a: 'h1', b: 'p' },
        // a and s go together, so no one of t2 can be traded alone for h1 without breaking a rule.
        { id: 'ka', kind: 'TOGETHER', a: 'a1', b: 's' },
      ],
      // p stays at t2, so the household has to come to it.
      fixed: [{ personId: 'p', tableId: 't2' }],
    };
    const { before, after, at } = improveFrom(input, { h1: 't1', h2: 't1', h3: 't1', x1: 't1', x2: 't1', a1: 't2', a2: 't2', s: 't2' });
    expect(before.unmet).toEqual([{ constraintId: 'k', reason: 'SPLIT' }]);
    expect(after.unmet).toEqual([]);
    expect(after.splitGroups).toEqual([]);
    expect(['h1', 'h2', 'h3', 'p'].map(at)).toEqual(['t2', 't2', 't2', 't2']);
    expect(['a1', 'a2', 's'].map(at)).toEqual(['t1', 't1', 't1']);
  });

  it('makes room at a full table by sending one of its guests to a table with free seats', () => {
    const input: ArrangeInput = {
      tables: [
        { id: 't1', capacity: 3 },
        { id: 't2', capacity: 3 },
        { id: 't3', capacity: 3 },
      ],
      groups: [group('a', 'a'), group('b', 'b'), group('c', 'c1', 'c2'), group('d', 'd1', 'd2')],
      constraints: [{ id: 'k', kind: 'TOGETHER', a: 'a', b: 'b' }],
      fixed: [
        { personId: 'a', tableId: 't1' },
        { personId: 'b', tableId: 't2' },
      ],
    };
    // t1: a + household c (full); t2: b + household d (full); t3 empty. With a and b both fixed, k cannot be
    // met: it stays unmet, and nothing moves for nothing.
    const fixedBoth = improveFrom(input, { c1: 't1', c2: 't1', d1: 't2', d2: 't2' });
    expect(fixedBoth.after.unmet).toEqual([{ constraintId: 'k', reason: 'SPLIT' }]);
    expect(fixedBoth.after.assignments).toEqual(fixedBoth.before.assignments);
    // With only a fixed, b has to join it at t1: household c goes to the free table t3 to make room.
    const { after, at } = improveFrom({ ...input, fixed: [{ personId: 'a', tableId: 't1' }] }, { c1: 't1', c2: 't1', b: 't2', d1: 't2', d2: 't2' });
    expect(after.unmet).toEqual([]);
    expect(after.splitGroups).toEqual([]);
    expect(at('b')).toBe('t1');
  });

  it('stops within its budget: with none, the plan is left as it is', () => {
    const input: ArrangeInput = {
      tables: [
        { id: 't1', capacity: 5 },
        { id: 't2', capacity: 5 },
      ],
      groups: [group('h', 'h1', 'h2'), group('s', 's')],
      constraints: [],
    };
    const { before, after } = improveFrom(input, { h1: 't1', h2: 't2', s: 't1' }, 0);
    expect(after).toEqual(before);
  });
});
