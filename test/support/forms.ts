import { must } from './factories.js';
import type { TestServer } from './harness.js';

/*
 * The dinner form RSVP tests link to an event (catering counts, seating's meals,
 * the guest page's inline questions): asked of each attending person, a main
 * course (fish or vegan) and, optionally, dietary needs. One definition, so a
 * test that needs a question more says so here, not in a fourth copy.
 */

export const MEAL_QUESTION = {
  key: 'meal',
  label: 'Main course',
  type: 'SINGLE_CHOICE',
  options: [
    { value: 'fish', label: 'Sea bass' },
    { value: 'vegan', label: 'Roasted vegetables' },
  ],
} as const;

export const DIETARY_QUESTION = {
  key: 'dietary',
  label: 'Dietary needs',
  type: 'MULTI_CHOICE',
  options: [
    { value: 'gluten_free', label: 'Gluten free' },
    { value: 'nuts', label: 'Nut allergy' },
  ],
} as const;

const CREATE_FORM = `mutation($i: CreateFormInput!) { createForm(input: $i) { __typename ... on FormPayload { form { id fields { id key } } } ... on Error { code message } } }`;

export interface DinnerForm {
  /** The Form's global id. */
  id: string;
  fields: { id: string; key: string }[];
}

/**
 * Creates the occasion's dinner form through the API (the forms module must be installed): the meal question,
 * required unless `required: false`, and the dietary one with `dietary: true`.
 */
export async function createDinnerForm(
  s: TestServer,
  token: string,
  occasionId: string,
  opts: { required?: boolean; dietary?: boolean; title?: string } = {},
): Promise<DinnerForm> {
  const fields = [{ ...MEAL_QUESTION, required: opts.required ?? true }, ...(opts.dietary ? [DIETARY_QUESTION] : [])];
  const r = await must(s, token, CREATE_FORM, { i: { occasionId, title: opts.title ?? 'Dinner', appliesTo: 'PERSON', fields } });
  return r.createForm.form;
}
