import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { currentQuestions, saveFormSubmission, type AnswerInput } from '../../../src/modules/forms/forms.answers.js';
import { ValidationError } from '../../../src/platform/errors.js';
import { buildWorld, must, type World } from '../../support/factories.js';
import { errorCode, startServer } from '../../support/harness.js';
import { newRequestId, rawId, watchOccasion } from '../../support/rows.js';

const s = await startServer();
const db = s.app.db.prisma;
const call = (token: string | undefined, query: string, variables?: Record<string, unknown>, requestId?: string) =>
  s.gql(query, variables, { token, headers: requestId ? { 'x-request-id': requestId } : {} });

const ERR_NO_INPUT = `... on Error { code message } ... on ModuleDependencyError { moduleKeys }`;
const ERR = `${ERR_NO_INPUT} ... on ValidationError { fields { path message } }`;
const FIELD = `id key version label type options { value label } required position retiredAt`;
const FORM = `id title appliesTo archivedAt fields { ${FIELD} } fieldHistory { ${FIELD} }`;
const INSTALL = `mutation($i: InstallModuleInput!) { installModule(input: $i) { __typename ${ERR} } }`;
const ENABLE = `mutation($i: EnableModuleInput!) { enableModule(input: $i) { __typename ... on ModuleEnablementPayload { enablement { id config } } ${ERR} } }`;
const CREATE = `mutation($i: CreateFormInput!) { createForm(input: $i) { __typename ... on FormPayload { form { ${FORM} } } ${ERR} } }`;
const ADD = `mutation($i: AddFormFieldInput!) { addFormField(input: $i) { __typename ... on FormFieldPayload { field { ${FIELD} } form { id fields { key version } } } ${ERR} } }`;
const UPDATE = `mutation($i: UpdateFormFieldInput!) { updateFormField(input: $i) { __typename ... on FormFieldPayload { field { ${FIELD} } form { id fields { key version } } } ${ERR} } }`;
const REMOVE = `mutation($i: RemoveFormFieldInput!) { removeFormField(input: $i) { __typename ... on FormFieldPayload { field { ${FIELD} } form { id fields { key } } } ${ERR_NO_INPUT} } }`;
const ARCHIVE = `mutation($i: ArchiveFormInput!) { archiveForm(input: $i) { __typename ... on FormPayload { form { id archivedAt } } ${ERR_NO_INPUT} } }`;
const FORM_QUERY = `query($id: ID!) { form(id: $id) { ${FORM} } }`;
const SUBMISSIONS = `query($id: ID!, $eventId: ID) { form(id: $id) { submissions(eventId: $eventId) { totalCount edges { node {
  id eventId respondentActorId answers { actorId value field { id key version label options { value label } retiredAt } } } } } } }`;

interface Field {
  id: string;
  key: string;
  version: number;
  label: string;
  type: string;
  options: { value: string; label: string }[];
  required: boolean;
  position: number;
  retiredAt: string | null;
}
interface Form {
  id: string;
  title: string;
  appliesTo: string;
  archivedAt: string | null;
  fields: Field[];
  fieldHistory: Field[];
}

const MEAL = {
  key: 'meal',
  label: 'Meal choice',
  type: 'SINGLE_CHOICE',
  required: true,
  options: [
    { value: 'fish', label: 'Fish' },
    { value: 'veg', label: 'Vegetarian' },
  ],
};
const NOTES = { key: 'notes', label: 'Anything else?', type: 'TEXT' };

const newForm = async (w: World, input: Record<string, unknown> = {}) =>
  (
    await must(s, w.owner.token, CREATE, {
      i: { occasionId: w.occasionId, title: 'Dinner questions', appliesTo: 'HOUSEHOLD', fields: [MEAL, NOTES], ...input },
    })
  ).createForm.form as Form;
const installForms = (w: World) => must(s, w.owner.token, INSTALL, { i: { occasionId: w.occasionId, moduleKey: 'forms' } });
const formCount = (w: World) => db.form.count({ where: { occasionId: rawId(w.occasionId) } });
const fieldRows = (form: Form) => db.formQuestion.count({ where: { formId: rawId(form.id) } });
const issuePaths = (r: { body: { data?: Record<string, { fields?: { path: string }[] }> } }, name: string) =>
  r.body.data![name]!.fields!.map((f) => f.path).sort();

let w: World;
let other: World;
let otherForm: Form;
beforeAll(async () => {
  w = await buildWorld(s, {
    events: 2,
    households: [2, 1],
    collaborators: { viewer: undefined, vendor: [0], co_planner: undefined, forms_editor: undefined },
    modules: { rsvp: [] },
  });
  await installForms(w);
  other = await buildWorld(s, { events: 1, households: [1] });
  await installForms(other);
  otherForm = await newForm(other);
});

