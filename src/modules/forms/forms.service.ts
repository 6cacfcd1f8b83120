import { z } from 'zod';
import type { FormQuestion } from '../../generated/prisma/client.js';
import { recordAudit } from '../../platform/audit.js';
import type { Tx } from '../../platform/db/client.js';
import { ConflictError, ModuleDependencyError, notFound, ValidationError } from '../../platform/errors.js';
import { recordBusinessEvent } from '../../platform/outbox.js';
import type { Caller } from '../../platform/principal.js';
import { parseInput } from '../../platform/validation.js';
import { currentQuestions } from './forms.answers.js';
import { formArchived, formCreated, formUpdated } from './forms.business-events.js';
import {
  CHOICE_TYPES,
  FORM_APPLIES_TO,
  MAX_QUESTIONS,
  newQuestion,
  optionIssues,
  optionsOf,
  questionParts,
  type FormOption,
} from './forms.questions.js';

const createInput = z
  .object({
    title: z.string().trim().min(1, 'Give the form a title.').max(200, 'At most 200 characters.'),
    appliesTo: z.enum(FORM_APPLIES_TO),
    fields: z.array(newQuestion).max(MAX_QUESTIONS, `At most ${MAX_QUESTIONS} questions.`).default([]),
  })
  .superRefine((f, ctx) => {
    const seen = new Set<string>();
    f.fields.forEach((question, i) => {
      if (seen.has(question.key)) ctx.addIssue({ code: 'custom', path: ['fields', i, 'key'], message: `Key "${question.key}" is used twice.` });
      seen.add(question.key);
    });
  });
const patchInput = z.object(questionParts).partial();

const plainOptions = (options: FormOption[]) => options.map(({ value, label }) => ({ value, label }));

/** Forms are edited only while the module is installed on their occasion. */
async function requireInstalled(tx: Tx, occasionId: string) {
  const inst = await tx.moduleInstallation.findUnique({
    where: { occasionId_moduleKey: { occasionId, moduleKey: 'forms' } },
    select: { id: true },
  });
  if (!inst) throw new ModuleDependencyError('Install the forms module on the occasion before working on forms.', ['forms']);
  return inst;
}

async function editableForm(tx: Tx, formId: string) {
  const form = await tx.form.findUnique({ where: { id: formId } });
  if (!form) throw notFound('Form');
  const inst = await requireInstalled(tx, form.occasionId);
  if (form.archivedAt) throw new ConflictError('This form is archived; create a new form instead.');
  return { form, installationId: inst.id };
}

/** A question version that may still change: the current one of its key. */
async function currentQuestion(tx: Tx, questionId: string) {
  const question = await tx.formQuestion.findUnique({ where: { id: questionId } });
  if (!question) throw notFound('Form field');
  const { form, installationId } = await editableForm(tx, question.formId);
  if (question.retiredAt) throw new ConflictError('This version of the question was already replaced or removed; use the current one.');
  return { question, form, installationId };
}

/** Every question edit stamps the form, so "last changed" covers its questions too. */
const touch = (tx: Tx, formId: string) => tx.form.update({ where: { id: formId }, data: { updatedAt: new Date() } });

/** Audit and business event of a question change; both keep the API's names (FormField, *_field, FIELD_*), which are what they record. */
async function recordQuestionChange(
  tx: Tx,
  caller: Caller,
  action: 'form:add_field' | 'form:update_field' | 'form:remove_field',
  change: 'FIELD_ADDED' | 'FIELD_VERSIONED' | 'FIELD_RETIRED',
  installationId: string,
  question: FormQuestion,
  snapshots: { before?: unknown; after?: unknown },
) {
  await recordAudit(tx, caller, {
    action,
    occasionId: question.occasionId,
    target: { type: 'FormField', id: question.id },
    scope: { installationId, formId: question.formId },
    ...snapshots,
  });
  await recordBusinessEvent(
    tx,
    caller,
    formUpdated,
    { occasionId: question.occasionId, formId: question.formId, change, fieldKey: question.key, fieldId: question.id, version: question.version },
    { occasionId: question.occasionId },
  );
}

export async function createForm(tx: Tx, caller: Caller, occasionId: string, input: unknown) {
  const inst = await requireInstalled(tx, occasionId);
  const data = parseInput(createInput, input);
  const form = await tx.form.create({
    data: {
      occasionId,
      title: data.title,
      appliesTo: data.appliesTo,
      questions: {
        create: data.fields.map((f, i) => ({
          occasionId,
          key: f.key,
          version: 1,
          label: f.label,
          type: f.type,
          options: plainOptions(f.options),
          required: f.required,
          position: f.position ?? i,
        })),
      },
    },
    include: { questions: { orderBy: { position: 'asc' } } },
  });
  await recordAudit(tx, caller, {
    action: 'form:create',
    occasionId,
    target: { type: 'Form', id: form.id },
    scope: { installationId: inst.id },
    after: form,
  });
  await recordBusinessEvent(
    tx,
    caller,
    formCreated,
    { occasionId, formId: form.id, appliesTo: form.appliesTo, fieldKeys: form.questions.map((q) => q.key) },
    { occasionId },
  );
  return form;
}

