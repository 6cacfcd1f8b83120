import ical, { ICalCalendarMethod } from 'ical-generator';
import { DateTime } from 'luxon';
import { buildVtimezone, isKnownTimeZone } from './vtimezone.js';

/*
 * iCalendar text for an invitation or a change to one. UID and SEQUENCE come
 * from the caller and stay stable per event, so a calendar client updates the
 * entry it already has instead of adding a second one.
 *
 * Times are written in the event's own zone (DTSTART;TZID=Europe/Berlin:…)
 * with a VTIMEZONE for it (vtimezone.ts): a wedding at 16:00 stays at 16:00
 * local even if the zone's rules change before the day, and clients show it
 * the way the invitation reads.
 *
 * An event without an end gets DEFAULT_DURATION_MS (2 hours): with DTSTART
 * alone RFC 5545 makes a timed event last no time at all, which clients draw
 * as a sliver or not at all; the start time is known, so an all-day entry
 * would hide it.
 *
 * PUBLISH is "add this to your calendar" (no reply expected); REQUEST is a
 * meeting request whose replies go to the ORGANIZER, so it must have one.
 */

export const DEFAULT_DURATION_MS = 2 * 60 * 60 * 1000;

export interface CalendarEvent {
  uid: string;
  sequence: number;
  summary: string;
  description?: string;
  location?: string;
  start: Date;
  end?: Date | null;
  /** IANA zone the event takes place in. */
  timezone: string;
  url?: string;
  organizer?: { name: string; email: string };
  attendees?: { name?: string; email: string }[];
}

export interface CalendarInput {
  method: 'REQUEST' | 'PUBLISH';
  /** PRODID, e.g. '-//Tov+//Invitations//EN' */
  prodId: string;
  events: CalendarEvent[];
}

export class CalendarError extends Error {
  override name = 'CalendarError';
}

const UID = /^[A-Za-z0-9@._:+-]{1,255}$/;
const SIMPLE_EMAIL = /^[^\s@<>",;:\\]+@[A-Za-z0-9.-]+$/;

function endOf(e: CalendarEvent): Date {
  return e.end ?? new Date(e.start.getTime() + DEFAULT_DURATION_MS);
}

function check(input: CalendarInput): void {
  if (!input.events.length) throw new CalendarError('A calendar needs at least one event.');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f]/.test(input.prodId)) throw new CalendarError('prodId must be one line.');
  for (const e of input.events) {
    if (!UID.test(e.uid)) throw new CalendarError(`Event UID "${e.uid}" may hold only letters, digits and @ . _ : + -.`);
    if (!Number.isInteger(e.sequence) || e.sequence < 0) throw new CalendarError(`Event ${e.uid}: sequence must be a whole number ≥ 0.`);
    if (Number.isNaN(e.start.getTime()) || Number.isNaN(endOf(e).getTime())) throw new CalendarError(`Event ${e.uid}: invalid start or end.`);
    if (endOf(e).getTime() < e.start.getTime()) throw new CalendarError(`Event ${e.uid}: ends before it starts.`);
    if (!isKnownTimeZone(e.timezone)) throw new CalendarError(`Event ${e.uid}: unknown time zone "${e.timezone}".`);
    const people = [...(e.organizer ? [e.organizer] : []), ...(e.attendees ?? [])];
    if (people.some((p) => !SIMPLE_EMAIL.test(p.email))) throw new CalendarError(`Event ${e.uid}: an organizer or attendee email is not an address.`);
    if (input.method === 'REQUEST' && !e.organizer) throw new CalendarError(`Event ${e.uid}: a REQUEST needs an organizer (replies go there).`);
  }
}

export function buildCalendar(input: CalendarInput): string {
  check(input);
  const from = Math.min(...input.events.map((e) => e.start.getTime())) - 86_400_000;
  const to = Math.max(...input.events.map((e) => endOf(e).getTime())) + 86_400_000;
  const cal = ical({
    // ical-generator writes "PRODID:-" and then this.
    prodId: input.prodId.replace(/^-/, ''),
    method: input.method === 'REQUEST' ? ICalCalendarMethod.REQUEST : ICalCalendarMethod.PUBLISH,
  });
  for (const e of input.events) {
    // Luxon values in the event's zone: ical-generator formats a plain Date with a TZID in the process's own zone.
    cal.createEvent({
      id: e.uid,
      sequence: e.sequence,
      summary: e.summary,
      start: DateTime.fromJSDate(e.start, { zone: e.timezone }),
      end: DateTime.fromJSDate(endOf(e), { zone: e.timezone }),
      timezone: e.timezone,
      ...(e.description ? { description: e.description } : {}),
      ...(e.location ? { location: e.location } : {}),
      ...(e.url ? { url: e.url } : {}),
      ...(e.organizer ? { organizer: { name: e.organizer.name, email: e.organizer.email } } : {}),
      ...(e.attendees ? { attendees: e.attendees.map((a) => ({ email: a.email, ...(a.name ? { name: a.name } : {}) })) } : {}),
    });
  }
  // The VTIMEZONEs go in by hand rather than through ical-generator's calendar `timezone` option: with that set,
  // it writes DTSTAMP in the calendar's zone without a Z (a floating time, where RFC 5545 wants UTC).
  const zones = [...new Set(input.events.map((e) => e.timezone))].map((z) => buildVtimezone(z, from, to) + '\r\n');
  const text = cal.toString();
  const at = text.indexOf('BEGIN:VEVENT\r\n');
  return text.slice(0, at) + zones.join('') + text.slice(at);
}
