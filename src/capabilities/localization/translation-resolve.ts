import { normalizeLocale, parentChain } from './locales.js';
import { parseAcceptLanguage } from './negotiate.js';

/** One translation as the readers need it. */
export interface TranslationValue {
  field: string;
  locale: string;
  value: string;
}

/**
 * The locales to look for a translation in, best first: the explicit locale,
 * or else the caller's saved preference and then every range of
 * Accept-Language, each followed by its parents (he-IL → he). The occasion's
 * default closes the chain, and the stored field answers for it.
 */
export function contentLocaleChain(explicit: string | null, acceptLanguage: string | null | undefined, preference?: string | null): string[] {
  const saved = normalizeLocale(preference);
  const requested = explicit ? [explicit] : [...(saved ? [saved] : []), ...parseAcceptLanguage(acceptLanguage)];
  return [...new Set(requested.flatMap(parentChain))];
}

/**
 * A field's text for a reader: the first locale of the chain that has a
 * translation, unless the chain reaches the occasion's default locale (or one
 * of its parents) first — the stored text is written in that one. Nothing in
 * the chain: the stored text.
 */
export function resolveTranslated(
  stored: string,
  field: string,
  translations: readonly TranslationValue[],
  chain: readonly string[],
  occasionDefault: string,
): string;
export function resolveTranslated(
  stored: string | null,
  field: string,
  translations: readonly TranslationValue[],
  chain: readonly string[],
  occasionDefault: string,
): string | null;
export function resolveTranslated(
  stored: string | null,
  field: string,
  translations: readonly TranslationValue[],
  chain: readonly string[],
  occasionDefault: string,
): string | null {
  const defaults = new Set(parentChain(normalizeLocale(occasionDefault) ?? 'en'));
  for (const locale of chain) {
    const hit = translations.find((t) => t.field === field && t.locale === locale);
    if (hit) return hit.value;
    if (defaults.has(locale)) return stored;
  }
  return stored;
}
