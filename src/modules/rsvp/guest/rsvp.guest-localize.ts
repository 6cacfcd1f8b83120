import { resolveTranslated, type TranslationValue } from '../../../capabilities/localization/translation-resolve.js';
import type { Prisma, Tx } from '../../../platform/db/client.js';
import { optionsOf } from '../../forms/forms.questions.js';
import { questionField } from '../../forms/forms.translations.js';
import type { GuestView } from './rsvp.guest-view.js';

/**
 * A guest view (guestView()) in the guest's language: the occasion's name,
 * the events' names and descriptions, and the linked forms' question labels
 * and choice labels replaced by the planners' translations, each along
 * `chain` (best first, e.g. he-IL, he — see contentLocaleChain /
 * requestLocaleChain) until it reaches the occasion's default locale, whose
 * wording is the stored text. Same shape as the view it is given, so a page
 * or resolver renders either. Choice values, ids and answers are unchanged.
 *
 * One statement for every translation of the view, whatever its size; none
 * when the chain is empty (no locale asked for: the stored text).
 */
export async function localizeGuestView(db: Prisma | Tx, view: GuestView, chain: readonly string[]): Promise<GuestView> {
  if (!chain.length) return view;
  const occasionId = view.invitation.occasionId;
  const forms = [...new Map(view.events.flatMap((e) => (e.form ? [[e.form.id, e.form] as const] : []))).values()];
  const resourceIds = [...new Set([occasionId, ...view.events.map((e) => e.event.id), ...forms.map((f) => f.id)])];
  // The default locale rides along, so the whole view costs one statement (a join with the translations).
  const occasion = await db.occasion.findUniqueOrThrow({
    where: { id: occasionId },
    select: {
      defaultLocale: true,
      contentTranslations: {
        where: { resourceId: { in: resourceIds }, locale: { in: [...chain] } },
        select: { resourceId: true, field: true, locale: true, value: true },
      },
    },
  });
  const byResource = new Map<string, TranslationValue[]>();
  for (const r of occasion.contentTranslations) byResource.set(r.resourceId, [...(byResource.get(r.resourceId) ?? []), r]);
  const text = <T extends string | null>(resourceId: string, field: string, stored: T): T =>
    resolveTranslated(stored, field, byResource.get(resourceId) ?? [], chain, occasion.defaultLocale) as T;

  const localizedForms = new Map(
    forms.map((form) => [
      form.id,
      {
        ...form,
        questions: form.questions.map((q) => ({
          ...q,
          label: text(form.id, questionField(q.key, 'label'), q.label),
          options: optionsOf(q).map((o) => ({ ...o, label: text(form.id, questionField(q.key, `option:${o.value}`), o.label) })),
        })),
      },
    ]),
  );
  return {
    ...view,
    occasion: { ...view.occasion, name: text(occasionId, 'name', view.occasion.name) },
    events: view.events.map((e) => ({
      ...e,
      event: {
        ...e.event,
        name: text(e.event.id, 'name', e.event.name),
        description: text(e.event.id, 'description', e.event.description),
      },
      form: e.form ? (localizedForms.get(e.form.id) ?? e.form) : null,
    })),
  };
}
