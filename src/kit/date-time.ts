import { GraphQLError } from 'graphql';

/**
 * The DateTime scalar's one rule, for variables and literals alike.
 *
 * RFC 3339 with an explicit offset (`Z` or `±HH:MM`: an instant without one
 * would mean the server's local time), a real calendar date (no 30 February
 * rolled into March) and a UTC year from 0001 to 9999. That range is the
 * four-digit year RFC 3339 and ISO-8601's basic format allow, minus year 0
 * (1 BC), which PostgreSQL stores as "0001 BC"; every value in it fits a
 * `timestamptz` and prints back through `toISOString` in the same format it
 * came in. Years outside it (0000, -100000, +275760) are not occasion dates:
 * they reached the database and failed there as a 500.
 */
const PATTERN = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
export const MIN_YEAR = 1;
export const MAX_YEAR = 9999;

const invalid = (detail: string) =>
  new GraphQLError(
    `DateTime ${detail}: use an ISO-8601 instant with offset between years ${String(MIN_YEAR).padStart(4, '0')} and ${MAX_YEAR}, such as 2027-06-01T17:00:00Z.`,
    {
      extensions: { code: 'BAD_USER_INPUT' },
    },
  );

export function parseDateTime(value: unknown): Date {
  if (typeof value !== 'string') throw invalid('must be a string');
  const m = PATTERN.exec(value);
  if (!m) throw invalid(`"${value.slice(0, 40)}" is not in the expected format`);
  const [year, month, day, hour, minute, second = 0] = m.slice(1, 7).map((p) => (p === undefined ? undefined : Number(p))) as number[];
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  const offsetMinutes = m[8] ? 0 : (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
  if (month! < 1 || month! > 12 || day! < 1 || day! > daysIn(year!, month!) || hour! > 23 || minute! > 59 || second > 59) {
    throw invalid(`"${value.slice(0, 40)}" is not a calendar date and time`);
  }
  if (m[9] && (Number(m[10]) > 23 || Number(m[11]) > 59)) throw invalid(`"${value.slice(0, 40)}" has an impossible offset`);
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0–99 as 1900–1999.
  const d = new Date(0);
  d.setUTCFullYear(year!, month! - 1, day);
  d.setUTCHours(hour!, minute, second, ms);
  d.setTime(d.getTime() - offsetMinutes * 60_000);
  // The offset can carry 0001-01-01T00:00+01:00 into year 0, or 9999-12-31T23:59-01:00 into 10000.
  const utcYear = d.getUTCFullYear();
  if (utcYear < MIN_YEAR || utcYear > MAX_YEAR) throw invalid(`"${value.slice(0, 40)}" is out of range`);
  return d;
}

function daysIn(year: number, month: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, 0);
  return d.getUTCDate();
}
