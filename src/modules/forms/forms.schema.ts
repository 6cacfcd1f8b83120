import { EventType } from '../../domains/events/events.schema.js';
import { OccasionType } from '../../domains/occasions/occasions.schema.js';
import { builder } from '../../kit/builder.js';
import { encodeGlobalID } from '../../kit/ids.js';
import { defined, payload } from '../../kit/payload.js';
import { canField, canType, inheritedType, type IdArgs, type InputIdArgs } from '../../kit/rules.js';
import { inTransaction } from '../../kit/transaction.js';
import { ConflictError, ModuleDependencyError, ValidationError } from '../../platform/errors.js';
import type { FormQuestionRow } from './forms.answers.js';
import { FORM_APPLIES_TO, optionsOf, QUESTION_TYPES, type FormOption } from './forms.questions.js';
import { addFormQuestion, archiveForm, createForm, removeFormQuestion, updateFormQuestion } from './forms.service.js';

/*
 * In code a form holds questions (model FormQuestion). The GraphQL API names a
 * question version FormField on the planner side (mutations addFormField…,
 * FormFieldPayload, FormFieldType) and FormQuestion in the guest view; the
 * refs and inputs below declare those API types and carry their API names.
 */

export const FormAppliesTo = builder.enumType('FormAppliesTo', {
  values: FORM_APPLIES_TO,
  description: 'HOUSEHOLD: one set of answers per invitation; PERSON: one per attending person.',
});
export const FormFieldTypeEnum = builder.enumType('FormFieldType', { values: QUESTION_TYPES });

export const FormOptionType = builder.objectRef<FormOption>('FormOption').implement({
  ...inheritedType,
  description: 'One choice of a SINGLE_CHOICE or MULTI_CHOICE question: `value` is what answers carry.',
  fields: (t) => ({
    value: t.exposeString('value', inheritedType),
    label: t.exposeString('label', inheritedType),
  }),
});

/**
 * A question as a guest sees it: the current version of a form question, without
 * planner-only history. Other modules (RSVP's guest view) return it under their own rules.
 */
export const FormQuestionType = builder.objectRef<FormQuestionRow>('FormQuestion').implement({
  ...inheritedType,
  description: 'A question to answer. Answer with its `id`: that pins the answer to the version shown.',
  fields: (t) => ({
    id: t.id({ ...inheritedType, resolve: (f) => encodeGlobalID('FormField', f.id) }),
    key: t.exposeString('key', inheritedType),
    label: t.exposeString('label', inheritedType),
    type: t.expose('type', { type: FormFieldTypeEnum, ...inheritedType }),
    options: t.field({ type: [FormOptionType], ...inheritedType, resolve: (f) => optionsOf(f) }),
    required: t.exposeBoolean('required', inheritedType),
  }),
});

const occasionOf = (x: { occasionId: string }) => ({ occasionId: x.occasionId });
const viewForms = (o: { id: string }) => ({ occasionId: o.id });

/** A question version as planners see it (GraphQL FormField). */
export const FormFieldType = builder.prismaNode('FormQuestion', {
  name: 'FormField',
  id: { field: 'id' },
  ...canType('forms:view', 'OCCASION', occasionOf),
  description: 'One version of a question. Editing writes the next version under the same key; answers keep the version they answered.',
  fields: (t) => ({
    key: t.exposeString('key', { description: 'Stable across versions (e.g. meal_choice).' }),
    version: t.exposeInt('version'),
    label: t.exposeString('label'),
    type: t.expose('type', { type: FormFieldTypeEnum }),
    options: t.field({ type: [FormOptionType], resolve: (f) => optionsOf(f) }),
    required: t.exposeBoolean('required'),
    position: t.exposeInt('position'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    retiredAt: t.expose('retiredAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When a newer version replaced it or the question was removed; null for the current version.',
    }),
    form: t.relation('form'),
  }),
});

export const FormAnswerType = builder.prismaObject('FormAnswer', {
  ...inheritedType,
  description: 'One answer of a submission, for one person (PERSON forms) or the whole invitation (HOUSEHOLD forms).',
  fields: (t) => ({
    field: t.relation('question', { ...inheritedType, description: 'The question version answered, with the label and options the guest saw.' }),
    actorId: t.id({ ...inheritedType, description: 'Global id of the Actor the answer is for.', resolve: (a) => encodeGlobalID('Actor', a.actorId) }),
    value: t.expose('value', { type: 'JSON', ...inheritedType }),
  }),
});

