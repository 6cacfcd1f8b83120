import { z } from 'zod';
import { isUuid } from '../../kit/ids.js';
import { recordAudit } from '../../platform/audit.js';
import type { Tx } from '../../platform/db/client.js';
import { notFound, ValidationError } from '../../platform/errors.js';
import type { Caller } from '../../platform/principal.js';
import { parseInput } from '../../platform/validation.js';
import { TranslationSyntaxError } from './localization.errors.js';
import { requireLocale } from './locales.js';
import { icuSyntaxProblem } from './messages.js';

/*
 * Planners' translations of an occasion's own texts. The stored field (an
 * event's name) stays the text in the occasion's default locale; a translation
 * adds the same field in another locale, and readers fall back along
 * he-IL → he → the occasion's default (translation-resolve.ts).
 *
 * Values are stored exactly as given: HTML in a translation is text, and
 * escaping it is the renderer's job (a guest page, an email template), as it is
 * for every other string a planner types.
 */

export const RESOURCE_TYPES = ['Occasion', 'Event'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];
export const TRANSLATABLE_FIELDS = ['name', 'description'] as const;
export type TranslatableField = (typeof TRANSLATABLE_FIELDS)[number];

/** Which fields each resource has to translate (an occasion has no description). */
export const FIELDS_OF: Record<ResourceType, readonly TranslatableField[]> = {
  Occasion: ['name'],
  Event: ['name', 'description'],
};

const MAX_VALUE = 5000;

const key = z.object({
  occasionId: z.string(),
  eventId: z.string().nullish(),
  field: z.enum(TRANSLATABLE_FIELDS),
  locale: z.string().max(35, 'Use a BCP 47 tag such as he or he-IL.'),
});
const setInput = key.extend({
  value: z
    .string()
    .refine((v) => v.trim().length > 0, 'Give the translation a text (deleteContentTranslation removes one).')
    .max(MAX_VALUE),
});

/** The resource a key names, checked to belong to the occasion: another occasion's event is NOT_FOUND. */
async function resourceOf(tx: Tx, occasionId: string, eventId: string | null | undefined, field: TranslatableField) {
  const resourceType: ResourceType = eventId ? 'Event' : 'Occasion';
  if (eventId) {
    if (!isUuid(eventId)) throw notFound('Event');
    const event = await tx.event.findFirst({ where: { id: eventId, occasionId }, select: { id: true } });
    if (!event) throw notFound('Event');
  }
  if (!FIELDS_OF[resourceType].includes(field)) {
    const message = `${resourceType === 'Occasion' ? 'An occasion' : 'An event'} has no ${field} to translate (it has ${FIELDS_OF[resourceType].join(', ')}).`;
    throw new ValidationError(message, [{ path: 'input.field', message }]);
  }
  return { resourceType, resourceId: eventId ?? occasionId, eventId: eventId ?? null };
}

export async function setTranslation(tx: Tx, caller: Caller, input: unknown) {
  const data = parseInput(setInput, input);
  // Another occasion's event is NOT_FOUND whatever else is wrong with the input.
  const { resourceType, resourceId, eventId } = await resourceOf(tx, data.occasionId, data.eventId, data.field);
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
  const unique = { resourceType_resourceId_field_locale: { resourceType, resourceId, field: data.field, locale } };
  const before = await tx.contentTranslation.findUnique({ where: unique });
  const after = await tx.contentTranslation.upsert({
    where: unique,
    create: { occasionId: data.occasionId, resourceType, resourceId, eventId, field: data.field, locale, value: data.value },
    update: { value: data.value },
  });
  await recordAudit(tx, caller, {
    action: 'translations:manage',
    occasionId: data.occasionId,
    target: { type: 'ContentTranslation', id: after.id },
    scope: eventId ? { eventId } : null,
    before,
    after,
  });
  return after;
}

export async function deleteTranslation(tx: Tx, caller: Caller, input: unknown) {
  const data = parseInput(key, input);
  const { resourceType, resourceId, eventId } = await resourceOf(tx, data.occasionId, data.eventId, data.field);
  const locale = requireLocale(data.locale);
  const before = await tx.contentTranslation.findUnique({
    where: { resourceType_resourceId_field_locale: { resourceType, resourceId, field: data.field, locale } },
  });
  if (!before) throw notFound('Translation');
  await tx.contentTranslation.delete({ where: { id: before.id } });
  await recordAudit(tx, caller, {
    action: 'translations:manage',
    occasionId: data.occasionId,
    target: { type: 'ContentTranslation', id: before.id },
    scope: eventId ? { eventId } : null,
    before,
  });
  return before;
}
