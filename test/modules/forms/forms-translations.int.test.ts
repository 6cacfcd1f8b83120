import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildWorld, must, type World } from '../../support/factories.js';
import { errorCode, startServer } from '../../support/harness.js';
import { globalId, rawId } from '../../support/rows.js';

/**
 * Form questions translated through Localization: a question's label and each
 * choice's label, per locale, kept across the question's versions, read by
 * guests along he-IL → he → the stored wording, and listed as missing.
 */

const s = await startServer();
const db = s.app.db.prisma;

const ERR = `... on Error { code message } ... on ValidationError { fields { path message } } ... on TranslationSyntaxError { position line column }`;
const SET = `mutation($i: SetContentTranslationInput!) { setContentTranslation(input: $i) { __typename
  ... on ContentTranslationPayload { translation { resourceType resourceId resourceKey field choiceValue locale direction value } } ${ERR} } }`;
const DELETE = `mutation($i: DeleteContentTranslationInput!) { deleteContentTranslation(input: $i) { __typename ... on Error { code message } } }`;
const MISSING = `query($id: ID!, $locale: String!) { occasion(id: $id) { missingTranslations(locale: $locale) {
  resourceType resourceId resourceKey field choiceValue messageKind messageChannel sourceText } } }`;
const TRANSLATIONS = `query($id: ID!) { occasion(id: $id) { translations { resourceType resourceId resourceKey field choiceValue locale value } } }`;
const QUESTIONS = `query($locale: String) { guestInvitation { events { id questions { id key label options { value label }
  localizedLabel(locale: $locale) localizedOptions(locale: $locale) { value label } } } } }`;
const CREATE_FORM = `mutation($i: CreateFormInput!) { createForm(input: $i) { ... on FormPayload { form { id fields { id key } } } } }`;
const UPDATE_FIELD = `mutation($i: UpdateFormFieldInput!) { updateFormField(input: $i) { __typename ... on FormFieldPayload { field { id version } } } }`;
const INVITE = `mutation($i: CreateRsvpInvitationInput!) { createRsvpInvitation(input: $i) { ... on CreateRsvpInvitationPayload { guestToken } } }`;

const MEAL = {
  key: 'meal',
  label: 'Main course',
  type: 'SINGLE_CHOICE',
  options: [
    { value: 'fish', label: 'Fish' },
    { value: 'veg', label: 'Vegetarian' },
  ],
};
const NOTES = { key: 'notes', label: 'Anything else?', type: 'TEXT' };

interface Question {
  id: string;
  key: string;
  label: string;
  options: { value: string; label: string }[];
  localizedLabel: string;
  localizedOptions: { value: string; label: string }[];
}

interface FormWorld {
  w: World;
  formId: string;
  fieldId: (key: string) => string;
  guestToken: string;
}

/** Forms installed, a form with a choice question and a text question linked to event 1's RSVP, and a household's guest link. */
async function formWorld(): Promise<FormWorld> {
  const w = await buildWorld(s, { events: 2, households: [2], modules: { rsvp: [0] }, collaborators: { helper: undefined } });
  const t = w.owner.token;
  await must(s, t, `mutation($i: InstallModuleInput!) { installModule(input: $i) { __typename } }`, {
    i: { occasionId: w.occasionId, moduleKey: 'forms' },
  });
  const form = (await must(s, t, CREATE_FORM, { i: { occasionId: w.occasionId, title: 'Dinner', appliesTo: 'HOUSEHOLD', fields: [MEAL, NOTES] } }))
    .createForm.form as { id: string; fields: { id: string; key: string }[] };
  await must(s, t, `mutation($i: EnableModuleInput!) { enableModule(input: $i) { __typename } }`, {
    i: { eventId: w.eventIds[0], moduleKey: 'rsvp', config: { linkedFormId: rawId(form.id) } },
  });
  const guestToken = (await must(s, t, INVITE, { i: { occasionId: w.occasionId, unitId: w.households[0]!.id, eventIds: [w.eventIds[0]] } }))
    .createRsvpInvitation.guestToken as string;
  return { w, formId: form.id, fieldId: (key) => form.fields.find((f) => f.key === key)!.id, guestToken };
}

let f: FormWorld;
let other: FormWorld;

const set = (x: FormWorld, i: Record<string, unknown>, token = x.w.owner.token) =>
  s.gql(SET, { i: { occasionId: x.w.occasionId, resourceId: x.formId, resourceKey: 'meal', locale: 'he', ...i } }, { token });