describe('createForm', () => {
  it('creates a form with versioned questions; one audit row and form.created', async () => {
    const watch = await watchOccasion(s, w.occasionId);
    const requestId = newRequestId('form-create');
    const r = await call(
      w.owner.token,
      CREATE,
      {
        i: {
          occasionId: w.occasionId,
          title: '  Dinner  ',
          appliesTo: 'PERSON',
          fields: [MEAL, { ...NOTES, position: 5 }, { key: 'songs', label: 'Songs', type: 'MULTI_CHOICE', options: [{ value: 'a', label: 'A' }] }],
        },
      },
      requestId,
    );
    expect(r.body.errors).toBeUndefined();
    const form = r.body.data.createForm.form as Form;
    expect(form).toMatchObject({ title: 'Dinner', appliesTo: 'PERSON', archivedAt: null });
    expect(form.fields.map((f) => [f.key, f.version, f.position, f.required])).toEqual([
      ['meal', 1, 0, true],
      ['songs', 1, 2, false],
      ['notes', 1, 5, false],
    ]);
    expect(form.fields[0]!.options).toEqual(MEAL.options);
    expect(form.fields[2]!.options).toEqual([]);

    await watch.expectDelta({ audit: 1, outbox: 1 });
    const [audit] = await watch.audit();
    expect(audit).toMatchObject({ action: 'form:create', targetType: 'Form', targetId: rawId(form.id), requestId, userId: w.owner.userId });
    const [event] = await watch.outbox();
    expect(event).toMatchObject({
      type: 'form.created',
      requestId,
      payload: { occasionId: watch.occasionId, formId: rawId(form.id), appliesTo: 'PERSON', fieldKeys: ['meal', 'songs', 'notes'] },
    });
  });

  it('is allowed to a co-planner and a forms_editor (module role)', async () => {
    for (const role of ['co_planner', 'forms_editor']) {
      const r = await call(w.people[role]!.token, CREATE, { i: { occasionId: w.occasionId, title: `By ${role}`, appliesTo: 'HOUSEHOLD' } });
      expect(r.body.data.createForm.__typename).toBe('FormPayload');
    }
  });

  it.each(['viewer', 'vendor'])('is FORBIDDEN for a %s, nothing written', async (role) => {
    const watch = await watchOccasion(s, w.occasionId);
    const forms = await formCount(w);
    const r = await call(w.people[role]!.token, CREATE, { i: { occasionId: w.occasionId, title: 'Intruder', appliesTo: 'HOUSEHOLD' } });
    expect(errorCode(r)).toBe('FORBIDDEN');
    await watch.expectUnchanged();
    expect(await formCount(w)).toBe(forms);
  });

  it('is NOT_FOUND in another occasion', async () => {
    const forms = await formCount(w);
    const r = await call(other.owner.token, CREATE, { i: { occasionId: w.occasionId, title: 'Intruder', appliesTo: 'HOUSEHOLD' } });
    expect(errorCode(r)).toBe('NOT_FOUND');
    expect(await formCount(w)).toBe(forms);
  });

  it('refuses bad input with field issues and writes nothing', async () => {
    const watch = await watchOccasion(s, w.occasionId);
    const forms = await formCount(w);
    const paths = async (i: Record<string, unknown>) => {
      const r = await call(w.owner.token, CREATE, { i: { occasionId: w.occasionId, title: 'T', appliesTo: 'HOUSEHOLD', ...i } });
      expect(r.body.data.createForm).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED' });
      return issuePaths(r, 'createForm');
    };
    expect(await paths({ title: ' ' })).toEqual(['input.title']);
    expect(
      await paths({
        fields: [
          { key: 'Meal', label: 'x', type: 'TEXT' },
          { key: 'ok', label: '', type: 'TEXT' },
          { key: '9lives', label: 'x', type: 'TEXT' },
          { key: 'a'.repeat(41), label: 'x', type: 'TEXT' },
        ],
      }),
    ).toEqual(['input.fields.0.key', 'input.fields.1.label', 'input.fields.2.key', 'input.fields.3.key']);
    expect(
      await paths({
        fields: [
          { key: 'pick', label: 'Pick', type: 'SINGLE_CHOICE' },
          { key: 'many', label: 'Many', type: 'MULTI_CHOICE', options: [] },
          { key: 'text', label: 'Text', type: 'TEXT', options: [{ value: 'a', label: 'A' }] },
          {
            key: 'dupe',
            label: 'Dupe',
            type: 'SINGLE_CHOICE',
            options: [
              { value: 'a', label: 'A' },
              { value: 'a', label: 'Again' },
            ],
          },
          { key: 'big', label: 'Big', type: 'MULTI_CHOICE', options: Array.from({ length: 51 }, (_, k) => ({ value: `v${k}`, label: `V${k}` })) },
        ],
      }),
    ).toEqual([
      'input.fields.0.options',
      'input.fields.1.options',
      'input.fields.2.options',
      'input.fields.3.options.1.value',
      'input.fields.4.options',
    ]);
    expect(
      await paths({
        fields: [
          { key: 'same', label: 'One', type: 'TEXT' },
          { key: 'same', label: 'Two', type: 'BOOLEAN' },
        ],
      }),
    ).toEqual(['input.fields.1.key']);
    await watch.expectUnchanged();
    expect(await formCount(w)).toBe(forms);
  });

  it('needs the forms module installed on the occasion', async () => {
    const bare = await buildWorld(s, { events: 0, households: [] });
    const r = await call(bare.owner.token, CREATE, { i: { occasionId: bare.occasionId, title: 'T', appliesTo: 'HOUSEHOLD' } });
    expect(r.body.data.createForm).toMatchObject({ __typename: 'ModuleDependencyError', code: 'MODULE_DEPENDENCY', moduleKeys: ['forms'] });
    expect(await formCount(bare)).toBe(0);
  });
});

