import { builder } from '../../kit/builder.js';
import { ErrorInterface } from '../../kit/common.schema.js';
import type { Context } from '../../kit/context.js';
import { canField, inheritedType, type InputIdArgs } from '../../kit/rules.js';
import { inTransaction } from '../../kit/transaction.js';
import { ValidationError } from '../../platform/errors.js';
import { OccasionType } from '../occasions/occasions.schema.js';
import { MessageChannelEnum, MessageKindEnum } from './communications.schema.js';
import { localeChain } from './template-versions.js';
import { saveTemplate } from './templates.service.js';
import { checkTemplate } from './templates/check.js';
import { DEFAULT_LOCALES, defaultTemplate, hasDefaultTemplate } from './templates/defaults.js';
import { CHANNELS, TEMPLATE_KINDS, textDirection, type Channel, type TemplateKind, type TemplateSource } from './templates/kinds.js';
import { withTextDirection } from './templates/direction.js';
import { renderTemplate } from './templates/render.js';
import { sampleVariables } from './templates/sample-variables.js';
import { TemplateError, type TemplateProblem } from './templates/template-error.js';

/*
 * Message templates (planner side): the occasion's own, per kind × channel ×
 * locale and versioned, or the built-in ones; checking and previewing a
 * template without sending anything.
 */

const TemplateProblemType = builder.objectRef<TemplateProblem>('TemplateProblem').implement({
  ...inheritedType,
  description: 'A problem in a template, where the editor can point at it (1-based line and column of the part).',
  fields: (t) => ({
    part: t.exposeString('part', { ...inheritedType, description: 'subject, html or text.' }),
    line: t.exposeInt('line', inheritedType),
    column: t.exposeInt('column', inheritedType),
    code: t.exposeString('code', {
      ...inheritedType,
      description: 'SYNTAX, UNKNOWN_VARIABLE, UNKNOWN_FILTER, TOO_LARGE, MISSING_PART, NOT_ALLOWED, LIMIT_EXCEEDED, RENDER_FAILED.',
    }),
    message: t.exposeString('message', inheritedType),
  }),
});

builder.objectType(TemplateError, {
  name: 'TemplateInvalidError',
  interfaces: [ErrorInterface],
  ...inheritedType,
  description: 'The template has problems: nothing was saved.',
  fields: (t) => ({ problems: t.field({ type: [TemplateProblemType], ...inheritedType, resolve: (e) => e.problems }) }),
});

export interface RenderedPreview {
  subject: string | null;
  html: string | null;
  text: string | null;
  direction: 'ltr' | 'rtl';
  locale: string;
  problems: TemplateProblem[];
}

export const RenderedMessageType = builder.objectRef<RenderedPreview>('RenderedMessage').implement({
  ...inheritedType,
  description: 'A message as it would be sent, or the template’s problems when it cannot be rendered.',
  fields: (t) => ({
    subject: t.exposeString('subject', { ...inheritedType, nullable: true }),
    html: t.exposeString('html', { ...inheritedType, nullable: true }),
    text: t.exposeString('text', { ...inheritedType, nullable: true }),
    direction: t.exposeString('direction', { ...inheritedType, description: 'ltr or rtl, from the locale.' }),
    locale: t.exposeString('locale', inheritedType),
    problems: t.field({ type: [TemplateProblemType], ...inheritedType, resolve: (p) => p.problems }),
  }),
});

export const TemplateSourceInput = builder.inputType('MessageTemplateSourceInput', {
  description: 'Liquid source per part: EMAIL takes subject and html (text optional: derived from html); SMS takes text only.',
  fields: (t) => ({ subject: t.string(), html: t.string(), text: t.string() }),
});

interface TemplateView {
  occasionId: string;
  kind: TemplateKind;
  channel: Channel;
  locale: string;
  version: number | null;
  updatedAt: Date | null;
  source: TemplateSource;
}