const setOk = async (x: FormWorld, i: Record<string, unknown>) => {
  const r = await set(x, i);
  expect(r.body.data?.setContentTranslation.__typename, JSON.stringify(r.body)).toBe('ContentTranslationPayload');
  return r.body.data.setContentTranslation.translation;
};
const questions = async (x: FormWorld, locale?: string, headers: Record<string, string> = {}) => {
  const r = await s.gql(QUESTIONS, { locale }, { token: x.guestToken, headers });
  expect(r.body.errors, JSON.stringify(r.body.errors)).toBeUndefined();
  return r.body.data.guestInvitation.events[0].questions as Question[];
};
const meal = async (x: FormWorld, locale?: string) => (await questions(x, locale)).find((q) => q.key === 'meal')!;
const rowsOf = (x: FormWorld) => db.contentTranslation.findMany({ where: { occasionId: rawId(x.w.occasionId) }, orderBy: { id: 'asc' } });
const audits = (x: FormWorld) =>
  db.auditLog.count({ where: { occasionId: rawId(x.w.occasionId), action: 'translations:manage', outcome: 'SUCCESS' } });

beforeAll(async () => {
  [f, other] = await Promise.all([formWorld(), formWorld()]);
});

describe('translating a form question', () => {
  it('stores the label and each choice per locale, audited, and guests read them he-IL → he → the stored wording', async () => {
    // given the question "Main course" with choices Fish and Vegetarian
    const before = await audits(f);
    // when the planner translates the label and Fish into Hebrew, and Vegetarian into he-IL only
    const label = await setOk(f, { field: 'LABEL', value: 'מנה עיקרית' });
    await setOk(f, { field: 'CHOICE_LABEL', choiceValue: 'fish', value: 'דג' });
    await setOk(f, { field: 'CHOICE_LABEL', choiceValue: 'veg', locale: 'he-IL', value: 'צמחוני' });
    // then
    expect(label).toEqual({
      resourceType: 'FormQuestion',
      resourceId: f.formId,
      resourceKey: 'meal',
      field: 'LABEL',
      choiceValue: null,
      locale: 'he',
      direction: 'rtl',
      value: 'מנה עיקרית',
    });
    expect(await audits(f)).toBe(before + 3);
    const list = (await must(s, f.w.owner.token, TRANSLATIONS, { id: f.w.occasionId })).occasion.translations;
    expect(list).toContainEqual({
      resourceType: 'FormQuestion',
      resourceId: f.formId,
      resourceKey: 'meal',
      field: 'CHOICE_LABEL',
      choiceValue: 'fish',
      locale: 'he',
      value: 'דג',
    });
    const heIL = await meal(f, 'he-IL');
    expect(heIL.localizedLabel).toBe('מנה עיקרית');
    expect(heIL.localizedOptions).toEqual([
      { value: 'fish', label: 'דג' },
      { value: 'veg', label: 'צמחוני' },
    ]);
    const he = await meal(f, 'he');
    expect(he.localizedOptions).toEqual([
      { value: 'fish', label: 'דג' },
      { value: 'veg', label: 'Vegetarian' },
    ]);
    const fr = await meal(f, 'fr');
    expect([fr.localizedLabel, fr.localizedOptions.map((o) => o.label)]).toEqual(['Main course', ['Fish', 'Vegetarian']]);
    // Without an argument: the request's Accept-Language.
    const byHeader = (await questions(f, undefined, { 'accept-language': 'he-IL,en;q=0.5' })).find((q) => q.key === 'meal')!;
    expect(byHeader.localizedLabel).toBe('מנה עיקרית');
  });

  it('keeps the translations when the question is edited into a new version; a new choice reads as written until translated', async () => {
    // given a translated label, then the planner makes the question required and adds a choice (a new version)
    await setOk(f, { field: 'LABEL', value: 'מנה עיקרית' });
    const r = await must(s, f.w.owner.token, UPDATE_FIELD, {
      i: { id: f.fieldId('meal'), required: true, options: [...MEAL.options, { value: 'vegan', label: 'Vegan' }] },
    });
    expect(r.updateFormField.field.version).toBe(2);
    // then the guest sees the new version, still in Hebrew
    const v2 = await meal(f, 'he');
    expect(v2.id).not.toBe(f.fieldId('meal'));
    expect(v2.localizedLabel).toBe('מנה עיקרית');
    expect(v2.localizedOptions).toEqual([
      { value: 'fish', label: 'דג' },
      { value: 'veg', label: 'Vegetarian' },
      { value: 'vegan', label: 'Vegan' },
    ]);
    // and the new choice can be translated by its value
    await setOk(f, { field: 'CHOICE_LABEL', choiceValue: 'vegan', value: 'טבעוני' });
    expect((await meal(f, 'he')).localizedOptions.at(-1)).toEqual({ value: 'vegan', label: 'טבעוני' });
  });

  it('deletes a choice’s translation: readers fall back to the stored wording', async () => {
    await setOk(f, { field: 'CHOICE_LABEL', choiceValue: 'fish', locale: 'ar', value: 'سمك' });
    expect((await meal(f, 'ar')).localizedOptions[0]).toEqual({ value: 'fish', label: 'سمك' });
    const del = await s.gql(
      DELETE,
      { i: { occasionId: f.w.occasionId, resourceId: f.formId, resourceKey: 'meal', field: 'CHOICE_LABEL', choiceValue: 'fish', locale: 'ar' } },
      { token: f.w.owner.token },
    );
    expect(del.body.data.deleteContentTranslation.__typename).toBe('DeleteContentTranslationPayload');
    expect((await meal(f, 'ar')).localizedOptions[0]).toEqual({ value: 'fish', label: 'Fish' });
  });

  it('stores HTML verbatim (escaping is the renderer’s job)', async () => {
    const html = '<b>Notes</b> & <script>alert(1)</script>';
    const t = await setOk(f, { resourceKey: 'notes', field: 'LABEL', locale: 'de', value: html });
    expect(t.value).toBe(html);
    expect((await questions(f, 'de')).find((q) => q.key === 'notes')!.localizedLabel).toBe(html);
  });

  it('refuses broken ICU syntax with its position, and writes nothing', async () => {
    const [rows, before] = [await rowsOf(f), await audits(f)];
    const r = await set(f, { field: 'CHOICE_LABEL', choiceValue: 'fish', value: 'דג {count, plural, one {x}}' });
    const e = r.body.data.setContentTranslation;
    expect(e).toMatchObject({ __typename: 'TranslationSyntaxError', code: 'TRANSLATION_SYNTAX', line: 1 });
    expect(e.position).toBeGreaterThan(0);
    const unclosed = (await set(f, { field: 'LABEL', value: 'מנה {' })).body.data.setContentTranslation;
    expect(unclosed).toMatchObject({ __typename: 'TranslationSyntaxError', line: 1 });
    expect(unclosed.column).toBeGreaterThan(1);
    expect(await rowsOf(f)).toEqual(rows);
    expect(await audits(f)).toBe(before);
  });

  it.each([
    ['a choice the question does not offer', { field: 'CHOICE_LABEL', choiceValue: 'beef' }, 'input.choiceValue', /choose from fish, veg/],
    ['a choice of a text question', { resourceKey: 'notes', field: 'CHOICE_LABEL', choiceValue: 'x' }, 'input.choiceValue', /no choices/],
    ['a choice without its value', { field: 'CHOICE_LABEL' }, 'input.choiceValue', /which choice/],
    ['a label with a choice value', { field: 'LABEL', choiceValue: 'fish' }, 'input.choiceValue', /CHOICE_LABEL/],
    ['a question the form does not have', { resourceKey: 'dessert', field: 'LABEL' }, 'input.resourceKey', /no question "dessert"/],
    ['no question key', { resourceKey: null, field: 'LABEL' }, 'input.resourceKey', /which question/],
    ['a NAME of a question', { field: 'NAME' }, 'input.field', /LABEL/],
    ['a template', { field: 'TEMPLATE' }, 'input.field', /saveMessageTemplate/],
    ['a question and an event at once', { field: 'LABEL', eventId: 'EVENT' }, 'input.eventId', /not both/],
    ['an id of another type', { field: 'LABEL', resourceId: 'FIELD' }, 'input.resourceId', /form/],
  ])('refuses %s with a ValidationError, and writes nothing', async (_what, input, path, message) => {
    const rows = await rowsOf(f);
    const i = { ...input } as Record<string, unknown>;
    if (i.eventId === 'EVENT') i.eventId = f.w.eventIds[0];
    if (i.resourceId === 'FIELD') i.resourceId = f.fieldId('meal');
    const r = await set(f, { value: 'x', ...i });
    const e = r.body.data?.setContentTranslation;
    expect(e, JSON.stringify(r.body)).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED', fields: [{ path }] });
    expect(e.message).toMatch(message);
    expect(await rowsOf(f)).toEqual(rows);
  });

  it('answers NOT_FOUND for another occasion’s form exactly as for one that does not exist, and changes nothing there', async () => {
    const theirs = await rowsOf(other);
    const foreign = await set(f, { resourceId: other.formId, field: 'LABEL', value: 'x' });
    const nowhere = await set(f, { resourceId: globalId('Form', randomUUID()), field: 'LABEL', value: 'x' });
    expect(errorCode(foreign)).toBe('NOT_FOUND');
    expect(nowhere.body).toEqual(foreign.body);
    const foreignDelete = await s.gql(
      DELETE,
      { i: { occasionId: f.w.occasionId, resourceId: other.formId, resourceKey: 'meal', field: 'LABEL', locale: 'he' } },
      { token: f.w.owner.token },
    );
    expect(errorCode(foreignDelete)).toBe('NOT_FOUND');
    expect(await rowsOf(other)).toEqual(theirs);
  });

  it('refuses a helper (no translations:manage) with FORBIDDEN', async () => {
    const rows = await rowsOf(f);
    const r = await set(f, { field: 'LABEL', value: 'x' }, f.w.people.helper!.token);
    expect(errorCode(r)).toBe('FORBIDDEN');
    expect(await rowsOf(f)).toEqual(rows);
  });
});