describe('addFormField', () => {
  it('adds a question after the others; one audit row and form.updated FIELD_ADDED', async () => {
    const form = await newForm(w);
    const watch = await watchOccasion(s, w.occasionId);
    const requestId = newRequestId('form-add');
    const r = await call(w.owner.token, ADD, { i: { formId: form.id, key: 'wine', label: 'Wine?', type: 'BOOLEAN', required: true } }, requestId);
    expect(r.body.errors).toBeUndefined();
    const { field, form: after } = r.body.data.addFormField;
    expect(field).toMatchObject({ key: 'wine', version: 1, type: 'BOOLEAN', required: true, position: 2, options: [], retiredAt: null });
    expect(after.fields.map((f: { key: string }) => f.key)).toEqual(['meal', 'notes', 'wine']);
    await watch.expectDelta({ audit: 1, outbox: 1 });
    const [audit] = await watch.audit();
    expect(audit).toMatchObject({ action: 'form:add_field', targetType: 'FormField', targetId: rawId(field.id), requestId });
    const [event] = await watch.outbox();
    expect(event).toMatchObject({
      type: 'form.updated',
      payload: {
        occasionId: watch.occasionId,
        formId: rawId(form.id),
        change: 'FIELD_ADDED',
        fieldKey: 'wine',
        fieldId: rawId(field.id),
        version: 1,
      },
    });
  });

  it('refuses a key already used by a current question, and bad input; nothing written', async () => {
    const form = await newForm(w);
    const watch = await watchOccasion(s, w.occasionId);
    const dupe = await call(w.owner.token, ADD, { i: { formId: form.id, key: 'meal', label: 'Again', type: 'TEXT' } });
    expect(dupe.body.data.addFormField).toMatchObject({ __typename: 'ValidationError', fields: [{ path: 'input.key' }] });
    const bad = await call(w.owner.token, ADD, {
      i: { formId: form.id, key: 'x y', label: 'X', type: 'NUMBER', options: [{ value: '1', label: 'One' }] },
    });
    expect(issuePaths(bad, 'addFormField')).toEqual(['input.key', 'input.options']);
    await watch.expectUnchanged();
    expect(await fieldRows(form)).toBe(2);
  });

  it('is FORBIDDEN for a viewer and a vendor, NOT_FOUND across occasions', async () => {
    const form = await newForm(w);
    for (const role of ['viewer', 'vendor']) {
      const watch = await watchOccasion(s, w.occasionId);
      const r = await call(w.people[role]!.token, ADD, { i: { formId: form.id, key: 'x', label: 'X', type: 'TEXT' } });
      expect(errorCode(r)).toBe('FORBIDDEN');
      await watch.expectUnchanged();
    }
    const theirs = await call(other.owner.token, ADD, { i: { formId: form.id, key: 'x', label: 'X', type: 'TEXT' } });
    expect(errorCode(theirs)).toBe('NOT_FOUND');
    // Our planner with their form id: the same as an id that does not exist.
    const foreign = await call(w.owner.token, ADD, { i: { formId: otherForm.id, key: 'x', label: 'X', type: 'TEXT' } });
    expect(errorCode(foreign)).toBe('NOT_FOUND');
    expect(await fieldRows(form)).toBe(2);
    expect(await fieldRows(otherForm)).toBe(2);
  });
});