const MessageTemplateType = builder.objectRef<TemplateView>('MessageTemplate').implement({
  ...inheritedType,
  description: 'The template a kind of message uses in one language: the occasion’s own (version ≥ 1) or the built-in one (version null).',
  fields: (t) => ({
    kind: t.field({ type: MessageKindEnum, ...inheritedType, resolve: (v) => v.kind }),
    channel: t.field({ type: MessageChannelEnum, ...inheritedType, resolve: (v) => v.channel }),
    locale: t.exposeString('locale', inheritedType),
    direction: t.string({ ...inheritedType, resolve: (v) => textDirection(v.locale) }),
    version: t.exposeInt('version', { ...inheritedType, nullable: true }),
    isBuiltIn: t.boolean({ ...inheritedType, resolve: (v) => v.version === null }),
    updatedAt: t.expose('updatedAt', { ...inheritedType, type: 'DateTime', nullable: true }),
    subject: t.string({ ...inheritedType, nullable: true, resolve: (v) => v.source.subject }),
    html: t.string({ ...inheritedType, nullable: true, resolve: (v) => v.source.html }),
    text: t.string({ ...inheritedType, nullable: true, resolve: (v) => v.source.text }),
  }),
});

builder.prismaObjectField(OccasionType, 'messageTemplates', (t) =>
  t.field({
    type: [MessageTemplateType],
    ...canField('communications:view', 'OCCASION', (o: { id: string }) => ({ occasionId: o.id })),
    description: 'Every template messages of this occasion use, per kind, channel and language (built-in ones where the occasion has none).',
    args: { kind: t.arg({ type: MessageKindEnum }), channel: t.arg({ type: MessageChannelEnum }), locale: t.arg.string() },
    resolve: async (o, args, ctx) => {
      const own = await ctx.prisma.commTemplate.findMany({
        where: { occasionId: o.id },
        include: { versions: { orderBy: { version: 'desc' }, take: 1 } },
      });
      const locales = [...new Set([...DEFAULT_LOCALES, ...own.map((x) => x.locale)])].filter((l) => !args.locale || l === args.locale);
      const out: TemplateView[] = [];
      for (const kind of TEMPLATE_KINDS.filter((k) => !args.kind || k === args.kind))
        for (const channel of CHANNELS.filter((c) => !args.channel || c === args.channel))
          for (const locale of locales) {
            const mine = own.find((x) => x.kind === kind && x.channel === channel && x.locale === locale);
            const v = mine?.versions[0];
            if (v) out.push({ occasionId: o.id, kind, channel, locale, version: v.version, updatedAt: v.createdAt, source: v });
            else if (hasDefaultTemplate(kind, channel) && DEFAULT_LOCALES.includes(locale))
              out.push({ occasionId: o.id, kind, channel, locale, version: null, updatedAt: null, source: defaultTemplate(kind, channel, locale) });
          }
      return out;
    },
  }),
);

/** The template a preview renders: the one given, else the occasion's current one for the locale, else the built-in. */
async function templateFor(ctx: Context, occasionId: string, kind: TemplateKind, channel: Channel, locale: string): Promise<TemplateSource> {
  const occasion = await ctx.prisma.occasion.findUniqueOrThrow({ where: { id: occasionId }, select: { defaultLocale: true } });
  const own = await ctx.prisma.commTemplate.findMany({
    where: { occasionId, kind, channel, locale: { in: localeChain(locale, occasion.defaultLocale) } },
    include: { versions: { orderBy: { version: 'desc' }, take: 1 } },
  });
  const mine = own.find((x) => x.locale === locale) ?? own.find((x) => x.locale === locale.split('-')[0]);
  return mine?.versions[0] ?? defaultTemplate(kind, channel, locale);
}