export async function addFormQuestion(tx: Tx, caller: Caller, formId: string, input: unknown) {
  const { form, installationId } = await editableForm(tx, formId);
  const f = parseInput(newQuestion, input);
  const current = await currentQuestions(tx, formId);
  if (current.some((c) => c.key === f.key))
    throw new ValidationError(`This form already has a question with key "${f.key}"; change it with updateFormField.`, [
      { path: 'input.key', message: 'Already used by a current question.' },
    ]);
  if (current.length >= MAX_QUESTIONS)
    throw new ValidationError(`A form has at most ${MAX_QUESTIONS} questions.`, [{ path: 'input', message: 'Too many questions.' }]);
  // A key removed earlier continues its own version line, so (form, key, version) stays unique.
  const last = await tx.formQuestion.findFirst({ where: { formId, key: f.key }, orderBy: { version: 'desc' }, select: { version: true } });
  const question = await tx.formQuestion.create({
    data: {
      occasionId: form.occasionId,
      formId,
      key: f.key,
      version: (last?.version ?? 0) + 1,
      label: f.label,
      type: f.type,
      options: plainOptions(f.options),
      required: f.required,
      position: f.position ?? Math.max(-1, ...current.map((c) => c.position)) + 1,
    },
  });
  const touched = await touch(tx, formId);
  await recordQuestionChange(tx, caller, 'form:add_field', 'FIELD_ADDED', installationId, question, { after: question });
  return { form: touched, question };
}

/**
 * Changes a question by retiring its current version and writing the next one
 * under the same key: answers already given keep pointing at the version they
 * answered, with the label and options the guest saw.
 */
export async function updateFormQuestion(tx: Tx, caller: Caller, questionId: string, patch: unknown) {
  const p = parseInput(patchInput, patch);
  const { question: before, form, installationId } = await currentQuestion(tx, questionId);
  const type = p.type ?? before.type;
  // Options carry over only while the question stays a choice; switching to a non-choice type drops them.
  const options = p.options ? plainOptions(p.options) : CHOICE_TYPES.includes(type) ? plainOptions(optionsOf(before)) : [];
  const issues = optionIssues(type, options);
  if (issues.length) throw ValidationError.fromZod({ issues });
  const next = {
    label: p.label ?? before.label,
    type,
    options,
    required: p.required ?? before.required,
    position: p.position ?? before.position,
  };
  const unchanged =
    next.label === before.label &&
    next.type === before.type &&
    next.required === before.required &&
    next.position === before.position &&
    JSON.stringify(next.options) === JSON.stringify(plainOptions(optionsOf(before)));
  // Saving a question as it is writes no new version: a client may re-send the whole form.
  if (unchanged) return { form, question: before };
  await tx.formQuestion.update({ where: { id: before.id }, data: { retiredAt: new Date() } });
  const after = await tx.formQuestion.create({
    data: { occasionId: before.occasionId, formId: before.formId, key: before.key, version: before.version + 1, ...next },
  });
  const touched = await touch(tx, before.formId);
  await recordQuestionChange(tx, caller, 'form:update_field', 'FIELD_VERSIONED', installationId, after, { before, after });
  return { form: touched, question: after };
}

/** Removes a question from the form; its versions and their answers stay, for the record. */
export async function removeFormQuestion(tx: Tx, caller: Caller, questionId: string) {
  const { question: before, installationId } = await currentQuestion(tx, questionId);
  const after = await tx.formQuestion.update({ where: { id: before.id }, data: { retiredAt: new Date() } });
  const touched = await touch(tx, before.formId);
  await recordQuestionChange(tx, caller, 'form:remove_field', 'FIELD_RETIRED', installationId, after, { before, after });
  return { form: touched, question: after };
}

/** Archived forms keep their questions and answers but can no longer be edited, linked or answered. */
export async function archiveForm(tx: Tx, caller: Caller, formId: string) {
  const before = await tx.form.findUnique({ where: { id: formId } });
  if (!before) throw notFound('Form');
  const inst = await requireInstalled(tx, before.occasionId);
  if (before.archivedAt) throw new ConflictError('This form is already archived.');
  const after = await tx.form.update({ where: { id: formId }, data: { archivedAt: new Date() } });
  await recordAudit(tx, caller, {
    action: 'form:archive',
    occasionId: before.occasionId,
    target: { type: 'Form', id: formId },
    scope: { installationId: inst.id },
    before,
    after,
  });
  await recordBusinessEvent(tx, caller, formArchived, { occasionId: before.occasionId, formId }, { occasionId: before.occasionId });
  return after;
}