describe('updateFormField', () => {
  it('retires the current version and writes the next one under the same key; form.updated FIELD_VERSIONED', async () => {
    const form = await newForm(w);
    const v1 = form.fields[0]!;
    const watch = await watchOccasion(s, w.occasionId);
    const requestId = newRequestId('form-update');
    const r = await call(
      w.owner.token,
      UPDATE,
      { i: { id: v1.id, label: 'Main course', options: [{ value: 'beef', label: 'Beef' }, ...MEAL.options] } },
      requestId,
    );
    expect(r.body.errors).toBeUndefined();
    const v2 = r.body.data.updateFormField.field as Field;
    expect(v2).toMatchObject({ key: 'meal', version: 2, label: 'Main course', type: 'SINGLE_CHOICE', required: true, position: 0, retiredAt: null });
    expect(v2.options.map((o) => o.value)).toEqual(['beef', 'fish', 'veg']);
    expect(v2.id).not.toBe(v1.id);

    const back = (await must(s, w.owner.token, FORM_QUERY, { id: form.id })).form as Form;
    expect(back.fields.map((f) => [f.key, f.version])).toEqual([
      ['meal', 2],
      ['notes', 1],
    ]);
    expect(back.fieldHistory.map((f) => [f.key, f.version, f.label, f.retiredAt === null])).toEqual([
      ['meal', 1, 'Meal choice', false],
      ['meal', 2, 'Main course', true],
      ['notes', 1, 'Anything else?', true],
    ]);
    // The old version itself never changes, only its retiredAt.
    expect(back.fieldHistory[0]).toMatchObject({ id: v1.id, label: v1.label, options: v1.options });

    await watch.expectDelta({ audit: 1, outbox: 1 });
    const [audit] = await watch.audit();
    expect(audit).toMatchObject({ action: 'form:update_field', targetType: 'FormField', targetId: rawId(v2.id), requestId });
    expect(audit!.before).toMatchObject({ id: rawId(v1.id), version: 1, label: 'Meal choice' });
    const [event] = await watch.outbox();
    expect(event).toMatchObject({
      type: 'form.updated',
      payload: { formId: rawId(form.id), change: 'FIELD_VERSIONED', fieldKey: 'meal', fieldId: rawId(v2.id), version: 2 },
    });
  });

  it('drops options when a choice becomes text; saving it unchanged writes nothing', async () => {
    const form = await newForm(w);
    const r = await must(s, w.owner.token, UPDATE, { i: { id: form.fields[0]!.id, type: 'TEXT' } });
    const text = r.updateFormField.field as Field;
    expect(text).toMatchObject({ version: 2, type: 'TEXT', options: [] });
    const watch = await watchOccasion(s, w.occasionId);
    const same = await must(s, w.owner.token, UPDATE, { i: { id: text.id, label: text.label, type: 'TEXT', required: true } });
    expect(same.updateFormField.field).toMatchObject({ id: text.id, version: 2 });
    await watch.expectUnchanged();
  });

  it('refuses a replaced version (CONFLICT) and bad input (ValidationError); nothing written', async () => {
    const form = await newForm(w);
    const v1 = form.fields[0]!;
    await must(s, w.owner.token, UPDATE, { i: { id: v1.id, label: 'Main course' } });
    const watch = await watchOccasion(s, w.occasionId);
    const stale = await call(w.owner.token, UPDATE, { i: { id: v1.id, label: 'Stale edit' } });
    expect(stale.body.data.updateFormField).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
    const notes = form.fields[1]!;
    const bad = await call(w.owner.token, UPDATE, { i: { id: notes.id, label: '', options: [{ value: 'a', label: 'A' }] } });
    expect(issuePaths(bad, 'updateFormField')).toEqual(['input.label']);
    const noOptions = await call(w.owner.token, UPDATE, { i: { id: notes.id, type: 'MULTI_CHOICE' } });
    expect(issuePaths(noOptions, 'updateFormField')).toEqual(['input.options']);
    const textOptions = await call(w.owner.token, UPDATE, { i: { id: notes.id, options: [{ value: 'a', label: 'A' }] } });
    expect(issuePaths(textOptions, 'updateFormField')).toEqual(['input.options']);
    await watch.expectUnchanged();
    expect(await fieldRows(form)).toBe(3);
  });

  it('is FORBIDDEN for a viewer and a vendor, NOT_FOUND across occasions', async () => {
    const form = await newForm(w);
    for (const role of ['viewer', 'vendor']) {
      const watch = await watchOccasion(s, w.occasionId);
      expect(errorCode(await call(w.people[role]!.token, UPDATE, { i: { id: form.fields[0]!.id, label: 'Hacked' } }))).toBe('FORBIDDEN');
      await watch.expectUnchanged();
    }
    expect(errorCode(await call(other.owner.token, UPDATE, { i: { id: form.fields[0]!.id, label: 'Hacked' } }))).toBe('NOT_FOUND');
    expect(errorCode(await call(w.owner.token, UPDATE, { i: { id: otherForm.fields[0]!.id, label: 'Hacked' } }))).toBe('NOT_FOUND');
    expect(await fieldRows(form)).toBe(2);
    expect(await fieldRows(otherForm)).toBe(2);
  });
});

describe('removeFormField', () => {
  it('retires the question (form.updated FIELD_RETIRED); the key can come back as its next version', async () => {
    const form = await newForm(w);
    const notes = form.fields[1]!;
    const watch = await watchOccasion(s, w.occasionId);
    const r = await must(s, w.owner.token, REMOVE, { i: { id: notes.id } });
    expect(r.removeFormField.field).toMatchObject({ id: notes.id, version: 1 });
    expect(r.removeFormField.field.retiredAt).not.toBeNull();
    expect(r.removeFormField.form.fields.map((f: { key: string }) => f.key)).toEqual(['meal']);
    await watch.expectDelta({ audit: 1, outbox: 1 });
    const [event] = await watch.outbox();
    expect(event).toMatchObject({
      type: 'form.updated',
      payload: { change: 'FIELD_RETIRED', fieldKey: 'notes', fieldId: rawId(notes.id), version: 1 },
    });
    expect((await watch.audit())[0]).toMatchObject({ action: 'form:remove_field', targetId: rawId(notes.id) });

    const again = await call(w.owner.token, REMOVE, { i: { id: notes.id } });
    expect(again.body.data.removeFormField.__typename).toBe('ConflictError');
    const back = await must(s, w.owner.token, ADD, { i: { formId: form.id, key: 'notes', label: 'Notes', type: 'TEXT' } });
    expect(back.addFormField.field).toMatchObject({ key: 'notes', version: 2, retiredAt: null });
  });

  it('is FORBIDDEN for a viewer and NOT_FOUND across occasions', async () => {
    const form = await newForm(w);
    const watch = await watchOccasion(s, w.occasionId);
    expect(errorCode(await call(w.people.viewer!.token, REMOVE, { i: { id: form.fields[0]!.id } }))).toBe('FORBIDDEN');
    expect(errorCode(await call(other.owner.token, REMOVE, { i: { id: form.fields[0]!.id } }))).toBe('NOT_FOUND');
    await watch.expectUnchanged();
    expect(await db.formQuestion.count({ where: { formId: rawId(form.id), retiredAt: null } })).toBe(2);
  });
});