describe('Occasion.missingTranslations with forms and templates', () => {
  it('lists current questions’ labels and choices, then templates written only in the default locale; translated ones drop out', async () => {
    // given a fresh form world and an English invitation email the planner wrote
    const m = await formWorld();
    const t = m.w.owner.token;
    await must(s, t, `mutation($i: SaveMessageTemplateInput!) { saveMessageTemplate(input: $i) { __typename } }`, {
      i: {
        occasionId: m.w.occasionId,
        kind: 'RSVP_INVITATION',
        channel: 'EMAIL',
        locale: 'en',
        template: { subject: 'You are invited to {{ occasion.name }}', html: '<p>Come!</p>' },
      },
    });
    const missing = async (locale: string) =>
      (
        (await must(s, t, MISSING, { id: m.w.occasionId, locale })).occasion.missingTranslations as {
          resourceType: string;
          resourceKey: string | null;
          field: string;
          choiceValue: string | null;
          messageKind: string | null;
          messageChannel: string | null;
          sourceText: string;
        }[]
      )
        .filter((x) => x.resourceType !== 'Occasion' && x.resourceType !== 'Event')
        .map((x) =>
          x.resourceType === 'MessageTemplate'
            ? `template ${x.messageKind}/${x.messageChannel}: ${x.sourceText}`
            : `${x.resourceKey}.${x.field}${x.choiceValue ? `.${x.choiceValue}` : ''}: ${x.sourceText}`,
        );
    // then
    expect(await missing('he')).toEqual([
      'meal.LABEL: Main course',
      'meal.CHOICE_LABEL.fish: Fish',
      'meal.CHOICE_LABEL.veg: Vegetarian',
      'notes.LABEL: Anything else?',
      'template RSVP_INVITATION/EMAIL: You are invited to {{ occasion.name }}',
    ]);
    // when the label and a choice get Hebrew, and the invitation email is written in Hebrew too
    await setOk(m, { field: 'LABEL', value: 'מנה עיקרית' });
    await setOk(m, { field: 'CHOICE_LABEL', choiceValue: 'fish', value: 'דג' });
    await must(s, t, `mutation($i: SaveMessageTemplateInput!) { saveMessageTemplate(input: $i) { __typename } }`, {
      i: {
        occasionId: m.w.occasionId,
        kind: 'RSVP_INVITATION',
        channel: 'EMAIL',
        locale: 'he',
        template: { subject: 'הזמנה ל{{ occasion.name }}', html: '<p>בואו!</p>' },
      },
    });
    // then only the rest is left, for he and for he-IL alike; nothing for the default locale
    const left = ['meal.CHOICE_LABEL.veg: Vegetarian', 'notes.LABEL: Anything else?'];
    expect(await missing('he')).toEqual(left);
    expect(await missing('he-IL')).toEqual(left);
    expect(await missing('fr')).toHaveLength(5);
    expect(await missing('en-GB')).toEqual([]);
  });
});
