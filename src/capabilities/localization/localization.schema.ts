import { builder } from '../../kit/builder.js';
import type { Context } from '../../kit/context.js';
import { ErrorInterface } from '../../kit/common.schema.js';
import { encodeGlobalID } from '../../kit/ids.js';
import { payload } from '../../kit/payload.js';
import { requestLoader } from '../../kit/request-loader.js';
import { canField, inheritedType, type InputIdArgs } from '../../kit/rules.js';
import { inTransaction } from '../../kit/transaction.js';
import { ValidationError } from '../../platform/errors.js';
import { EventType } from '../../domains/events/events.schema.js';
import { OccasionType } from '../../domains/occasions/occasions.schema.js';
import { TranslationSyntaxError } from './localization.errors.js';
import { direction, parentChain, requireLocale } from './locales.js';
import { contentLocaleChain, resolveTranslated, type TranslationValue } from './translation-resolve.js';
import { deleteTranslation, FIELDS_OF, setTranslation, TRANSLATABLE_FIELDS, type ResourceType } from './translations.service.js';

/*
 * Content translations in GraphQL. The stored fields (Occasion.name,
 * Event.name, Event.description) keep answering with the stored text, so no
 * existing query or persisted document changes; `localizedName` /
 * `localizedDescription` answer in the caller's locale (the `locale` argument,
 * else the request's Accept-Language) with the fallback chain
 * he-IL → he → the occasion's default (the stored text).
 */

type TranslationRow = TranslationValue & {
  id: string;
  occasionId: string;
  resourceType: string;
  resourceId: string;
  updatedAt: Date;
};

// One statement for every resource of a page (20 events: one IN list), all locales: a row per (field, locale).
const translationsOf = requestLoader<TranslationRow[]>(async (ctx, resourceIds) => {
  const rows = await ctx.prisma.contentTranslation.findMany({ where: { resourceId: { in: resourceIds } } });
  const by = new Map<string, TranslationRow[]>();
  for (const r of rows) by.set(r.resourceId, [...(by.get(r.resourceId) ?? []), r]);
  return by;
});
// An event row does not carry its occasion's default locale: one statement per page of events.
const occasionDefaultLocale = requestLoader<string>(async (ctx, occasionIds) => {
  const rows = await ctx.prisma.occasion.findMany({ where: { id: { in: occasionIds } }, select: { id: true, defaultLocale: true } });
  return new Map(rows.map((r) => [r.id, r.defaultLocale]));
});

const LOCALE_ARG = { description: 'A BCP 47 locale (he, he-IL); without it, the request’s Accept-Language.' };

/** The chain for a read: an explicit locale must be a known one (ValidationError), a header is taken as it comes. */
function chainFor(locale: string | null | undefined, ctx: Context): string[] {
  return contentLocaleChain(locale ? requireLocale(locale, 'locale') : null, ctx.acceptLanguage);
}

export const TranslatableFieldEnum = builder.enumType('TranslatableField', {
  values: { NAME: { value: 'name' }, DESCRIPTION: { value: 'description' } } as const,
});

export const ContentTranslationType = builder.objectRef<TranslationRow>('ContentTranslation').implement({
  ...inheritedType,
  description: 'A planner’s translation of one field of the occasion or of one of its events. The value is text, stored as typed (HTML included).',
  fields: (t) => ({
    id: t.id({ ...inheritedType, resolve: (r) => encodeGlobalID('ContentTranslation', r.id) }),
    resourceType: t.exposeString('resourceType', { ...inheritedType, description: 'Occasion or Event.' }),
    resourceId: t.id({
      ...inheritedType,
      description: 'Global id of the occasion or event.',
      resolve: (r) => encodeGlobalID(r.resourceType, r.resourceId),
    }),
    field: t.field({ ...inheritedType, type: TranslatableFieldEnum, resolve: (r) => r.field as (typeof TRANSLATABLE_FIELDS)[number] }),
    locale: t.exposeString('locale', inheritedType),
    direction: t.string({ ...inheritedType, description: 'ltr or rtl, for the locale.', resolve: (r) => direction(r.locale) }),
    value: t.exposeString('value', inheritedType),
    updatedAt: t.expose('updatedAt', { ...inheritedType, type: 'DateTime' }),
  }),
});