export async function previewWith(
  ctx: Context,
  p: { occasionId: string; kind: TemplateKind; channel: Channel; locale: string; template: Partial<TemplateSource> | null; variables: unknown },
): Promise<RenderedPreview> {
  const source: TemplateSource = p.template
    ? { subject: p.template.subject ?? null, html: p.template.html ?? null, text: p.template.text ?? null }
    : await templateFor(ctx, p.occasionId, p.kind, p.channel, p.locale);
  // The message's own links are made when it is sent; a preview shows stand-ins that lead nowhere.
  const base = ctx.app.config.publicUrl.replace(/\/+$/, '');
  const links = { unsubscribeUrl: `${base}/communications/unsubscribe?t=preview`, preferencesUrl: `${base}/communications/preferences?t=preview` };
  try {
    const r = await renderTemplate(p.kind, p.channel, source, { ...links, ...(p.variables as object) } as never);
    return {
      ...r,
      html: r.html === null ? null : withTextDirection(r.html, p.locale),
      direction: textDirection(p.locale),
      locale: p.locale,
      problems: [],
    };
  } catch (e) {
    if (e instanceof TemplateError)
      return { subject: null, html: null, text: null, direction: textDirection(p.locale), locale: p.locale, problems: e.problems };
    throw e;
  }
}

builder.queryField('previewMessageTemplate', (t) =>
  t.field({
    type: RenderedMessageType,
    ...canField('communications:view', 'OCCASION', (_p, args: { occasionId: { id: string } }, ctx) => ctx.targets.occasion(args.occasionId.id)),
    description: 'A template rendered with sample data (or checked: its problems, with line and column), without sending anything.',
    args: {
      occasionId: t.arg.globalID({ required: true, for: OccasionType }),
      kind: t.arg({ type: MessageKindEnum, required: true }),
      channel: t.arg({ type: MessageChannelEnum, required: true }),
      locale: t.arg.string({ required: true }),
      template: t.arg({ type: TemplateSourceInput, description: 'Render this instead of the saved template.' }),
    },
    resolve: (_r, args, ctx) =>
      previewWith(ctx, {
        occasionId: args.occasionId.id,
        kind: args.kind,
        channel: args.channel,
        locale: args.locale,
        template: args.template ?? null,
        variables: sampleVariables(args.kind, args.locale),
      }),
  }),
);

const SaveInput = builder.inputType('SaveMessageTemplateInput', {
  fields: (t) => ({
    occasionId: t.globalID({ required: true, for: OccasionType }),
    kind: t.field({ type: MessageKindEnum, required: true }),
    channel: t.field({ type: MessageChannelEnum, required: true }),
    locale: t.string({ required: true, description: 'A language tag such as en, he or en-GB.' }),
    template: t.field({ type: TemplateSourceInput, required: true }),
  }),
});

builder.mutationField('saveMessageTemplate', (t) =>
  t.field({
    type: MessageTemplateType,
    ...canField('communications:manage_templates', 'OCCASION', (_p, args: InputIdArgs<'occasionId'>, ctx) =>
      ctx.targets.occasion(args.input.occasionId.id),
    ),
    description:
      'Save a new version of the occasion’s template for this kind, channel and language. Messages already queued keep the version they were queued with. A template with problems is refused (TemplateInvalidError, with line and column) and nothing is saved.',
    args: { input: t.arg({ type: SaveInput, required: true }) },
    errors: { types: [ValidationError, TemplateError] },
    resolve: async (_r, { input }, ctx) => {
      const source = { subject: input.template.subject ?? null, html: input.template.html ?? null, text: input.template.text ?? null };
      const problems = checkTemplate(input.kind, input.channel, source);
      if (problems.length) throw new TemplateError(problems);
      // Checked at rest too: a template that parses but fails on real-looking data (a filter on a missing value) is refused now, not at send time.
      await renderTemplate(input.kind, input.channel, source, sampleVariables(input.kind, input.locale) as never);
      const v = await inTransaction(ctx, (tx) =>
        saveTemplate(tx, ctx.caller, input.occasionId.id, { kind: input.kind, channel: input.channel, locale: input.locale, source }),
      );
      return {
        occasionId: input.occasionId.id,
        kind: input.kind,
        channel: input.channel,
        locale: input.locale,
        version: v.version,
        updatedAt: v.createdAt,
        source,
      };
    },
  }),
);
