import { z } from 'zod';

export const FORM_APPLIES_TO = ['HOUSEHOLD', 'PERSON'] as const;
export const QUESTION_TYPES = ['TEXT', 'SINGLE_CHOICE', 'MULTI_CHOICE', 'BOOLEAN', 'NUMBER'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

export const CHOICE_TYPES: readonly QuestionType[] = ['SINGLE_CHOICE', 'MULTI_CHOICE'];
export const TEXT_MAX = 2000;
export const MAX_QUESTIONS = 100;

export interface FormOption {
  value: string;
  label: string;
}

const option = z.object({
  value: z.string().trim().min(1, 'Give the option a value.').max(100, 'At most 100 characters.'),
  label: z.string().trim().min(1, 'Give the option a label.').max(200, 'At most 200 characters.'),
});

export const questionKey = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,39}$/, 'Keys are 1–40 lowercase letters, digits or _, starting with a letter (e.g. meal_choice).');

/** The parts of a question a planner writes; `key` and `type` checked together with `options` below. */
export const questionParts = {
  label: z.string().trim().min(1, 'Give the question a label.').max(200, 'At most 200 characters.'),
  type: z.enum(QUESTION_TYPES),
  options: z.array(option).max(50, 'At most 50 options.'),
  required: z.boolean(),
  position: z.number().int().min(0).max(10_000),
};

/** Choice questions need 1–50 distinct option values; other questions take no options. */
export function optionIssues(type: QuestionType, options: FormOption[]): { path: (string | number)[]; message: string }[] {
  if (!CHOICE_TYPES.includes(type)) return options.length ? [{ path: ['options'], message: `A ${type} question has no options.` }] : [];
  if (!options.length) return [{ path: ['options'], message: 'A choice question needs at least one option.' }];
  const seen = new Set<string>();
  const issues: { path: (string | number)[]; message: string }[] = [];
  options.forEach((o, i) => {
    if (seen.has(o.value)) issues.push({ path: ['options', i, 'value'], message: `Option value "${o.value}" is used twice.` });
    seen.add(o.value);
  });
  return issues;
}

/** A whole new question: zod plus the option rule, so every issue is reported at once with its path. */
export const newQuestion = z
  .object({
    key: questionKey,
    ...questionParts,
    options: questionParts.options.default([]),
    required: questionParts.required.default(false),
    position: questionParts.position.optional(),
  })
  .superRefine((f, ctx) => {
    for (const issue of optionIssues(f.type, f.options)) ctx.addIssue({ code: 'custom', ...issue });
  });
export type NewQuestion = z.output<typeof newQuestion>;

/** What a stored question version looks like to value checks. */
export interface QuestionShape {
  /** A QuestionType, or a type this version no longer (or does not yet) know. */
  type: string;
  options: unknown;
}

export const optionsOf = (f: QuestionShape): FormOption[] => (Array.isArray(f.options) ? (f.options as FormOption[]) : []);

/**
 * An answer left blank: not stored, and not enough for a required question.
 * Clients send null or an empty string for "no answer" as often as they omit it.
 */
export function isBlank(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'string' && value.trim() === '') || (Array.isArray(value) && value.length === 0);
}

export type ValueCheck = { ok: true; value: unknown } | { ok: false; message: string };

/** Checks one non-blank answer against the question version it answers; returns the value to store. */
export function checkValue(question: QuestionShape, value: unknown): ValueCheck {
  const fail = (message: string): ValueCheck => ({ ok: false, message });
  switch (question.type) {
    case 'TEXT':
      if (typeof value !== 'string') return fail('Answer with text.');
      if (value.length > TEXT_MAX) return fail(`At most ${TEXT_MAX} characters.`);
      return { ok: true, value: value.trim() };
    case 'BOOLEAN':
      return typeof value === 'boolean' ? { ok: true, value } : fail('Answer with true or false.');
    case 'NUMBER':
      return typeof value === 'number' && Number.isFinite(value) ? { ok: true, value } : fail('Answer with a number.');
    case 'SINGLE_CHOICE': {
      if (typeof value !== 'string') return fail('Answer with one option value.');
      const values = optionsOf(question).map((o) => o.value);
      return values.includes(value) ? { ok: true, value } : fail(`Not an option of this question (choose from ${values.join(', ')}).`);
    }
    case 'MULTI_CHOICE': {
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) return fail('Answer with a list of option values.');
      const values = optionsOf(question).map((o) => o.value);
      const unknown = value.filter((v) => !values.includes(v as string));
      if (unknown.length) return fail(`Not options of this question: ${unknown.join(', ')} (choose from ${values.join(', ')}).`);
      if (new Set(value).size !== value.length) return fail('Each option may be chosen once.');
      return { ok: true, value };
    }
    default:
      return fail(`Unknown question type ${question.type}.`);
  }
}
