import { describe, expect, it } from 'vitest';
import type { ArrangeConstraint } from '../../../../src/modules/seating/arrange/arrange.js';
import { findConstraintConflicts } from '../../../../src/modules/seating/arrange/conflicts.js';
import { prng, shuffle } from './generate.js';

const together = (id: string, a: string, b: string): ArrangeConstraint => ({ id, kind: 'TOGETHER', a, b });
const apart = (id: string, a: string, b: string): ArrangeConstraint => ({ id, kind: 'APART', a, b });

describe('findConstraintConflicts', () => {
  it('finds nothing in consistent constraints', () => {
    expect(findConstraintConflicts([together('1', 'a', 'b'), together('2', 'b', 'c'), apart('3', 'a', 'd'), apart('4', 'c', 'd')], 10)).toEqual([]);
    expect(findConstraintConflicts([], 10)).toEqual([]);
  });

  it('finds a CYCLE through TOGETHER transitivity and names the shortest chain', () => {
    const conflicts = findConstraintConflicts([together('t1', 'A', 'B'), together('t2', 'B', 'C'), apart('x', 'A', 'C')], 10);
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({ kind: 'CYCLE', constraintIds: ['x', 't1', 't2'], people: ['A', 'B', 'C'] });
    expect(conflicts[0]!.message).toContain('A and C');
  });

  it('prefers the shorter of two chains, and finds a direct TOGETHER + APART on one pair', () => {
    const conflicts = findConstraintConflicts(
      [
        together('1', 'a', 'b'),
        together('2', 'b', 'c'),
        together('3', 'c', 'd'),
        together('4', 'a', 'e'),
        together('5', 'e', 'd'),
        apart('6', 'a', 'd'),
        apart('7', 'c', 'b'),
      ],
      10,
    );
    expect(conflicts.map((c) => c.constraintIds)).toEqual([
      ['6', '4', '5'],
      ['7', '2'],
    ]);
  });

  it('finds a person kept apart from themself', () => {
    expect(findConstraintConflicts([apart('1', 'a', 'a')], 10)).toMatchObject([{ kind: 'CYCLE', constraintIds: ['1'], people: ['a'] }]);
  });

  it('finds a TOGETHER component larger than the largest table (TOO_LARGE), and not one that fits', () => {
    const chain = [together('1', 'a', 'b'), together('2', 'b', 'c'), together('3', 'c', 'd'), together('9', 'x', 'y')];
    expect(findConstraintConflicts(chain, 4)).toEqual([]);
    const conflicts = findConstraintConflicts(chain, 3);
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toMatchObject({ kind: 'TOO_LARGE', constraintIds: ['1', '2', '3'], people: ['a', 'b', 'c', 'd'] });
    expect(findConstraintConflicts([together('1', 'a', 'b')], 0)).toMatchObject([{ kind: 'TOO_LARGE' }]);
  });

  it('gives the same answer for any order of the constraints and either order of each pair; a duplicate id counts once', () => {
    const constraints = [
      together('1', 'a', 'b'),
      together('2', 'b', 'c'),
      apart('3', 'a', 'c'),
      together('4', 'p', 'q'),
      together('5', 'q', 'r'),
      apart('6', 'r', 'p'),
      together('7', 'c', 'd'),
    ];
    const expected = findConstraintConflicts(constraints, 3);
    expect(expected.map((c) => c.kind)).toEqual(['CYCLE', 'CYCLE', 'TOO_LARGE']);
    const rng = prng(5);
    for (let i = 0; i < 20; i++) {
      const reordered = shuffle(rng, [...constraints, constraints[i % constraints.length]!]).map((c) => (rng() < 0.5 ? c : { ...c, a: c.b, b: c.a }));
      expect(findConstraintConflicts(reordered, 3).map((c) => [c.kind, c.constraintIds])).toEqual(expected.map((c) => [c.kind, c.constraintIds]));
    }
  });
});
