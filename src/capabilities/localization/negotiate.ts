import { match } from '@formatjs/intl-localematcher';
import { DEFAULT_LOCALE, normalizeLocale, SUPPORTED_LOCALES } from './locales.js';

/** Accept-Language is attacker-controlled: past this it is not a browser's header, and the rest is ignored. */
const MAX_HEADER = 1024;
const MAX_RANGES = 20;

/**
 * The language ranges of an Accept-Language header (RFC 9110 §12.5.4), best
 * first, canonical. Anything malformed — a bad tag, a bad q, `*`, q=0 — is
 * dropped, never thrown: a browser's odd header must not fail a request.
 */
export function parseAcceptLanguage(header: string | null | undefined): string[] {
  if (typeof header !== 'string' || header.length === 0) return [];
  const ranges: { tag: string; q: number; i: number }[] = [];
  header
    .slice(0, MAX_HEADER)
    .split(',')
    .slice(0, MAX_RANGES)
    .forEach((part, i) => {
      const [rawTag, ...params] = part.trim().split(';');
      let q = 1;
      for (const p of params) {
        const m = /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/i.exec(p);
        if (!m) return;
        q = Number(m[1]);
      }
      const tag = normalizeLocale(rawTag);
      if (!tag || q <= 0 || q > 1) return;
      ranges.push({ tag, q, i });
    });
  // Stable: equal q keeps the header's order.
  ranges.sort((a, b) => b.q - a.q || a.i - b.i);
  return [...new Set(ranges.map((r) => r.tag))];
}

export interface NegotiationInput {
  /** The guest's or user's saved preference. */
  preference?: string | null;
  /** The request's Accept-Language header, as sent. */
  acceptLanguage?: string | null;
  /** The occasion's default locale (Occasion.defaultLocale). */
  occasionDefault?: string | null;
  /** What may be chosen; the locales the UI strings exist in unless given. */
  available?: readonly string[];
}

// Must be a well-formed tag (the matcher canonicalises it); no catalog is ever 'und'.
const NONE = 'und';

/** The best of `available` for `requested` (BCP 47 best fit: he-IL finds he), or null. */
function bestOf(requested: string[], available: readonly string[]): string | null {
  if (requested.length === 0 || available.length === 0) return null;
  try {
    const found = match(requested, [...available], NONE, { algorithm: 'best fit' });
    return found === NONE ? null : found;
  } catch {
    return null;
  }
}

/**
 * The locale to answer in: the saved preference, then Accept-Language, then the
 * occasion's default, then English — each step only if it names an available
 * locale. Never throws: garbage at any step falls through to the next.
 */
export function negotiateLocale(input: NegotiationInput): string {
  const available = input.available ?? SUPPORTED_LOCALES;
  const preference = normalizeLocale(input.preference);
  return (
    (preference && bestOf([preference], available)) ??
    bestOf(parseAcceptLanguage(input.acceptLanguage), available) ??
    bestOf(
      [normalizeLocale(input.occasionDefault)].filter((l): l is string => !!l),
      available,
    ) ??
    (available.includes(DEFAULT_LOCALE) ? DEFAULT_LOCALE : (available[0] ?? DEFAULT_LOCALE))
  );
}
