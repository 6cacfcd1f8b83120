import { DateTime } from 'luxon';

/** The local hour reminders go out on their day (before quiet hours push them later). */
export const REMINDER_HOUR = 10;

export interface QuietHours {
  start: number;
  end: number;
}

/** `21-9` → 21:00 to 09:00 (crossing midnight); '' → none. */
export function parseQuietHours(v: string): QuietHours | null {
  const m = /^(\d{1,2})-(\d{1,2})$/.exec(v.trim());
  return m ? { start: Number(m[1]), end: Number(m[2]) } : null;
}

export function inQuietHours(at: Date, timeZone: string, quiet: QuietHours | null): boolean {
  if (!quiet || quiet.start === quiet.end) return false;
  const h = DateTime.fromJSDate(at, { zone: timeZone }).hour;
  return quiet.start < quiet.end ? h >= quiet.start && h < quiet.end : h >= quiet.start || h < quiet.end;
}

/**
 * When the reminder `daysBefore` days before `deadline` is due: that many days
 * before the deadline's date, in the occasion's time zone, at REMINDER_HOUR —
 * moved to the end of quiet hours if it falls in them, and never at or after
 * the deadline itself. An unknown zone counts in UTC rather than failing.
 */
export function reminderDueAt(deadline: Date, daysBefore: number, timeZone: string, quiet: QuietHours | null): Date {
  let zone = DateTime.fromJSDate(deadline, { zone: timeZone });
  if (!zone.isValid) zone = DateTime.fromJSDate(deadline, { zone: 'utc' });
  let due = zone.startOf('day').minus({ days: daysBefore }).set({ hour: REMINDER_HOUR });
  if (quiet && inQuietHours(due.toJSDate(), due.zoneName ?? 'utc', quiet)) due = due.set({ hour: quiet.end });
  const latest = deadline.getTime() - 60 * 60 * 1000;
  return new Date(Math.min(due.toMillis(), latest));
}

/** Whole days from `now` to the deadline by the occasion's calendar (0: the deadline is today). */
export function daysLeft(now: Date, deadline: Date, timeZone: string): number {
  const a = DateTime.fromJSDate(now, { zone: timeZone }).startOf('day');
  const b = DateTime.fromJSDate(deadline, { zone: timeZone }).startOf('day');
  return Math.max(0, Math.round(b.diff(a, 'days').days));
}
