import type { CommChannel, CommKind } from '../../generated/prisma/client.js';
import type { ModuleRegistry } from '../../domains/module-platform/manifest.js';
import type { Prisma } from '../../platform/db/client.js';
import { normalizeLocale, parentChain } from './locales.js';
import { FIELDS_OF, translatables, type SourceText } from './translatable.js';

/** A text a guest may see with no translation into the asked locale; for a message template, the kind × channel to write. */
export interface MissingText extends SourceText {
  template?: { kind: CommKind; channel: CommChannel };
}

/**
 * Which texts of the occasion have no translation into `locale` (a he one
 * counts for he-IL), in the order a guest meets them: the occasion, its
 * events, the modules' texts (form questions, then their choices), and last
 * the message templates the occasion wrote in its default language but not in
 * this one (a guest reading `locale` would get the built-in message instead).
 * Nothing for the occasion's own default locale. A fixed number of statements.
 */
export async function missingTranslations(
  db: Prisma,
  registry: ModuleRegistry,
  occasion: { id: string; name: string; defaultLocale: string },
  locale: string,
): Promise<MissingText[]> {
  const chain = parentChain(locale);
  const defaults = parentChain(normalizeLocale(occasion.defaultLocale) ?? 'en');
  if (defaults.some((l) => chain.includes(l))) return [];
  const [events, rows, contributed, templates] = await Promise.all([
    db.event.findMany({
      where: { occasionId: occasion.id },
      select: { id: true, name: true, description: true },
      orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
    }),
    db.contentTranslation.findMany({ where: { occasionId: occasion.id, locale: { in: chain } }, select: { resourceId: true, field: true } }),
    Promise.all([...translatables(registry).values()].map((r) => r.texts(db, occasion.id))),
    db.commTemplate.findMany({
      where: { occasionId: occasion.id, locale: { in: [...chain, ...defaults] } },
      orderBy: [{ kind: 'asc' }, { channel: 'asc' }],
      select: { kind: true, channel: true, locale: true, versions: { orderBy: { version: 'desc' }, take: 1, select: { subject: true, text: true } } },
    }),
  ]);
  const have = new Set(rows.map((r) => `${r.resourceId}/${r.field}`));
  const texts: SourceText[] = [
    { resourceType: 'Occasion', resourceId: occasion.id, field: 'name', sourceText: occasion.name },
    ...events.flatMap((e) =>
      FIELDS_OF.Event.flatMap((field) => {
        const sourceText = e[field];
        return sourceText ? [{ resourceType: 'Event', resourceId: e.id, field, sourceText }] : [];
      }),
    ),
    ...contributed.flat(),
  ];
  const translated = new Set(templates.filter((t) => chain.includes(t.locale)).map((t) => `${t.kind}/${t.channel}`));
  const untranslatedTemplates: MissingText[] = templates
    .filter((t) => defaults.includes(t.locale) && !translated.has(`${t.kind}/${t.channel}`))
    // he-IL and he both written: list the kind × channel once.
    .filter((t, i, all) => all.findIndex((x) => x.kind === t.kind && x.channel === t.channel) === i)
    .map((t) => ({
      resourceType: 'MessageTemplate',
      resourceId: occasion.id,
      field: 'template',
      sourceText: t.versions[0]?.subject ?? t.versions[0]?.text ?? '',
      template: { kind: t.kind, channel: t.channel },
    }));
  return [...texts.filter((m) => !have.has(`${m.resourceId}/${m.field}`)), ...untranslatedTemplates];
}