describe('archiveForm', () => {
  it('archives (form.archived); archived forms are hidden by default and can no longer change', async () => {
    const form = await newForm(w, { title: 'To archive' });
    const watch = await watchOccasion(s, w.occasionId);
    const requestId = newRequestId('form-archive');
    const r = await call(w.owner.token, ARCHIVE, { i: { id: form.id } }, requestId);
    expect(r.body.data.archiveForm.form.archivedAt).not.toBeNull();
    await watch.expectDelta({ audit: 1, outbox: 1 });
    expect((await watch.audit())[0]).toMatchObject({ action: 'form:archive', targetType: 'Form', targetId: rawId(form.id), requestId });
    expect((await watch.outbox())[0]).toMatchObject({
      type: 'form.archived',
      requestId,
      payload: { occasionId: watch.occasionId, formId: rawId(form.id) },
    });

    const list = async (includeArchived: boolean) =>
      (
        await must(s, w.owner.token, `query($id: ID!, $a: Boolean) { occasion(id: $id) { forms(includeArchived: $a) { id } } }`, {
          id: w.occasionId,
          a: includeArchived,
        })
      ).occasion.forms.map((f: { id: string }) => f.id);
    expect(await list(false)).not.toContain(form.id);
    expect(await list(true)).toContain(form.id);

    const after = await watchOccasion(s, w.occasionId);
    expect((await call(w.owner.token, ARCHIVE, { i: { id: form.id } })).body.data.archiveForm.__typename).toBe('ConflictError');
    expect(
      (await call(w.owner.token, ADD, { i: { formId: form.id, key: 'late', label: 'Late', type: 'TEXT' } })).body.data.addFormField.__typename,
    ).toBe('ConflictError');
    expect((await call(w.owner.token, UPDATE, { i: { id: form.fields[0]!.id, label: 'Late' } })).body.data.updateFormField.__typename).toBe(
      'ConflictError',
    );
    await after.expectUnchanged();
  });

  it('is FORBIDDEN for a viewer and a vendor, NOT_FOUND across occasions', async () => {
    const form = await newForm(w);
    for (const role of ['viewer', 'vendor']) {
      const watch = await watchOccasion(s, w.occasionId);
      expect(errorCode(await call(w.people[role]!.token, ARCHIVE, { i: { id: form.id } }))).toBe('FORBIDDEN');
      await watch.expectUnchanged();
    }
    expect(errorCode(await call(other.owner.token, ARCHIVE, { i: { id: form.id } }))).toBe('NOT_FOUND');
    expect((await db.form.findUniqueOrThrow({ where: { id: rawId(form.id) } })).archivedAt).toBeNull();
  });
});

describe('reading forms', () => {
  it('Occasion.forms and form(id) need forms:view; another occasion’s form is NOT_FOUND', async () => {
    const form = await newForm(w, { title: 'Readable' });
    const listed = await must(s, w.people.forms_editor!.token, `query($id: ID!) { occasion(id: $id) { forms { id title } } }`, { id: w.occasionId });
    expect(listed.occasion.forms).toContainEqual({ id: form.id, title: 'Readable' });
    for (const role of ['viewer', 'vendor']) {
      expect(errorCode(await call(w.people[role]!.token, `query($id: ID!) { occasion(id: $id) { forms { id } } }`, { id: w.occasionId }))).toBe(
        'FORBIDDEN',
      );
      expect(errorCode(await call(w.people[role]!.token, FORM_QUERY, { id: form.id }))).toBe('FORBIDDEN');
    }
    expect(errorCode(await call(other.owner.token, FORM_QUERY, { id: form.id }))).toBe('NOT_FOUND');
    expect(errorCode(await call(w.owner.token, FORM_QUERY, { id: otherForm.id }))).toBe('NOT_FOUND');
  });
});

