import { describe, expect, it } from 'vitest';
import { checkValue, isBlank, newQuestion, optionIssues } from '../../../src/modules/forms/forms.questions.js';

const options = [
  { value: 'fish', label: 'Fish' },
  { value: 'veg', label: 'Vegetarian' },
];
const ok = (type: string, value: unknown, opts: unknown = []) => checkValue({ type, options: opts }, value);

describe('checkValue', () => {
  it('TEXT: a string of at most 2000 characters, stored trimmed', () => {
    expect(ok('TEXT', '  hello ')).toEqual({ ok: true, value: 'hello' });
    expect(ok('TEXT', 'x'.repeat(2000)).ok).toBe(true);
    expect(ok('TEXT', 'x'.repeat(2001)).ok).toBe(false);
    for (const v of [1, true, ['a'], { a: 1 }]) expect(ok('TEXT', v).ok).toBe(false);
  });

  it('SINGLE_CHOICE: exactly one option value', () => {
    expect(ok('SINGLE_CHOICE', 'fish', options)).toEqual({ ok: true, value: 'fish' });
    expect(ok('SINGLE_CHOICE', 'Fish', options)).toMatchObject({ ok: false, message: expect.stringContaining('fish, veg') });
    expect(ok('SINGLE_CHOICE', ['fish'], options).ok).toBe(false);
  });

  it('MULTI_CHOICE: distinct option values', () => {
    expect(ok('MULTI_CHOICE', ['veg', 'fish'], options)).toEqual({ ok: true, value: ['veg', 'fish'] });
    expect(ok('MULTI_CHOICE', ['fish', 'fish'], options).ok).toBe(false);
    expect(ok('MULTI_CHOICE', ['fish', 'beef'], options)).toMatchObject({ ok: false, message: expect.stringContaining('beef') });
    expect(ok('MULTI_CHOICE', 'fish', options).ok).toBe(false);
    expect(ok('MULTI_CHOICE', [1], options).ok).toBe(false);
  });

  it('BOOLEAN and NUMBER: the JSON type itself, finite numbers only', () => {
    expect(ok('BOOLEAN', false)).toEqual({ ok: true, value: false });
    expect(ok('BOOLEAN', 'true').ok).toBe(false);
    expect(ok('NUMBER', 0)).toEqual({ ok: true, value: 0 });
    expect(ok('NUMBER', -2.5).ok).toBe(true);
    for (const v of ['3', Number.NaN, Number.POSITIVE_INFINITY]) expect(ok('NUMBER', v).ok).toBe(false);
  });

  it('a stored version with malformed options accepts no choice', () => {
    expect(ok('SINGLE_CHOICE', 'fish', null).ok).toBe(false);
  });
});

describe('isBlank', () => {
  it('treats null, whitespace and empty lists as no answer, but not false or 0', () => {
    for (const v of [null, undefined, '', '  ', []]) expect(isBlank(v)).toBe(true);
    for (const v of [false, 0, 'a', ['a']]) expect(isBlank(v)).toBe(false);
  });
});

describe('field definitions', () => {
  it('choice questions need 1–50 distinct options; others none', () => {
    expect(optionIssues('TEXT', [])).toEqual([]);
    expect(optionIssues('NUMBER', options)).toEqual([{ path: ['options'], message: 'A NUMBER question has no options.' }]);
    expect(optionIssues('SINGLE_CHOICE', [])).toHaveLength(1);
    expect(optionIssues('MULTI_CHOICE', [...options, { value: 'veg', label: 'Again' }])).toEqual([
      { path: ['options', 2, 'value'], message: 'Option value "veg" is used twice.' },
    ]);
    expect(
      newQuestion.safeParse({
        key: 'm',
        label: 'M',
        type: 'MULTI_CHOICE',
        options: Array.from({ length: 51 }, (_, i) => ({ value: `${i}`, label: 'x' })),
      }).success,
    ).toBe(false);
  });

  it('keys are 1–40 lowercase letters, digits and _, starting with a letter', () => {
    const key = (k: string) => newQuestion.safeParse({ key: k, label: 'L', type: 'TEXT' }).success;
    expect(['a', 'meal_choice', 'q2', 'a'.repeat(40)].map(key)).toEqual([true, true, true, true]);
    expect(['', 'Meal', '2q', '_a', 'a-b', 'a'.repeat(41)].map(key)).toEqual([false, false, false, false, false, false]);
  });
});
