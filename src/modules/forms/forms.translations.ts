import { defineTranslatable, storedField, type SourceText, type TextPart } from '../../capabilities/localization/translatable.js';
import { isUuid } from '../../kit/ids.js';
import type { Prisma, Tx } from '../../platform/db/client.js';
import { CHOICE_TYPES, optionsOf, type QuestionShape } from './forms.questions.js';

/*
 * Form questions as Localization's translatable texts: a question's label and
 * each choice's label. A translation belongs to the question as a planner
 * knows it — its form and key — not to one version: editing a question writes
 * a new version (to keep earlier answers pinned to what was asked), and a
 * planner who marks a question required or fixes a typo expects the Hebrew
 * they wrote to stay. So translations are stored on the form with the key in
 * the field (`meal:label`, `meal:option:veg`), need no copying when a version
 * is made, and a choice's translation applies for as long as its value is
 * offered.
 */

/** The texts of one question version, by part: its label, and each choice's label. */
export function questionTexts(q: QuestionShape & { label: string }): Map<TextPart, string> {
  const texts = new Map<TextPart, string>([['label', q.label]]);
  if (CHOICE_TYPES.includes(q.type as never)) for (const o of optionsOf(q)) texts.set(`option:${o.value}`, o.label);
  return texts;
}

/** The stored field of a question's label or of one of its choices (see above). */
export const questionField = (key: string, part: TextPart) => storedField(key, part);

export const formQuestionTranslations = defineTranslatable({
  resourceType: 'FormQuestion',
  idType: 'Form',
  keyName: 'question',
  async find(tx: Tx, occasionId: string, formId: string, key: string | null) {
    if (!isUuid(formId)) return null;
    const form = await tx.form.findFirst({
      where: { id: formId, occasionId },
      select: { id: true, questions: key ? { where: { key, retiredAt: null }, take: 1 } : { take: 0 } },
    });
    if (!form) return null;
    const current = form.questions[0];
    return { resourceId: form.id, texts: current ? questionTexts(current) : null };
  },
  async texts(db: Prisma | Tx, occasionId: string): Promise<SourceText[]> {
    // What guests can be shown: current questions of forms not archived, form by form in display order.
    const questions = await db.formQuestion.findMany({
      where: { occasionId, retiredAt: null, form: { archivedAt: null } },
      orderBy: [{ form: { createdAt: 'asc' } }, { formId: 'asc' }, { position: 'asc' }, { key: 'asc' }],
    });
    return questions.flatMap((q) =>
      [...questionTexts(q)].map(([part, sourceText]) => ({
        resourceType: 'FormQuestion',
        resourceId: q.formId,
        field: questionField(q.key, part),
        sourceText,
      })),
    );
  },
});
