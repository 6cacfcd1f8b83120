import { z } from 'zod';
import type { ModuleRegistry } from '../../domains/module-platform/manifest.js';
import { isUuid } from '../../kit/ids.js';
import { recordAudit } from '../../platform/audit.js';
import type { Tx } from '../../platform/db/client.js';
import { notFound, ValidationError } from '../../platform/errors.js';
import type { Caller } from '../../platform/principal.js';
import { parseInput } from '../../platform/validation.js';
import { TranslationSyntaxError } from './localization.errors.js';
import { requireLocale } from './locales.js';
import { icuSyntaxProblem } from './messages.js';
import { FIELDS_OF, storedField, translatableByIdType, type TextPart } from './translatable.js';

/*
 * Planners' translations of an occasion's own texts. The stored field (an
 * event's name, a question's label) stays the text in the occasion's default
 * locale; a translation adds the same field in another locale, and readers
 * fall back along he-IL → he → the occasion's default (translation-resolve.ts).
 * Besides the occasion and its events, modules contribute resources
 * (translatable.ts): a form question, named by its form and key.
 *
 * Values are stored exactly as given: HTML in a translation is text, and
 * escaping it is the renderer's job (a guest page, an email template), as it is
 * for every other string a planner types.
 */

export const TRANSLATABLE_FIELDS = ['name', 'description', 'label', 'choice', 'template'] as const;
export type TranslatableField = (typeof TRANSLATABLE_FIELDS)[number];

const MAX_VALUE = 5000;

const key = z.object({
  occasionId: z.string(),
  eventId: z.string().nullish(),
  /** A contributed resource's parent row, as its decoded global id (a Form). */
  resource: z.object({ typename: z.string(), id: z.string() }).nullish(),
  resourceKey: z.string().max(100).nullish(),
  field: z.enum(TRANSLATABLE_FIELDS),
  choiceValue: z.string().max(100).nullish(),
  locale: z.string().max(35, 'Use a BCP 47 tag such as he or he-IL.'),
});
const setInput = key.extend({
  value: z
    .string()
    .refine((v) => v.trim().length > 0, 'Give the translation a text (deleteContentTranslation removes one).')
    .max(MAX_VALUE),
});
type Key = z.output<typeof key>;

const invalid = (path: string, message: string) => new ValidationError(message, [{ path, message }]);

/** The part a key names (a choice by its value); a template is not translated here. */
function partOf(data: Key): TextPart {
  if (data.field === 'template')
    throw invalid('input.field', 'Message templates are written per language: save one in this locale with saveMessageTemplate.');
  if (data.field === 'choice') {
    if (!data.choiceValue) throw invalid('input.choiceValue', 'Say which choice: its value.');
    return `option:${data.choiceValue}`;
  }
  if (data.choiceValue) throw invalid('input.choiceValue', 'Only a CHOICE_LABEL names a choice.');
  return data.field;
}

interface Resolved {
  resourceType: string;
  resourceId: string;
  eventId: string | null;
  field: string;
  /** Where the audit row says the text is (an event; a form and question key). */
  scope: Record<string, unknown> | null;
}

/**
 * The resource a key names, checked to belong to the occasion: another
 * occasion's event or form is NOT_FOUND, before anything else is looked at.
 * `mustExist`: setting needs the text to exist now (a current question, a
 * choice it still offers); deleting may remove a translation of a text since removed.
 */
