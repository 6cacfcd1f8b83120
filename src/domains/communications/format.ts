/**
 * Dates and times as a message shows them: in the occasion's time zone, in the
 * recipient's language (Node carries full ICU), e.g. "Sunday, 20 June 2027 at
 * 18:00" / "יום ראשון, 20 ביוני 2027 בשעה 18:00". An unknown locale or zone
 * falls back to English / UTC rather than failing a send.
 */
const cache = new Map<string, Intl.DateTimeFormat>();

export function formatDateTime(date: Date, locale: string, timeZone: string): string {
  const key = `${locale}|${timeZone}`;
  let f = cache.get(key);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeStyle: 'short', timeZone });
    } catch {
      f = new Intl.DateTimeFormat('en', { dateStyle: 'full', timeStyle: 'short', timeZone: 'UTC' });
    }
    if (cache.size > 500) cache.clear();
    cache.set(key, f);
  }
  return f.format(date);
}
