import { EN } from './defaults/en.js';
import { HE } from './defaults/he.js';
import type { LocaleDefaults } from './defaults/layout.js';
import type { Channel, TemplateKind, TemplateSource } from './kinds.js';

const DEFAULTS: Record<string, LocaleDefaults> = { en: EN, he: HE };

export const DEFAULT_LOCALES: readonly string[] = Object.keys(DEFAULTS);

/**
 * The default locale for `locale`: the exact tag, then its language ("he-IL" → "he"), then "en".
 * "iw" is the old code for Hebrew, still sent by some systems.
 */
export function defaultLocaleFor(locale: string): string {
  const tag = locale.trim().replace(/_/g, '-').toLowerCase();
  if (DEFAULTS[tag]) return tag;
  const language = tag.split('-')[0] ?? '';
  if (DEFAULTS[language]) return language;
  if (language === 'iw') return 'he';
  return 'en';
}

export function hasDefaultTemplate(kind: TemplateKind, channel: Channel): boolean {
  return channel === 'EMAIL' || EN.sms[kind] !== undefined;
}

/** The template a planner starts from. SMS exists for the RSVP kinds only (hasDefaultTemplate); asking for another is a programmer error. */
export function defaultTemplate(kind: TemplateKind, channel: Channel, locale: string): TemplateSource {
  const defaults = DEFAULTS[defaultLocaleFor(locale)] ?? EN;
  if (channel === 'EMAIL') return { ...defaults.email[kind] };
  const text = defaults.sms[kind];
  if (text === undefined) throw new Error(`There is no default SMS template for ${kind}.`);
  return { subject: null, html: null, text };
}