async function resolve(tx: Tx, registry: ModuleRegistry, data: Key, mustExist: boolean): Promise<Resolved> {
  if (data.resource) {
    const contribution = translatableByIdType(registry, data.resource.typename);
    if (!contribution) throw invalid('input.resourceId', 'Name the occasion (no id), an event (eventId) or a form (resourceId with resourceKey).');
    if (!isUuid(data.resource.id)) throw notFound(contribution.idType);
    const found = await contribution.find(tx, data.occasionId, data.resource.id, data.resourceKey ?? null);
    if (!found) throw notFound(contribution.idType);
    if (data.eventId) throw invalid('input.eventId', 'Give eventId or resourceId, not both.');
    if (!data.resourceKey) throw invalid('input.resourceKey', `Say which ${contribution.keyName}.`);
    const part = partOf(data);
    if (part === 'name' || part === 'description') throw invalid('input.field', `Translate a ${contribution.keyName}’s LABEL or a CHOICE_LABEL.`);
    if (mustExist) {
      if (!found.texts) throw invalid('input.resourceKey', `There is no ${contribution.keyName} "${data.resourceKey}" to translate.`);
      if (!found.texts.has(part)) {
        const choices = [...found.texts.keys()].filter((p) => p.startsWith('option:')).map((p) => p.slice('option:'.length));
        throw invalid(
          'input.choiceValue',
          choices.length ? `Not a choice of this question (choose from ${choices.join(', ')}).` : 'This question has no choices to translate.',
        );
      }
    }
    return {
      resourceType: contribution.resourceType,
      resourceId: found.resourceId,
      eventId: null,
      field: storedField(data.resourceKey, part),
      scope: { resourceType: contribution.resourceType, resourceId: found.resourceId, resourceKey: data.resourceKey },
    };
  }
  const resourceType = data.eventId ? 'Event' : 'Occasion';
  if (data.eventId) {
    if (!isUuid(data.eventId)) throw notFound('Event');
    const event = await tx.event.findFirst({ where: { id: data.eventId, occasionId: data.occasionId }, select: { id: true } });
    if (!event) throw notFound('Event');
  }
  const part = partOf(data);
  const fields: readonly string[] = FIELDS_OF[resourceType];
  if (!fields.includes(part)) {
    const what = resourceType === 'Occasion' ? 'An occasion' : 'An event';
    throw invalid('input.field', `${what} has no ${part.startsWith('option:') ? 'choices' : part} to translate (it has ${fields.join(', ')}).`);
  }
  return {
    resourceType,
    resourceId: data.eventId ?? data.occasionId,
    eventId: data.eventId ?? null,
    field: part,
    scope: data.eventId ? { eventId: data.eventId } : null,
  };
}

export async function setTranslation(tx: Tx, caller: Caller, registry: ModuleRegistry, input: unknown) {
  const data = parseInput(setInput, input);
  const { resourceType, resourceId, eventId, field, scope } = await resolve(tx, registry, data, true);
  const locale = requireLocale(data.locale);
  const problem = icuSyntaxProblem(data.value, locale);
  if (problem) {
    throw new TranslationSyntaxError(
      `The translation is not valid ICU MessageFormat (${problem.message} at line ${problem.line}, column ${problem.column}). Write a literal { or } as '{' or '}'.`,
      problem.offset,
      problem.line,
      problem.column,
    );
  }
  const unique = { resourceType_resourceId_field_locale: { resourceType, resourceId, field, locale } };
  const before = await tx.contentTranslation.findUnique({ where: unique });
  const after = await tx.contentTranslation.upsert({
    where: unique,
    create: { occasionId: data.occasionId, resourceType, resourceId, eventId, field, locale, value: data.value },
    update: { value: data.value },
  });
  await recordAudit(tx, caller, {
    action: 'translations:manage',
    occasionId: data.occasionId,
    target: { type: 'ContentTranslation', id: after.id },
    scope,
    before,
    after,
  });
  return after;
}

export async function deleteTranslation(tx: Tx, caller: Caller, registry: ModuleRegistry, input: unknown) {
  const data = parseInput(key, input);
  const { resourceType, resourceId, field, scope } = await resolve(tx, registry, data, false);
  const locale = requireLocale(data.locale);
  const before = await tx.contentTranslation.findUnique({
    where: { resourceType_resourceId_field_locale: { resourceType, resourceId, field, locale } },
  });
  if (!before) throw notFound('Translation');
  await tx.contentTranslation.delete({ where: { id: before.id } });
  await recordAudit(tx, caller, {
    action: 'translations:manage',
    occasionId: data.occasionId,
    target: { type: 'ContentTranslation', id: before.id },
    scope,
    before,
  });
  return before;
}
