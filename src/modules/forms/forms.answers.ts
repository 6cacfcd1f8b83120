import type { FormQuestion, Prisma as P } from '../../generated/prisma/client.js';
import type { Prisma, Tx } from '../../platform/db/client.js';
import { isUuid } from '../../kit/ids.js';
import { type FieldIssue, ValidationError } from '../../platform/errors.js';
import { checkValue, isBlank } from './forms.questions.js';

/**
 * What other modules (RSVP first) call to show a form's questions and store a
 * guest's answers. The caller owns the transaction and the permission check;
 * this file owns what a valid answer is.
 */

export type FormQuestionRow = FormQuestion;

/** One answer as the API takes it: `fieldId` is the question version answered, named as in GraphQL's FormAnswerInput (and in error paths). */
export interface AnswerInput {
  fieldId: string;
  actorId?: string | null;
  value: unknown;
}

/** Current (retiredAt null) versions of a form's questions, in display order. */
export async function currentQuestions(db: Prisma | Tx, formId: string): Promise<FormQuestionRow[]> {
  return db.formQuestion.findMany({ where: { formId, retiredAt: null }, orderBy: [{ position: 'asc' }, { key: 'asc' }] });
}

/**
 * A form that can be linked and answered: of this occasion and not archived.
 * A form of another occasion is null exactly like a missing one, so callers leak nothing.
 */
export async function openForm(db: Prisma | Tx, occasionId: string, formId: string) {
  if (!isUuid(formId)) return null;
  return db.form.findFirst({ where: { id: formId, occasionId, archivedAt: null } });
}

const issuesError = (issues: FieldIssue[]) => new ValidationError(issues.map((f) => `${f.path}: ${f.message}`).join('; '), issues);

/** Validates answers against the form's current question versions and saves one submission per (form, event, respondent), replacing that submission's previous answers. Throws ValidationError (from src/platform/errors.ts) whose field paths start with `pathPrefix` (e.g. "input.responses.0.answers"). */
export async function saveFormSubmission(
  tx: Tx,
  args: {
    occasionId: string;
    formId: string;
    eventId: string;
    respondentActorId: string;
    rsvpResponseId: string | null;
    participantActorIds: string[]; // PERSON forms: answers only for these actors, actorId required; HOUSEHOLD forms: actorId omitted/null → respondentActorId
    answers: AnswerInput[];
    pathPrefix: string;
    requireRequired: boolean; // true when the respondent attends: every required current question must be answered (per participant for PERSON forms)
  },
): Promise<{ submissionId: string }> {
  const { occasionId, formId, eventId, respondentActorId, pathPrefix } = args;
  const form = await openForm(tx, occasionId, formId);
  if (!form) throw issuesError([{ path: pathPrefix, message: 'This form is closed; reload to see the current questions.' }]);
  const perPerson = form.appliesTo === 'PERSON';
  const whom = [...new Set(perPerson ? args.participantActorIds : [respondentActorId])];
  const questions = await currentQuestions(tx, formId);
  // Each (question, person) is answered at most once; beyond that (with room for one person's worth of
  // mistakes, reported one by one) the input is malformed: refuse it before looking closer.
  if (args.answers.length > questions.length * (whom.length + 1))
    throw issuesError([{ path: pathPrefix, message: `Too many answers: this form has ${questions.length} questions.` }]);

  const byId = new Map(questions.map((q) => [q.id, q]));
  const notCurrent = [...new Set(args.answers.map((a) => a.fieldId).filter((id) => !byId.has(id) && isUuid(id)))];
  // Of the ids that are not current, those of this form are versions a planner has since replaced or removed.
  const retired = new Set(
    notCurrent.length ? (await tx.formQuestion.findMany({ where: { id: { in: notCurrent }, formId }, select: { id: true } })).map((q) => q.id) : [],
  );

  const participants = new Set(whom);
  const issues: FieldIssue[] = [];
  const rows: { questionId: string; actorId: string; value: unknown }[] = [];
  const attempted = new Set<string>();
  const invalid = new Set<string>();
  args.answers.forEach((a, i) => {
    const at = `${pathPrefix}.${i}`;
    const question = byId.get(a.fieldId);
    if (!question) {
      issues.push({
        path: `${at}.fieldId`,
        message: retired.has(a.fieldId) ? 'This question changed; reload the form.' : 'This answers a question of another form.',
      });
      return;
    }
    let actorId = respondentActorId;
    if (perPerson) {
      if (!a.actorId) return void issues.push({ path: `${at}.actorId`, message: 'Say whose answer this is: this form is answered per person.' });
      if (!participants.has(a.actorId))
        return void issues.push({ path: `${at}.actorId`, message: 'Answer only for the people attending this event.' });
      actorId = a.actorId;
    } else if (a.actorId && a.actorId !== respondentActorId) {
      return void issues.push({ path: `${at}.actorId`, message: 'This form is answered once for the whole invitation; leave actorId out.' });
    }
    const key = `${question.id}|${actorId}`;
    if (attempted.has(key)) return void issues.push({ path: at, message: 'This question is already answered for the same person above.' });
    attempted.add(key);
    if (isBlank(a.value)) return;
    const checked = checkValue(question, a.value);
    if (!checked.ok) {
      invalid.add(key);
      return void issues.push({ path: `${at}.value`, message: checked.message });
    }
    rows.push({ questionId: question.id, actorId, value: checked.value });
  });

  if (args.requireRequired) {
    const answered = new Set(rows.map((r) => `${r.questionId}|${r.actorId}`));
    for (const q of questions.filter((x) => x.required)) {
      // A wrong answer is already reported where it was given; only questions left unanswered are reported here.
      const missing = whom.filter((actorId) => !answered.has(`${q.id}|${actorId}`) && !invalid.has(`${q.id}|${actorId}`));
      if (missing.length)
        issues.push({
          path: pathPrefix,
          message: perPerson
            ? `“${q.label}” needs an answer for each attending person (${missing.length} missing).`
            : `“${q.label}” needs an answer.`,
        });
    }
  }
  if (issues.length) throw issuesError(issues);

  const submission = await tx.formSubmission.upsert({
    where: { formId_eventId_respondentActorId: { formId, eventId, respondentActorId } },
    create: { occasionId, formId, eventId, respondentActorId, rsvpResponseId: args.rsvpResponseId },
    update: { rsvpResponseId: args.rsvpResponseId, updatedAt: new Date() },
  });
  await tx.formAnswer.deleteMany({ where: { submissionId: submission.id } });
  if (rows.length)
    await tx.formAnswer.createMany({
      data: rows.map((r) => ({ submissionId: submission.id, questionId: r.questionId, actorId: r.actorId, value: r.value as P.InputJsonValue })),
    });
  return { submissionId: submission.id };
}