describe('saveFormSubmission (the interface RSVP calls)', () => {
  const save = (args: {
    formId: string;
    answers: AnswerInput[];
    participantActorIds?: string[];
    requireRequired?: boolean;
    eventIndex?: number;
    respondent?: string;
  }) =>
    db.$transaction((tx) =>
      saveFormSubmission(tx, {
        occasionId: rawId(w.occasionId),
        formId: rawId(args.formId),
        eventId: rawId(w.eventIds[args.eventIndex ?? 0]!),
        respondentActorId: args.respondent ?? rawId(w.households[0]!.id),
        rsvpResponseId: null,
        participantActorIds: args.participantActorIds ?? [],
        answers: args.answers,
        pathPrefix: 'input.responses.0.answers',
        requireRequired: args.requireRequired ?? true,
      }),
    );
  const failure = async (p: Promise<unknown>) => {
    const e = await p.then(
      () => null,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(ValidationError);
    return (e as ValidationError).fields;
  };
  const answerRows = () => db.formAnswer.count({ where: { submission: { occasionId: rawId(w.occasionId) } } });
  const submissionRows = () => db.formSubmission.count({ where: { occasionId: rawId(w.occasionId) } });

  it('stores one submission per form, event and respondent; saving again replaces its answers', async () => {
    const form = await newForm(w);
    const [meal, notes] = form.fields.map((f) => rawId(f.id));
    const first = await save({
      formId: form.id,
      answers: [
        { fieldId: meal!, value: 'fish' },
        { fieldId: notes!, actorId: null, value: '  No nuts please  ' },
      ],
    });
    const second = await save({ formId: form.id, answers: [{ fieldId: meal!, value: 'veg' }] });
    expect(second.submissionId).toBe(first.submissionId);
    const otherEvent = await save({ formId: form.id, eventIndex: 1, answers: [{ fieldId: meal!, value: 'fish' }] });
    expect(otherEvent.submissionId).not.toBe(first.submissionId);

    const answers = await db.formAnswer.findMany({ where: { submissionId: first.submissionId } });
    expect(answers.map((a) => [a.questionId, a.actorId, a.value])).toEqual([[meal, rawId(w.households[0]!.id), 'veg']]);
    const r = await must(s, w.owner.token, SUBMISSIONS, { id: form.id, eventId: w.eventIds[0] });
    expect(r.form.submissions.totalCount).toBe(1);
    expect(r.form.submissions.edges[0].node).toMatchObject({
      eventId: w.eventIds[0],
      respondentActorId: w.households[0]!.id,
      answers: [{ actorId: w.households[0]!.id, value: 'veg', field: { key: 'meal', version: 1 } }],
    });
    // Text is stored trimmed; blank answers are not stored at all.
    await save({
      formId: form.id,
      answers: [
        { fieldId: meal!, value: 'fish' },
        { fieldId: notes!, value: '  No nuts  ' },
      ],
    });
    expect((await db.formAnswer.findFirstOrThrow({ where: { submissionId: first.submissionId, questionId: notes } })).value).toBe('No nuts');
    await save({
      formId: form.id,
      answers: [
        { fieldId: meal!, value: 'fish' },
        { fieldId: notes!, value: ' ' },
      ],
    });
    expect(await db.formAnswer.count({ where: { submissionId: first.submissionId } })).toBe(1);
  });

  it('keeps old answers on the version they answered when the question is edited', async () => {
    // given: a guest answered v1 of the meal question
    const form = await newForm(w);
    const v1 = form.fields[0]!;
    const { submissionId } = await save({ formId: form.id, answers: [{ fieldId: rawId(v1.id), value: 'veg' }] });
    // when: the planner edits it into v2 with other options
    const v2 = (
      await must(s, w.owner.token, UPDATE, {
        i: {
          id: v1.id,
          label: 'Main course',
          options: [
            { value: 'beef', label: 'Beef' },
            { value: 'tofu', label: 'Tofu' },
          ],
        },
      })
    ).updateFormField.field as Field;
    // then: the old answer still points at v1, with v1's label and options
    const [row] = await db.formAnswer.findMany({ where: { submissionId } });
    expect(row).toMatchObject({ questionId: rawId(v1.id), value: 'veg' });
    const r = await must(s, w.owner.token, SUBMISSIONS, { id: form.id, eventId: w.eventIds[0] });
    expect(r.form.submissions.edges[0].node.answers).toEqual([
      {
        actorId: w.households[0]!.id,
        value: 'veg',
        field: { id: v1.id, key: 'meal', version: 1, label: 'Meal choice', options: MEAL.options, retiredAt: expect.any(String) },
      },
    ]);
    // and v1 can no longer be answered; v2 can, with its own options
    const stale = await failure(save({ formId: form.id, answers: [{ fieldId: rawId(v1.id), value: 'veg' }] }));
    expect(stale).toContainEqual({ path: 'input.responses.0.answers.0.fieldId', message: 'This question changed; reload the form.' });
    expect(await db.formAnswer.findMany({ where: { submissionId } })).toEqual([row]);
    const oldOption = await failure(save({ formId: form.id, answers: [{ fieldId: rawId(v2.id), value: 'veg' }] }));
    expect(oldOption.map((f) => f.path)).toEqual(['input.responses.0.answers.0.value']);
    await save({ formId: form.id, answers: [{ fieldId: rawId(v2.id), value: 'tofu' }] });
    expect((await currentQuestions(db, rawId(form.id))).map((f) => [f.key, f.version])).toEqual([
      ['meal', 2],
      ['notes', 1],
    ]);
  });

  it('refuses invalid answers with paths under pathPrefix, writing nothing', async () => {
    const form = await newForm(w, {
      fields: [
        MEAL,
        {
          key: 'diet',
          label: 'Diet',
          type: 'MULTI_CHOICE',
          options: [
            { value: 'gf', label: 'Gluten-free' },
            { value: 'vegan', label: 'Vegan' },
          ],
        },
        { key: 'wine', label: 'Wine?', type: 'BOOLEAN' },
        { key: 'age', label: 'Age', type: 'NUMBER' },
        NOTES,
      ],
    });
    const id = (k: string) => rawId(form.fields.find((f) => f.key === k)!.id);
    const P = 'input.responses.0.answers';
    const answers0 = await answerRows();
    const submissions0 = await submissionRows();
    const cases: [AnswerInput[], { path: string; message?: string }[]][] = [
      [
        [{ fieldId: rawId(otherForm.fields[0]!.id), value: 'fish' }],
        [{ path: `${P}.0.fieldId`, message: 'This answers a question of another form.' }],
      ],
      [[{ fieldId: 'not-a-uuid', value: 'fish' }], [{ path: `${P}.0.fieldId` }]],
      [[{ fieldId: id('meal'), value: 'lobster' }], [{ path: `${P}.0.value` }]],
      [[{ fieldId: id('meal'), value: ['fish'] }], [{ path: `${P}.0.value` }]],
      [[{ fieldId: id('diet'), value: ['gf', 'gf'] }], [{ path: `${P}.0.value` }]],
      [[{ fieldId: id('diet'), value: 'gf' }], [{ path: `${P}.0.value` }]],
      [[{ fieldId: id('wine'), value: 'yes' }], [{ path: `${P}.0.value` }]],
      [[{ fieldId: id('age'), value: '42' }], [{ path: `${P}.0.value` }]],
      [[{ fieldId: id('notes'), value: 'x'.repeat(2001) }], [{ path: `${P}.0.value` }]],
      [[{ fieldId: id('notes'), value: 42 }], [{ path: `${P}.0.value` }]],
      [
        [
          { fieldId: id('meal'), value: 'fish' },
          { fieldId: id('meal'), value: 'veg' },
        ],
        [{ path: `${P}.1` }],
      ],
      [[{ fieldId: id('meal'), actorId: rawId(w.households[1]!.id), value: 'fish' }], [{ path: `${P}.0.actorId` }, { path: P }]],
    ];
    for (const [answers, expected] of cases) {
      const withMeal = answers.some((a) => a.fieldId === id('meal')) ? answers : [...answers, { fieldId: id('meal'), value: 'fish' }];
      const fields = await failure(save({ formId: form.id, answers: withMeal }));
      expect(fields, JSON.stringify(answers).slice(0, 200)).toEqual(expected.map((e) => expect.objectContaining(e)));
    }
    // NUMBER must be finite; a required question must be answered when the respondent attends.
    expect(await failure(save({ formId: form.id, answers: [{ fieldId: id('age'), value: Number.POSITIVE_INFINITY }] }))).toEqual([
      expect.objectContaining({ path: `${P}.0.value` }),
      { path: P, message: '“Meal choice” needs an answer.' },
    ]);
    expect(await failure(save({ formId: form.id, answers: [{ fieldId: id('meal'), value: null }] }))).toEqual([
      { path: P, message: '“Meal choice” needs an answer.' },
    ]);
    expect(await answerRows()).toBe(answers0);
    expect(await submissionRows()).toBe(submissions0);
    // Not attending: required questions may stay blank.
    await save({ formId: form.id, requireRequired: false, answers: [{ fieldId: id('wine'), value: false }] });
  });

  it('PERSON forms: answers per attending person, actorId required, required per person', async () => {
    const form = await newForm(w, { appliesTo: 'PERSON', fields: [MEAL] });
    const meal = rawId(form.fields[0]!.id);
    const [ada, bob] = w.households[0]!.memberIds.map(rawId);
    const outsider = rawId(w.households[1]!.memberIds[0]!);
    const P = 'input.responses.0.answers';
    const answers0 = await answerRows();
    const paths = async (answers: AnswerInput[], participants = [ada!, bob!]) =>
      (await failure(save({ formId: form.id, participantActorIds: participants, answers }))).map((f) => f.path);
    expect(await paths([{ fieldId: meal, value: 'fish' }])).toEqual([`${P}.0.actorId`, P]);
    expect(
      await paths([
        { fieldId: meal, actorId: ada!, value: 'fish' },
        { fieldId: meal, actorId: outsider, value: 'fish' },
      ]),
    ).toEqual([`${P}.1.actorId`, P]);
    const missing = await failure(
      save({ formId: form.id, participantActorIds: [ada!, bob!], answers: [{ fieldId: meal, actorId: ada!, value: 'fish' }] }),
    );
    expect(missing).toEqual([{ path: P, message: '“Meal choice” needs an answer for each attending person (1 missing).' }]);
    // Bob does not attend: he is no participant, so his answer is refused and none is required of him.
    expect(
      await paths(
        [
          { fieldId: meal, actorId: ada!, value: 'fish' },
          { fieldId: meal, actorId: bob!, value: 'veg' },
        ],
        [ada!],
      ),
    ).toEqual([`${P}.1.actorId`]);
    expect(await answerRows()).toBe(answers0);

    const { submissionId } = await save({
      formId: form.id,
      participantActorIds: [ada!, bob!],
      answers: [
        { fieldId: meal, actorId: ada!, value: 'fish' },
        { fieldId: meal, actorId: bob!, value: 'veg' },
      ],
    });
    const rows = await db.formAnswer.findMany({ where: { submissionId }, orderBy: { actorId: 'asc' } });
    expect(rows.map((r) => [r.actorId, r.value]).sort()).toEqual(
      [
        [ada, 'fish'],
        [bob, 'veg'],
      ].sort(),
    );
  });

  it('lists submissions with their answers and question versions in a constant number of statements', async () => {
    const form = await newForm(w);
    const [meal, notes] = form.fields.map((f) => rawId(f.id));
    const answerAs = (respondent: string) =>
      save({
        formId: form.id,
        eventIndex: 1,
        respondent,
        answers: [
          { fieldId: meal!, value: 'fish' },
          { fieldId: notes!, value: 'hi' },
        ],
      });
    const statements = async () => {
      const before = s.app.db.statements.count;
      const r = await must(s, w.owner.token, SUBMISSIONS, { id: form.id, eventId: w.eventIds[1] });
      return { count: s.app.db.statements.count - before, total: r.form.submissions.totalCount };
    };
    for (let i = 0; i < 2; i++) await answerAs(randomUUID());
    const few = await statements();
    for (let i = 0; i < 6; i++) await answerAs(randomUUID());
    const many = await statements();
    expect([few.total, many.total]).toEqual([2, 8]);
    expect(many.count).toBe(few.count);
  });

  it('refuses answers to an archived form', async () => {
    const form = await newForm(w);
    await must(s, w.owner.token, ARCHIVE, { i: { id: form.id } });
    const fields = await failure(save({ formId: form.id, answers: [{ fieldId: rawId(form.fields[0]!.id), value: 'fish' }] }));
    expect(fields.map((f) => f.path)).toEqual(['input.responses.0.answers']);
  });
});

describe('RSVP linkedFormId (module config hook)', () => {
  it('accepts an open form of the same occasion', async () => {
    const form = await newForm(w);
    const r = await call(w.owner.token, ENABLE, { i: { eventId: w.eventIds[1], moduleKey: 'rsvp', config: { linkedFormId: rawId(form.id) } } });
    expect(r.body.data.enableModule.enablement.config).toEqual({ linkedFormId: rawId(form.id) });
  });

  it('refuses another occasion’s form exactly like a missing or archived one; nothing written', async () => {
    const archived = await newForm(w);
    await must(s, w.owner.token, ARCHIVE, { i: { id: archived.id } });
    const watch = await watchOccasion(s, w.occasionId);
    const refusal = async (linkedFormId: string) => {
      const r = await call(w.owner.token, ENABLE, { i: { eventId: w.eventIds[0], moduleKey: 'rsvp', config: { linkedFormId } } });
      expect(r.body.data.enableModule).toMatchObject({ __typename: 'ValidationError', fields: [{ path: 'input.config.linkedFormId' }] });
      return r.body.data.enableModule;
    };
    const foreign = await refusal(rawId(otherForm.id));
    expect(await refusal('00000000-0000-7000-8000-000000000000')).toEqual(foreign);
    expect(await refusal(rawId(archived.id))).toEqual(foreign);
    await watch.expectUnchanged();
  });
});

describe('who reads answers', () => {
  it('forms:view shows questions, not answers: a forms_editor cannot list submissions (who answered is who attends)', async () => {
    const w = await buildWorld(s, { events: 1, households: [1], modules: { rsvp: [0] }, collaborators: { helper: undefined } });
    await must(s, w.owner.token, `mutation($i: InstallModuleInput!) { installModule(input: $i) { __typename } }`, {
      i: { occasionId: w.occasionId, moduleKey: 'forms' },
    });
    const form = (
      await must(s, w.owner.token, `mutation($i: CreateFormInput!) { createForm(input: $i) { ... on FormPayload { form { id } } } }`, {
        i: { occasionId: w.occasionId, title: 'Dinner', appliesTo: 'HOUSEHOLD', fields: [{ key: 'note', label: 'Note', type: 'TEXT' }] },
      })
    ).createForm.form;
    await must(s, w.owner.token, `mutation($i: GrantAccessInput!) { grantAccess(input: $i) { __typename } }`, {
      i: { occasionId: w.occasionId, subjectId: w.people.helper!.actorId, role: 'forms_editor', scope: { type: 'OCCASION' } },
    });
    const q = `query($id: ID!) { form(id: $id) { title submissions(first: 5) { totalCount } } }`;
    const title = await s.gql(`query($id: ID!) { form(id: $id) { title } }`, { id: form.id }, { token: w.people.helper!.token });
    expect(title.body.data.form.title).toBe('Dinner');
    const r = await s.gql(q, { id: form.id }, { token: w.people.helper!.token });
    expect(r.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(r.body.errors?.[0]?.path).toEqual(['form', 'submissions']);
    const owner = await s.gql(q, { id: form.id }, { token: w.owner.token });
    expect(owner.body.data.form.submissions.totalCount).toBe(0);
  });
});
