import { readdirSync } from 'node:fs';
import { ValidationError } from '../../platform/errors.js';

/**
 * The locales the UI strings exist in: one `messages/<locale>.json` per locale,
 * so adding a language is adding a file. Read once at start-up (the build copies
 * the JSON beside the JavaScript). English is the last resort of every chain.
 */
export const DEFAULT_LOCALE = 'en';
export const MESSAGES_DIR = new URL('./messages/', import.meta.url);
export const SUPPORTED_LOCALES: readonly string[] = readdirSync(MESSAGES_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.slice(0, -'.json'.length))
  .sort((a, b) => (a === DEFAULT_LOCALE ? -1 : b === DEFAULT_LOCALE ? 1 : a.localeCompare(b)));

const languageNames = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' });

/** A BCP 47 tag in its canonical spelling (`HE-il` → `he-IL`), or null when it is not one. */
export function normalizeLocale(input: string | null | undefined): string | null {
  if (typeof input !== 'string' || input.length === 0 || input.length > 35) return null;
  try {
    const [canonical] = Intl.getCanonicalLocales(input.trim());
    return canonical ?? null;
  } catch {
    return null;
  }
}

/**
 * A well-formed tag whose language ICU knows (`he-IL`, `fr`): content may be
 * translated into any real language, not only those the UI strings exist in.
 * `xx`, `und` and `en-US-x-garbage`-style private tags are not.
 */
export function knownLocale(input: string | null | undefined): string | null {
  const canonical = normalizeLocale(input);
  if (!canonical) return null;
  const language = new Intl.Locale(canonical).language;
  // DisplayNames throws on `und` (and on what it cannot name as a language): both are unknown.
  try {
    return languageNames.of(language) !== undefined ? canonical : null;
  } catch {
    return null;
  }
}

/** knownLocale, or a ValidationError on `path` naming what was wrong. */
export function requireLocale(input: string, path = 'input.locale'): string {
  const locale = knownLocale(input);
  if (!locale) {
    const message = `"${input.slice(0, 40)}" is not a known locale: use a BCP 47 tag such as en, he or he-IL.`;
    throw new ValidationError(message, [{ path, message }]);
  }
  return locale;
}

/** `he-IL` → [`he-IL`, `he`]: the tag, then each shorter prefix (the BCP 47 lookup fallback). */
export function parentChain(locale: string): string[] {
  const parts = locale.split('-');
  const chain: string[] = [];
  for (let n = parts.length; n >= 1; n--) {
    // A lone script or region subtag is not a locale (zh-Hant-TW → zh-Hant → zh).
    chain.push(parts.slice(0, n).join('-'));
  }
  return chain;
}

// Scripts written right to left; a tag naming one (az-Arab) is RTL whatever its language.
const RTL_SCRIPTS = new Set(['Arab', 'Hebr', 'Thaa', 'Syrc', 'Nkoo', 'Adlm', 'Rohg', 'Mand', 'Samr']);
// Languages whose default script is one of those (Intl.Locale#getTextInfo is not in every Node we run on).
const RTL_LANGUAGES = new Set(['ar', 'he', 'iw', 'fa', 'ur', 'yi', 'ps', 'dv', 'sd', 'ug', 'ckb', 'syr', 'arc']);

/** The writing direction of a locale, for the `dir` attribute of a page rendered in it. */
export function direction(locale: string): 'rtl' | 'ltr' {
  const canonical = normalizeLocale(locale);
  if (!canonical) return 'ltr';
  const { language, script } = new Intl.Locale(canonical);
  if (script) return RTL_SCRIPTS.has(script) ? 'rtl' : 'ltr';
  return RTL_LANGUAGES.has(language) ? 'rtl' : 'ltr';
}

/**
 * A person's recorded language (`attributes.locale`, e.g. "he" or "en-GB", set by a planner or chosen by the
 * guest on their page), canonical, or null when none or not a locale. Every flow that shows or writes to a
 * person (the guest page, RSVP messages, task reminders) reads it this one way.
 */
export function localeOfAttributes(attributes: unknown): string | null {
  const l = (attributes as { locale?: unknown } | null)?.locale;
  return typeof l === 'string' ? knownLocale(l) : null;
}