interface Missing {
  resourceType: ResourceType;
  resourceId: string;
  field: string;
  sourceText: string;
}
const MissingTranslationType = builder.objectRef<Missing>('MissingTranslation').implement({
  ...inheritedType,
  description: 'A field with text in the occasion’s default locale and no translation into the asked locale (nor its parent: he for he-IL).',
  fields: (t) => ({
    resourceType: t.exposeString('resourceType', inheritedType),
    resourceId: t.id({ ...inheritedType, resolve: (m) => encodeGlobalID(m.resourceType, m.resourceId) }),
    field: t.field({ ...inheritedType, type: TranslatableFieldEnum, resolve: (m) => m.field as (typeof TRANSLATABLE_FIELDS)[number] }),
    sourceText: t.exposeString('sourceText', { ...inheritedType, description: 'The stored text, to translate from.' }),
  }),
});

const manage = canField('translations:manage', 'OCCASION', (o: { id: string }) => ({ occasionId: o.id }));

builder.prismaObjectFields(OccasionType, (t) => ({
  localizedName: t.string({
    description: 'The name in the caller’s locale (see ContentTranslation), else the stored name.',
    args: { locale: t.arg.string(LOCALE_ARG) },
    resolve: async (o, args, ctx) =>
      resolveTranslated(o.name, 'name', (await translationsOf(ctx, o.id)) ?? [], chainFor(args.locale, ctx), o.defaultLocale),
  }),
  translations: t.field({
    type: [ContentTranslationType],
    ...manage,
    description: 'Translations of the occasion’s and its events’ texts, optionally in one locale only.',
    args: { locale: t.arg.string() },
    resolve: async (o, args, ctx) =>
      ctx.prisma.contentTranslation.findMany({
        where: { occasionId: o.id, ...(args.locale ? { locale: requireLocale(args.locale, 'locale') } : {}) },
        orderBy: [{ resourceType: 'desc' }, { resourceId: 'asc' }, { field: 'asc' }, { locale: 'asc' }],
      }),
  }),
  missingTranslations: t.field({
    type: [MissingTranslationType],
    ...manage,
    description:
      'Which texts of the occasion and its events have no translation into `locale` (a he translation counts for he-IL). Empty for the occasion’s own default locale.',
    args: { locale: t.arg.string({ required: true }) },
    resolve: async (o, args, ctx) => missingTranslations(ctx, o, requireLocale(args.locale, 'locale')),
  }),
}));

builder.prismaObjectFields(EventType, (t) => ({
  localizedName: t.string({
    description: 'The name in the caller’s locale (see ContentTranslation), else the stored name.',
    args: { locale: t.arg.string(LOCALE_ARG) },
    resolve: async (e, args, ctx) => {
      const chain = chainFor(args.locale, ctx);
      const [rows, fallback] = await Promise.all([translationsOf(ctx, e.id), occasionDefaultLocale(ctx, e.occasionId)]);
      return resolveTranslated(e.name, 'name', rows ?? [], chain, fallback ?? 'en');
    },
  }),
  localizedDescription: t.string({
    nullable: true,
    description: 'The description in the caller’s locale, else the stored one.',
    args: { locale: t.arg.string(LOCALE_ARG) },
    resolve: async (e, args, ctx) => {
      const chain = chainFor(args.locale, ctx);
      const [rows, fallback] = await Promise.all([translationsOf(ctx, e.id), occasionDefaultLocale(ctx, e.occasionId)]);
      return resolveTranslated(e.description, 'description', rows ?? [], chain, fallback ?? 'en');
    },
  }),
}));

