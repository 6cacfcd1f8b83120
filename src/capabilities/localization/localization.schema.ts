import { builder } from '../../kit/builder.js';
import type { Context } from '../../kit/context.js';
import { ErrorInterface } from '../../kit/common.schema.js';
import { encodeGlobalID } from '../../kit/ids.js';
import { payload } from '../../kit/payload.js';
import { canField, inheritedType, type InputIdArgs } from '../../kit/rules.js';
import { inTransaction } from '../../kit/transaction.js';
import { ValidationError } from '../../platform/errors.js';
import { MessageChannelEnum, MessageKindEnum } from '../../domains/communications/communications.schema.js';
import { EventType } from '../../domains/events/events.schema.js';
import { OccasionType } from '../../domains/occasions/occasions.schema.js';
import { TranslationSyntaxError } from './localization.errors.js';
import { direction, requireLocale } from './locales.js';
import { missingTranslations, type MissingText } from './missing-translations.js';
import { parseStoredField, translatables } from './translatable.js';
import { localizedText, type TranslationRow } from './translation-loaders.js';
import { deleteTranslation, setTranslation, type TranslatableField } from './translations.service.js';

/*
 * Content translations in GraphQL. The stored fields (Occasion.name,
 * Event.name, Event.description, a question's label) keep answering with the
 * stored text, so no existing query or persisted document changes;
 * `localizedName` / `localizedDescription` answer in the caller's locale (the
 * `locale` argument, else the caller's saved locale, else the request's
 * Accept-Language: request-locale.ts) with the fallback chain
 * he-IL → he → the occasion's default (the stored text). Forms add their
 * questions' localized fields themselves (modules/forms).
 */

const LOCALE_ARG = { description: 'A BCP 47 locale (he, he-IL); without it, your saved locale, then the request’s Accept-Language.' };

export const TranslatableFieldEnum = builder.enumType('TranslatableField', {
  values: {
    NAME: { value: 'name' },
    DESCRIPTION: { value: 'description' },
    LABEL: { value: 'label', description: 'A form question’s label.' },
    CHOICE_LABEL: { value: 'choice', description: 'The label of one choice of a form question (choiceValue says which).' },
    TEMPLATE: { value: 'template', description: 'A message template (listed as missing only: write it with saveMessageTemplate).' },
  } as const,
});

/** How a stored field reads in the API: its part as the enum, and the item and choice it belongs to. */
function fieldParts(field: string): { field: TranslatableField; resourceKey: string | null; choiceValue: string | null } {
  const { key, part, choiceValue } = parseStoredField(field);
  return { field: (choiceValue !== null ? 'choice' : part) as TranslatableField, resourceKey: key, choiceValue };
}

/** The global id of the row a translation is stored on: a contributed resource's parent (a question's Form). */
const storedOn = (ctx: Context, r: { resourceType: string; resourceId: string }) =>
  encodeGlobalID(translatables(ctx.app.moduleRegistry).get(r.resourceType)?.idType ?? r.resourceType, r.resourceId);
const RESOURCE_ID = 'Global id of the occasion or event, or of a form for a FormQuestion (resourceKey then names the question).';
const RESOURCE_KEY = 'Which item of the resource: a FormQuestion’s key in its form (meal). Null for an occasion or event.';

export const ContentTranslationType = builder.objectRef<TranslationRow>('ContentTranslation').implement({
  ...inheritedType,
  description:
    'A planner’s translation of one text of the occasion, of one of its events or of a form question. The value is text, stored as typed (HTML included).',
  fields: (t) => ({
    id: t.id({ ...inheritedType, resolve: (r) => encodeGlobalID('ContentTranslation', r.id) }),
    resourceType: t.exposeString('resourceType', { ...inheritedType, description: 'Occasion, Event or FormQuestion.' }),
    resourceId: t.id({ ...inheritedType, description: RESOURCE_ID, resolve: (r, _a, ctx) => storedOn(ctx, r) }),
    resourceKey: t.string({ ...inheritedType, nullable: true, description: RESOURCE_KEY, resolve: (r) => fieldParts(r.field).resourceKey }),
    field: t.field({ ...inheritedType, type: TranslatableFieldEnum, resolve: (r) => fieldParts(r.field).field }),
    choiceValue: t.string({
      ...inheritedType,
      nullable: true,
      description: 'For CHOICE_LABEL: the choice’s value.',
      resolve: (r) => fieldParts(r.field).choiceValue,
    }),
    locale: t.exposeString('locale', inheritedType),
    direction: t.string({ ...inheritedType, description: 'ltr or rtl, for the locale.', resolve: (r) => direction(r.locale) }),
    value: t.exposeString('value', inheritedType),
    updatedAt: t.expose('updatedAt', { ...inheritedType, type: 'DateTime' }),
  }),
});

