import { DateTime } from 'luxon';
import { ValidationError } from '../../platform/errors.js';
import { DEFAULT_LOCALE, normalizeLocale } from './locales.js';

export type DateTimeStyle = 'date' | 'time' | 'dateTime';

const PRESETS = {
  date: DateTime.DATE_FULL,
  time: DateTime.TIME_SIMPLE,
  dateTime: DateTime.DATETIME_MED,
} as const;

/**
 * An instant as the occasion's guests read it: the wall clock of the occasion's
 * time zone (not the server's, not the reader's), in the reader's locale. A
 * 19:00 ceremony in Jerusalem is 19:00 on every guest page, wherever it is read.
 */
export function formatInZone(instant: Date, timeZone: string, locale: string, style: DateTimeStyle = 'dateTime'): string {
  const dt = DateTime.fromJSDate(instant, { zone: timeZone });
  if (!dt.isValid) {
    const message = `"${timeZone.slice(0, 60)}" is not a time zone (use an IANA name such as Asia/Jerusalem).`;
    throw new ValidationError(message, [{ path: 'timeZone', message }]);
  }
  return dt.setLocale(normalizeLocale(locale) ?? DEFAULT_LOCALE).toLocaleString(PRESETS[style]);
}