async function missingTranslations(ctx: Context, o: { id: string; name: string; defaultLocale: string }, locale: string): Promise<Missing[]> {
  const chain = parentChain(locale);
  if (parentChain(o.defaultLocale).some((l) => chain.includes(l))) return [];
  const [events, rows] = await Promise.all([
    ctx.prisma.event.findMany({
      where: { occasionId: o.id },
      select: { id: true, name: true, description: true },
      orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
    }),
    ctx.prisma.contentTranslation.findMany({ where: { occasionId: o.id, locale: { in: chain } }, select: { resourceId: true, field: true } }),
  ]);
  const have = new Set(rows.map((r) => `${r.resourceId}/${r.field}`));
  const texts: Missing[] = [
    { resourceType: 'Occasion', resourceId: o.id, field: 'name', sourceText: o.name },
    ...events.flatMap((e) =>
      FIELDS_OF.Event.flatMap((field) => {
        const sourceText = e[field];
        return sourceText ? [{ resourceType: 'Event' as const, resourceId: e.id, field, sourceText }] : [];
      }),
    ),
  ];
  return texts.filter((m) => !have.has(`${m.resourceId}/${m.field}`));
}

builder.objectType(TranslationSyntaxError, {
  name: 'TranslationSyntaxError',
  interfaces: [ErrorInterface],
  ...inheritedType,
  description: 'The translation is not valid ICU MessageFormat; nothing was stored.',
  fields: (t) => ({
    position: t.exposeInt('position', { ...inheritedType, description: '0-based offset into the value where the parser stopped.' }),
    line: t.exposeInt('line', inheritedType),
    column: t.exposeInt('column', inheritedType),
  }),
});

const keyFields = (t: Parameters<Parameters<typeof builder.inputType>[1]['fields']>[0]) => ({
  occasionId: t.globalID({ required: true, for: OccasionType }),
  eventId: t.globalID({ for: EventType, description: 'The event whose field this is; omit for the occasion’s own.' }),
  field: t.field({ type: TranslatableFieldEnum, required: true }),
  locale: t.string({ required: true, description: 'A BCP 47 locale (he, he-IL).' }),
});
const SetContentTranslationInput = builder.inputType('SetContentTranslationInput', {
  fields: (t) => ({ ...keyFields(t), value: t.string({ required: true, description: 'ICU MessageFormat text; HTML is stored as text.' }) }),
});
const DeleteContentTranslationInput = builder.inputType('DeleteContentTranslationInput', { fields: (t) => keyFields(t) });
const ContentTranslationPayload = payload('ContentTranslationPayload', 'translation', ContentTranslationType);
const DeleteContentTranslationPayload = builder.objectRef<{ id: string }>('DeleteContentTranslationPayload').implement({
  ...inheritedType,
  fields: (t) => ({ deletedId: t.id({ ...inheritedType, resolve: (p) => encodeGlobalID('ContentTranslation', p.id) }) }),
});

const manageInput = canField('translations:manage', 'OCCASION', (_p, args: InputIdArgs<'occasionId'>, ctx) =>
  ctx.targets.occasion(args.input.occasionId.id),
);
const serviceInput = (input: { occasionId: { id: string }; eventId?: { id: string } | null }) => ({
  ...input,
  occasionId: input.occasionId.id,
  eventId: input.eventId?.id ?? null,
});

builder.mutationFields((t) => ({
  setContentTranslation: t.field({
    type: ContentTranslationPayload,
    ...manageInput,
    description: 'Adds or replaces the translation of one field of the occasion or of one of its events into one locale.',
    args: { input: t.arg({ type: SetContentTranslationInput, required: true }) },
    errors: { types: [ValidationError, TranslationSyntaxError] },
    resolve: async (_r, { input }, ctx) => ({
      translation: await inTransaction(ctx, (tx) => setTranslation(tx, ctx.caller, serviceInput(input))),
    }),
  }),
  deleteContentTranslation: t.field({
    type: DeleteContentTranslationPayload,
    ...manageInput,
    description: 'Removes a translation; readers fall back along the chain again.',
    args: { input: t.arg({ type: DeleteContentTranslationInput, required: true }) },
    errors: { types: [ValidationError] },
    resolve: async (_r, { input }, ctx) => inTransaction(ctx, (tx) => deleteTranslation(tx, ctx.caller, serviceInput(input))),
  }),
}));