const MissingTranslationType = builder.objectRef<MissingText>('MissingTranslation').implement({
  ...inheritedType,
  description:
    'A text with wording in the occasion’s default locale and no translation into the asked locale (nor its parent: he for he-IL); or a message template the occasion wrote in its default locale only.',
  fields: (t) => ({
    resourceType: t.exposeString('resourceType', { ...inheritedType, description: 'Occasion, Event, FormQuestion or MessageTemplate.' }),
    resourceId: t.id({
      ...inheritedType,
      description: `${RESOURCE_ID} For a MessageTemplate, the occasion (messageKind and messageChannel name the template).`,
      resolve: (m, _a, ctx) => (m.template ? encodeGlobalID('Occasion', m.resourceId) : storedOn(ctx, m)),
    }),
    resourceKey: t.string({ ...inheritedType, nullable: true, description: RESOURCE_KEY, resolve: (m) => fieldParts(m.field).resourceKey }),
    field: t.field({ ...inheritedType, type: TranslatableFieldEnum, resolve: (m) => fieldParts(m.field).field }),
    choiceValue: t.string({ ...inheritedType, nullable: true, resolve: (m) => fieldParts(m.field).choiceValue }),
    messageKind: t.field({ ...inheritedType, type: MessageKindEnum, nullable: true, resolve: (m) => m.template?.kind ?? null }),
    messageChannel: t.field({ ...inheritedType, type: MessageChannelEnum, nullable: true, resolve: (m) => m.template?.channel ?? null }),
    sourceText: t.exposeString('sourceText', {
      ...inheritedType,
      description: 'The stored text, to translate from (a template’s subject, or its text for SMS).',
    }),
  }),
});

const manage = canField('translations:manage', 'OCCASION', (o: { id: string }) => ({ occasionId: o.id }));

builder.prismaObjectFields(OccasionType, (t) => ({
  localizedName: t.string({
    description: 'The name in the caller’s locale (see ContentTranslation), else the stored name.',
    args: { locale: t.arg.string(LOCALE_ARG) },
    resolve: (o, args, ctx) =>
      localizedText(ctx, { occasionId: o.id, resourceId: o.id, field: 'name', stored: o.name, defaultLocale: o.defaultLocale }, args.locale),
  }),
  translations: t.field({
    type: [ContentTranslationType],
    ...manage,
    description: 'Translations of the occasion’s, its events’ and its form questions’ texts, optionally in one locale only.',
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
      'Which texts of the occasion, its events and its forms’ current questions and choices have no translation into `locale` (a he translation counts for he-IL), and which message templates it wrote only in its default locale. Empty for the occasion’s own default locale.',
    args: { locale: t.arg.string({ required: true }) },
    resolve: (o, args, ctx) => missingTranslations(ctx.prisma, ctx.app.moduleRegistry, o, requireLocale(args.locale, 'locale')),
  }),
}));

builder.prismaObjectFields(EventType, (t) => ({
  localizedName: t.string({
    description: 'The name in the caller’s locale (see ContentTranslation), else the stored name.',
    args: { locale: t.arg.string(LOCALE_ARG) },
    resolve: (e, args, ctx) => localizedText(ctx, { occasionId: e.occasionId, resourceId: e.id, field: 'name', stored: e.name }, args.locale),
  }),
  localizedDescription: t.string({
    nullable: true,
    description: 'The description in the caller’s locale, else the stored one.',
    args: { locale: t.arg.string(LOCALE_ARG) },
    resolve: (e, args, ctx) =>
      localizedText(ctx, { occasionId: e.occasionId, resourceId: e.id, field: 'description', stored: e.description }, args.locale),
  }),
}));

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
  resourceId: t.globalID({
    description:
      'A form, with resourceKey naming its question: a question’s translations belong to the question, so they stay when it is edited (a new version).',
  }),
  resourceKey: t.string({ description: 'With resourceId: the question’s key (meal).' }),
  field: t.field({ type: TranslatableFieldEnum, required: true }),
  choiceValue: t.string({ description: 'For CHOICE_LABEL: the value of the choice whose label this translates.' }),
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
const serviceInput = (input: {
  occasionId: { id: string };
  eventId?: { id: string } | null;
  resourceId?: { typename: string; id: string } | null;
}) => {
  const { resourceId, ...rest } = input;
  return { ...rest, occasionId: input.occasionId.id, eventId: input.eventId?.id ?? null, resource: resourceId ?? null };
};

builder.mutationFields((t) => ({
  setContentTranslation: t.field({
    type: ContentTranslationPayload,
    ...manageInput,
    description:
      'Adds or replaces the translation of one text into one locale: the occasion’s name, an event’s name or description, a form question’s label or one of its choices.',
    args: { input: t.arg({ type: SetContentTranslationInput, required: true }) },
    errors: { types: [ValidationError, TranslationSyntaxError] },
    resolve: async (_r, { input }, ctx) => ({
      translation: await inTransaction(ctx, (tx) => setTranslation(tx, ctx.caller, ctx.app.moduleRegistry, serviceInput(input))),
    }),
  }),
  deleteContentTranslation: t.field({
    type: DeleteContentTranslationPayload,
    ...manageInput,
    description: 'Removes a translation; readers fall back along the chain again.',
    args: { input: t.arg({ type: DeleteContentTranslationInput, required: true }) },
    errors: { types: [ValidationError] },
    resolve: async (_r, { input }, ctx) => inTransaction(ctx, (tx) => deleteTranslation(tx, ctx.caller, ctx.app.moduleRegistry, serviceInput(input))),
  }),
}));
