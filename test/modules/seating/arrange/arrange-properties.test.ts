import { describe, expect, it } from 'vitest';
import { arrange } from '../../../../src/modules/seating/arrange/arrange.js';
import { evaluatePlan } from '../../../../src/modules/seating/arrange/score.js';
import { plantedInput, problemsOf, prng, randomInput, shuffled, withDuplicates } from './generate.js';

describe('arrange over generated inputs', () => {
  it('never exceeds a table, keeps fixed people, seats everyone a seat exists for, and reports what the plan really does (500 inputs)', () => {
    const rng = prng(15);
    for (let i = 0; i < 500; i++) {
      const input = randomInput(rng);
      const result = arrange(input);
      const problems = problemsOf(input, result);
      expect(problems, `input #${i}: ${JSON.stringify(input)}`).toEqual([]);
      // The reported score is the score of the reported plan.
      expect(evaluatePlan(input, result.assignments).score).toBe(result.score);
    }
  });

  it('holds the same with no improvement step (construction alone is already a valid plan)', () => {
    const rng = prng(16);
    for (let i = 0; i < 200; i++) {
      const input = randomInput(rng);
      expect(problemsOf(input, arrange(input, { maxIterations: 0 })), `input #${i}`).toEqual([]);
    }
  });

  it('gives the identical result for the same input in any order (200 inputs, 3 orders each)', () => {
    const rng = prng(17);
    for (let i = 0; i < 200; i++) {
      const input = randomInput(rng);
      const expected = arrange(input);
      for (let k = 0; k < 3; k++) expect(arrange(shuffled(rng, input)), `input #${i}, order ${k}`).toEqual(expected);
    }
  });

  it('with ids given twice with other contents: the same result in any order, and no table over its smallest capacity (200 inputs)', () => {
    const rng = prng(20);
    for (let i = 0; i < 200; i++) {
      const input = withDuplicates(rng, randomInput(rng));
      const expected = arrange(input);
      const seats = new Map<string, number>();
      for (const t of input.tables) seats.set(t.id, Math.min(t.capacity, seats.get(t.id) ?? Infinity));
      const used = new Map<string, number>();
      for (const a of expected.assignments) used.set(a.tableId, (used.get(a.tableId) ?? 0) + 1);
      for (const [t, n] of used) expect(n, `input #${i}, table ${t}`).toBeLessThanOrEqual(seats.get(t)!);
      for (let k = 0; k < 3; k++) expect(arrange(shuffled(rng, input)), `input #${i}, order ${k}`).toEqual(expected);
    }
  });

  it('meets everything when a plan meeting everything exists with some room to spare (100 planted plans)', () => {
    const rng = prng(18);
    for (let i = 0; i < 100; i++) {
      const input = plantedInput(rng, { tables: 4 + (i % 20), capacity: 8 + (i % 5), fill: 0.8, constraints: 3 + (i % 12) });
      const result = arrange(input);
      expect(result.unseated, `planted #${i}`).toEqual([]);
      expect(result.splitGroups, `planted #${i}`).toEqual([]);
      expect(result.unmet, `planted #${i}`).toEqual([]);
      expect(result.score).toBe(100);
    }
  });

  it('keeps every household whole when the tables are exactly full by a planted plan without constraints (50 plans)', () => {
    const rng = prng(19);
    for (let i = 0; i < 50; i++) {
      const input = plantedInput(rng, { tables: 5 + i, capacity: 10, fill: 1, constraints: 0 });
      const result = arrange(input);
      expect(result.unseated, `planted #${i}`).toEqual([]);
      expect(result.splitGroups, `planted #${i}`).toEqual([]);
    }
  });
});
