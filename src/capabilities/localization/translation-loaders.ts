import type { Context } from '../../kit/context.js';
import { requestLoader } from '../../kit/request-loader.js';
import { requestLocaleChain } from './request-locale.js';
import { resolveTranslated, type TranslationValue } from './translation-resolve.js';

/*
 * What GraphQL fields in any layer above use to answer in the caller's
 * language: batched per request, so a page of 20 events (or 30 questions)
 * costs one statement for their translations, not one each.
 */

export type TranslationRow = TranslationValue & {
  id: string;
  occasionId: string;
  resourceType: string;
  resourceId: string;
  updatedAt: Date;
};

/** Every translation stored on a row (an occasion, an event, a form), all locales: one IN list per page. */
export const translationsOf = requestLoader<TranslationRow[]>(async (ctx, resourceIds) => {
  const rows = await ctx.prisma.contentTranslation.findMany({ where: { resourceId: { in: resourceIds } } });
  const by = new Map<string, TranslationRow[]>();
  for (const r of rows) by.set(r.resourceId, [...(by.get(r.resourceId) ?? []), r]);
  return by;
});

/** The occasion's default locale, which rows other than the occasion's own do not carry. */
export const occasionDefaultLocale = requestLoader<string>(async (ctx, occasionIds) => {
  const rows = await ctx.prisma.occasion.findMany({ where: { id: { in: occasionIds } }, select: { id: true, defaultLocale: true } });
  return new Map(rows.map((r) => [r.id, r.defaultLocale]));
});

interface LocalizedTextOf<S> {
  occasionId: string;
  resourceId: string;
  field: string;
  stored: S;
  /** The occasion's default locale when the caller has it at hand (an occasion row): one statement fewer. */
  defaultLocale?: string;
}

/** One text in the caller's locale (see requestLocaleChain), else the stored one. */
export async function localizedText(ctx: Context, text: LocalizedTextOf<string>, explicitLocale?: string | null): Promise<string>;
export async function localizedText(ctx: Context, text: LocalizedTextOf<string | null>, explicitLocale?: string | null): Promise<string | null>;
export async function localizedText(ctx: Context, text: LocalizedTextOf<string | null>, explicitLocale?: string | null): Promise<string | null> {
  const [chain, rows, fallback] = await Promise.all([
    requestLocaleChain(ctx, explicitLocale),
    translationsOf(ctx, text.resourceId),
    text.defaultLocale ?? occasionDefaultLocale(ctx, text.occasionId),
  ]);
  return resolveTranslated(text.stored, text.field, rows ?? [], chain, fallback ?? 'en');
}
