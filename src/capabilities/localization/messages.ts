import { readFileSync } from 'node:fs';
import { IntlMessageFormat } from 'intl-messageformat';
import { DEFAULT_LOCALE, MESSAGES_DIR, normalizeLocale, parentChain, SUPPORTED_LOCALES } from './locales.js';

/*
 * UI strings in ICU MessageFormat, one catalog per messages/<locale>.json.
 * Plural and select rules come from ICU's CLDR data through Intl, so Hebrew's
 * one/two/other and a gendered select need nothing here beyond the catalog.
 */

type Catalog = Readonly<Record<string, string>>;
export type MessageValues = Record<string, string | number | boolean | Date | null | undefined>;

const catalogs = new Map<string, Catalog>(
  SUPPORTED_LOCALES.map((l) => [l, JSON.parse(readFileSync(new URL(`${l}.json`, MESSAGES_DIR), 'utf8')) as Catalog]),
);

/**
 * Message text is text: `ignoreTag` makes `<b>` literal characters rather than
 * a rich-text tag to resolve, so a stray `<` in a translation is not a syntax error.
 */
const FORMAT_OPTIONS = { ignoreTag: true } as const;

// Compiled once per (locale, key): parsing is the expensive part of formatting.
const compiled = new Map<string, IntlMessageFormat>();

/** The catalog locale for a request (he-IL → he), or English. */
export function catalogLocale(locale: string | null | undefined): string {
  const canonical = normalizeLocale(locale);
  return (canonical && parentChain(canonical).find((l) => catalogs.has(l))) || DEFAULT_LOCALE;
}

/**
 * The UI string `key` in `locale`, formatted with `values`. A key the locale's
 * catalog lacks falls back to English (formatted with English plural rules);
 * a key no catalog has comes back as the key, so a missing string shows, not
 * fails the page.
 */
export function t(locale: string | null | undefined, key: string, values: MessageValues = {}): string {
  const want = catalogLocale(locale);
  const from = catalogs.get(want)?.[key] !== undefined ? want : catalogs.get(DEFAULT_LOCALE)?.[key] !== undefined ? DEFAULT_LOCALE : null;
  if (!from) return key;
  const cacheKey = `${from}\u0000${key}`;
  let format = compiled.get(cacheKey);
  if (!format) {
    format = new IntlMessageFormat(catalogs.get(from)![key]!, from, undefined, FORMAT_OPTIONS);
    compiled.set(cacheKey, format);
  }
  return String(format.format(values));
}

/** Every key a catalog has (for tests that keep the catalogs in step). */
export function catalogKeys(locale: string): string[] {
  return Object.keys(catalogs.get(locale) ?? {});
}

export interface IcuSyntaxProblem {
  message: string;
  /** 0-based offset into the text where the parser stopped. */
  offset: number;
  line: number;
  column: number;
}

/** Null when `text` is valid ICU MessageFormat, else what the parser said and where. */
export function icuSyntaxProblem(text: string, locale: string): IcuSyntaxProblem | null {
  try {
    new IntlMessageFormat(text, locale, undefined, FORMAT_OPTIONS);
    return null;
  } catch (e) {
    const location = (e as { location?: { start?: { offset: number; line: number; column: number } } }).location?.start;
    return {
      message: e instanceof Error ? e.message : String(e),
      offset: location?.offset ?? 0,
      line: location?.line ?? 1,
      column: location?.column ?? 1,
    };
  }
}
