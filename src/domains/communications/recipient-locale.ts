/**
 * A person's language, when a planner recorded one on them (attributes.locale,
 * e.g. "he" or "en-GB"); null leaves the occasion's default to apply. Every flow
 * that writes to a person (RSVP messages, task reminders) reads it the same way.
 */
export function localeOfActor(attributes: unknown): string | null {
  const l = (attributes as { locale?: unknown } | null)?.locale;
  return typeof l === 'string' && /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/.test(l) ? l : null;
}
