import { DateTime } from 'luxon';

/*
 * VTIMEZONE components from the runtime's own time zone data (Intl, through
 * luxon), so an event can say TZID=Europe/Berlin and carry the definition RFC
 * 5545 requires next to it, without a time zone package of our own.
 *
 * Instead of RRULEs (which would need the zone's rules, not just its offsets)
 * each offset change inside the window the events span is written as its own
 * observance with a plain DTSTART, which RFC 5545 §3.6.5 allows. The first
 * observance starts at the window's start with the offset in force there.
 */

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

export function isKnownTimeZone(zone: string): boolean {
  return DateTime.fromMillis(0, { zone }).isValid;
}

interface Observance {
  at: number;
  from: number;
  to: number;
  dst: boolean;
  name: string;
}

const offsetAt = (ms: number, zone: string) => DateTime.fromMillis(ms, { zone }).offset;

/** The first instant (to the minute) in (lo, hi] whose offset differs from lo's. */
function changeBetween(lo: number, hi: number, zone: string): number {
  const before = offsetAt(lo, zone);
  while (hi - lo > MINUTE_MS) {
    const mid = lo + Math.floor((hi - lo) / 2 / MINUTE_MS) * MINUTE_MS;
    if (offsetAt(mid, zone) === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

function observances(zone: string, fromMs: number, toMs: number): Observance[] {
  const start = Math.floor(fromMs / MINUTE_MS) * MINUTE_MS;
  const describe = (at: number, from: number): Observance => {
    const dt = DateTime.fromMillis(at, { zone, locale: 'en-US' });
    return { at, from, to: dt.offset, dst: dt.isInDST, name: dt.offsetNameShort ?? '' };
  };
  const list = [describe(start, offsetAt(start, zone))];
  for (let t = start; t < toMs; t += DAY_MS) {
    const next = Math.min(t + DAY_MS, toMs);
    const before = offsetAt(t, zone);
    if (offsetAt(next, zone) !== before) list.push(describe(changeBetween(t, next, zone), before));
  }
  return list;
}

/** +0130 / -0500 */
function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}

/** The wall-clock time, in the offset that was in force just before `at`, as an iCalendar local DATE-TIME. */
function localStamp(at: number, offsetMinutes: number): string {
  return new Date(at + offsetMinutes * MINUTE_MS)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, '');
}

/** A send of many invitations builds the same zone over the same span for each: built once per (zone, span). */
const built = new Map<string, string>();

export function buildVtimezone(zone: string, fromMs: number, toMs: number): string {
  const key = `${zone}|${fromMs}|${toMs}`;
  let v = built.get(key);
  if (v === undefined) {
    if (built.size >= 200) built.clear();
    v = buildVtimezoneOnce(zone, fromMs, toMs);
    built.set(key, v);
  }
  return v;
}

function buildVtimezoneOnce(zone: string, fromMs: number, toMs: number): string {
  const lines = ['BEGIN:VTIMEZONE', `TZID:${zone}`];
  for (const o of observances(zone, fromMs, toMs)) {
    const kind = o.dst ? 'DAYLIGHT' : 'STANDARD';
    lines.push(`BEGIN:${kind}`, `DTSTART:${localStamp(o.at, o.from)}`, `TZOFFSETFROM:${formatOffset(o.from)}`, `TZOFFSETTO:${formatOffset(o.to)}`);
    // Only a letters-only abbreviation (CEST, EST): the "GMT+3" style luxon falls back to is no name at all.
    if (/^[A-Za-z]{2,6}$/.test(o.name)) lines.push(`TZNAME:${o.name}`);
    lines.push(`END:${kind}`);
  }
  lines.push('END:VTIMEZONE');
  return lines.join('\r\n');
}