export const FormSubmissionType = builder.prismaNode('FormSubmission', {
  id: { field: 'id' },
  ...canType('forms:read_answers', 'OCCASION', occasionOf),
  description: 'One respondent’s answers to a form for one event.',
  fields: (t) => ({
    form: t.relation('form'),
    eventId: t.id({ nullable: true, resolve: (s) => (s.eventId ? encodeGlobalID('Event', s.eventId) : null) }),
    respondentActorId: t.id({
      description: 'Global id of the Actor who answered (the invitation unit).',
      resolve: (s) => encodeGlobalID('Actor', s.respondentActorId),
    }),
    rsvpResponseId: t.id({ nullable: true, resolve: (s) => (s.rsvpResponseId ? encodeGlobalID('RsvpResponse', s.rsvpResponseId) : null) }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    answers: t.relation('answers', { query: { orderBy: [{ actorId: 'asc' }, { id: 'asc' }] } }),
  }),
});

export const FormType = builder.prismaNode('Form', {
  id: { field: 'id' },
  ...canType('forms:view', 'OCCASION', occasionOf),
  description: 'Questions for guests (meal choice, dietary needs), linked to events by modules such as RSVP.',
  fields: (t) => ({
    title: t.exposeString('title'),
    appliesTo: t.expose('appliesTo', { type: FormAppliesTo }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    archivedAt: t.expose('archivedAt', { type: 'DateTime', nullable: true }),
    occasion: t.relation('occasion'),
    fields: t.relation('questions', {
      description: 'The current questions, in order.',
      query: { where: { retiredAt: null }, orderBy: [{ position: 'asc' }, { key: 'asc' }] },
    }),
    fieldHistory: t.relation('questions', {
      description: 'Every version of every question, including removed ones: by key, oldest version first.',
      query: { orderBy: [{ key: 'asc' }, { version: 'asc' }] },
    }),
    submissions: t.relatedConnection('submissions', {
      ...canField('forms:read_answers', 'OCCASION', occasionOf),
      cursor: 'id',
      totalCount: true,
      description: 'Answers given, one submission per respondent and event.',
      args: { eventId: t.arg.globalID({ for: EventType }) },
      query: (args) => ({ where: args.eventId ? { eventId: args.eventId.id } : {}, orderBy: { id: 'asc' } }),
    }),
  }),
});

builder.prismaObjectField(OccasionType, 'forms', (t) =>
  t.relation('forms', {
    ...canField('forms:view', 'OCCASION', viewForms),
    description: 'Forms of the occasion, oldest first; archived ones only when asked.',
    args: { includeArchived: t.arg.boolean({ defaultValue: false }) },
    query: (args) => ({ where: args.includeArchived ? {} : { archivedAt: null }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] }),
  }),
);

builder.queryField('form', (t) =>
  t.prismaField({
    type: 'Form',
    ...canField('forms:view', 'OCCASION', (_p, args: IdArgs<'id'>, ctx) => ctx.targets.form(args.id.id)),
    args: { id: t.arg.globalID({ required: true, for: FormType }) },
    resolve: (query, _p, args, ctx) => ctx.prisma.form.findUniqueOrThrow({ ...query, where: { id: args.id.id } }),
  }),
);

const FormOptionInput = builder.inputType('FormOptionInput', {
  fields: (t) => ({ value: t.string({ required: true }), label: t.string({ required: true }) }),
});
const NewFormFieldInput = builder.inputType('NewFormFieldInput', {
  description: 'A question created with its form.',
  fields: (t) => ({
    key: t.string({ required: true, description: 'Stable key, e.g. meal_choice: lowercase letters, digits, _.' }),
    label: t.string({ required: true }),
    type: t.field({ type: FormFieldTypeEnum, required: true }),
    options: t.field({ type: [FormOptionInput], description: 'For SINGLE_CHOICE and MULTI_CHOICE only: 1–50 distinct values.' }),
    required: t.boolean(),
    position: t.int({ description: 'Display order; defaults to after the others.' }),
  }),
});
const CreateFormInput = builder.inputType('CreateFormInput', {
  fields: (t) => ({
    occasionId: t.globalID({ required: true, for: OccasionType }),
    title: t.string({ required: true }),
    appliesTo: t.field({ type: FormAppliesTo, required: true }),
    fields: t.field({ type: [NewFormFieldInput] }),
  }),
});
const AddFormFieldInput = builder.inputType('AddFormFieldInput', {
  fields: (t) => ({
    formId: t.globalID({ required: true, for: FormType }),
    key: t.string({ required: true, description: 'Stable key, unique among the form’s current questions.' }),
    label: t.string({ required: true }),
    type: t.field({ type: FormFieldTypeEnum, required: true }),
    options: t.field({ type: [FormOptionInput] }),
    required: t.boolean(),
    position: t.int(),
  }),
});
const UpdateFormFieldInput = builder.inputType('UpdateFormFieldInput', {
  description: 'Writes the next version of the question; answers already given keep the version they answered.',
  fields: (t) => ({
    id: t.globalID({ required: true, for: FormFieldType, description: 'The current version of the question.' }),
    label: t.string(),
    type: t.field({ type: FormFieldTypeEnum }),
    options: t.field({ type: [FormOptionInput], description: 'Replaces all options.' }),
    required: t.boolean(),
    position: t.int(),
  }),
});
const RemoveFormFieldInput = builder.inputType('RemoveFormFieldInput', {
  fields: (t) => ({ id: t.globalID({ required: true, for: FormFieldType }) }),
});
const ArchiveFormInput = builder.inputType('ArchiveFormInput', {
  fields: (t) => ({ id: t.globalID({ required: true, for: FormType }) }),
});

const FormPayload = payload('FormPayload', 'form', FormType);
const FormFieldPayload = builder.objectRef<{ form: object; question: object }>('FormFieldPayload').implement({
  ...inheritedType,
  description: 'The question version the change produced (or retired), and its form.',
  fields: (t) => ({
    field: t.field({ type: FormFieldType, ...inheritedType, resolve: (p) => p.question as never }),
    form: t.field({ type: FormType, ...inheritedType, resolve: (p) => p.form as never }),
  }),
});

builder.mutationFields((t) => ({
  createForm: t.field({
    type: FormPayload,
    ...canField('forms:manage', 'OCCASION', (_p, args: InputIdArgs<'occasionId'>, ctx) => ctx.targets.occasion(args.input.occasionId.id)),
    args: { input: t.arg({ type: CreateFormInput, required: true }) },
    errors: { types: [ValidationError, ModuleDependencyError] },
    resolve: async (_r, { input: { occasionId, fields, ...rest } }, ctx) => ({
      form: await inTransaction(ctx, (tx) =>
        createForm(tx, ctx.caller, occasionId.id, { ...rest, ...(fields ? { fields: fields.map((f) => defined(f)) } : {}) }),
      ),
    }),
  }),
  addFormField: t.field({
    type: FormFieldPayload,
    ...canField('forms:manage', 'OCCASION', (_p, args: InputIdArgs<'formId'>, ctx) => ctx.targets.form(args.input.formId.id)),
    args: { input: t.arg({ type: AddFormFieldInput, required: true }) },
    errors: { types: [ValidationError, ConflictError, ModuleDependencyError] },
    resolve: (_r, { input: { formId, ...rest } }, ctx) => inTransaction(ctx, (tx) => addFormQuestion(tx, ctx.caller, formId.id, defined(rest))),
  }),
  updateFormField: t.field({
    type: FormFieldPayload,
    ...canField('forms:manage', 'OCCASION', (_p, args: InputIdArgs<'id'>, ctx) => ctx.targets.formQuestion(args.input.id.id)),
    args: { input: t.arg({ type: UpdateFormFieldInput, required: true }) },
    errors: { types: [ValidationError, ConflictError, ModuleDependencyError] },
    resolve: (_r, { input: { id, ...patch } }, ctx) => inTransaction(ctx, (tx) => updateFormQuestion(tx, ctx.caller, id.id, defined(patch))),
  }),
  removeFormField: t.field({
    type: FormFieldPayload,
    ...canField('forms:manage', 'OCCASION', (_p, args: InputIdArgs<'id'>, ctx) => ctx.targets.formQuestion(args.input.id.id)),
    args: { input: t.arg({ type: RemoveFormFieldInput, required: true }) },
    errors: { types: [ConflictError, ModuleDependencyError] },
    resolve: (_r, { input }, ctx) => inTransaction(ctx, (tx) => removeFormQuestion(tx, ctx.caller, input.id.id)),
  }),
  archiveForm: t.field({
    type: FormPayload,
    ...canField('forms:manage', 'OCCASION', (_p, args: InputIdArgs<'id'>, ctx) => ctx.targets.form(args.input.id.id)),
    args: { input: t.arg({ type: ArchiveFormInput, required: true }) },
    errors: { types: [ConflictError, ModuleDependencyError] },
    resolve: async (_r, { input }, ctx) => ({ form: await inTransaction(ctx, (tx) => archiveForm(tx, ctx.caller, input.id.id)) }),
  }),
}));
