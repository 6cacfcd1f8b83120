import { afterEach, describe, expect, it } from 'vitest';
import { buildCalendar, CalendarError, type CalendarEvent } from '../../../src/platform/mail/calendar.js';

const event = (over: Partial<CalendarEvent> = {}): CalendarEvent => ({
  uid: 'event-1@tovplus.test',
  sequence: 0,
  summary: 'Ceremony',
  start: new Date('2027-06-12T14:00:00Z'),
  timezone: 'Europe/Berlin',
  ...over,
});

const lines = (ics: string) => ics.split('\r\n');

/** The lines of the VTIMEZONE for `zone`. */
function vtimezone(ics: string, zone: string): string[] {
  const all = lines(ics);
  const start = all.indexOf(`TZID:${zone}`);
  expect(start).toBeGreaterThan(0);
  return all.slice(start, all.indexOf('END:VTIMEZONE', start));
}

describe('calendar', () => {
  const savedTz = process.env.TZ;
  afterEach(() => {
    if (savedTz === undefined) delete process.env.TZ;
    else process.env.TZ = savedTz;
  });

  it('keeps the given UID and SEQUENCE, and the method', () => {
    const ics = buildCalendar({ method: 'PUBLISH', prodId: '-//Tov+//Invitations//EN', events: [event({ sequence: 4 })] });
    const l = lines(ics);
    expect(l).toContain('UID:event-1@tovplus.test');
    expect(l).toContain('SEQUENCE:4');
    expect(l).toContain('METHOD:PUBLISH');
    expect(l).toContain('PRODID:-//Tov+//Invitations//EN');
  });

  it("writes times in the event's zone whatever the process's zone is, with DTSTAMP in UTC", () => {
    process.env.TZ = 'Asia/Kolkata';
    const l = lines(buildCalendar({ method: 'PUBLISH', prodId: '//Tov+//Test//EN', events: [event()] }));
    expect(l).toContain('DTSTART;TZID=Europe/Berlin:20270612T160000');
    expect(l.find((x) => x.startsWith('DTSTAMP:'))).toMatch(/^DTSTAMP:\d{8}T\d{6}Z$/);
    expect(l.some((x) => x.startsWith('TIMEZONE-ID') || x.startsWith('X-WR-TIMEZONE'))).toBe(false);
  });

  it('gives an event without an end two hours', () => {
    const l = lines(buildCalendar({ method: 'PUBLISH', prodId: '//Tov+//Test//EN', events: [event({ end: null })] }));
    expect(l).toContain('DTEND;TZID=Europe/Berlin:20270612T180000');
    const given = lines(buildCalendar({ method: 'PUBLISH', prodId: '//Tov+//Test//EN', events: [event({ end: new Date('2027-06-12T22:30:00Z') })] }));
    expect(given).toContain('DTEND;TZID=Europe/Berlin:20270613T003000');
  });

  it('defines each zone it uses, with the offset changes around the events', () => {
    const ics = buildCalendar({
      method: 'PUBLISH',
      prodId: '//Tov+//Test//EN',
      events: [
        // The night Europe/Berlin moves to summer time (2027-03-28 02:00 → 03:00).
        event({ start: new Date('2027-03-27T18:00:00Z'), end: new Date('2027-03-28T03:00:00Z') }),
        // Sydney leaves summer time on 2027-04-04 (03:00 → 02:00).
        event({ uid: 'event-2@tovplus.test', start: new Date('2027-04-03T09:00:00Z'), timezone: 'Australia/Sydney' }),
        event({ uid: 'event-3@tovplus.test', start: new Date('2027-04-03T09:00:00Z'), timezone: 'Asia/Tokyo' }),
      ],
    });
    const berlin = vtimezone(ics, 'Europe/Berlin').join('\n');
    expect(berlin).toContain('BEGIN:DAYLIGHT\nDTSTART:20270328T020000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200');
    const sydney = vtimezone(ics, 'Australia/Sydney').join('\n');
    expect(sydney).toContain('BEGIN:STANDARD\nDTSTART:20270404T030000\nTZOFFSETFROM:+1100\nTZOFFSETTO:+1000');
    const tokyo = vtimezone(ics, 'Asia/Tokyo');
    expect(tokyo.filter((x) => x.startsWith('TZOFFSETTO'))).toEqual(['TZOFFSETTO:+0900']);
    // The VTIMEZONEs come before the events that use them.
    expect(ics.indexOf('END:VTIMEZONE')).toBeLessThan(ics.indexOf('BEGIN:VEVENT'));
    expect(lines(ics)).toContain('DTSTART;TZID=Australia/Sydney:20270403T200000');
  });

  it('escapes text and writes organizer and attendees for a REQUEST', () => {
    const l = lines(
      buildCalendar({
        method: 'REQUEST',
        prodId: '//Tov+//Test//EN',
        events: [
          event({
            summary: 'Dinner; music, dancing',
            organizer: { name: 'Dana', email: 'dana@example.test' },
            attendees: [{ email: 'guest@example.test' }],
          }),
        ],
      }),
    );
    expect(l).toContain('SUMMARY:Dinner\\; music\\, dancing');
    expect(l.some((x) => /^ORGANIZER;CN="Dana":mailto:dana@example\.test$/.test(x))).toBe(true);
    expect(l.some((x) => /^ATTENDEE.*:MAILTO:guest@example\.test$/i.test(x))).toBe(true);
  });

  it.each([
    ['a REQUEST without organizer', 'REQUEST', event()],
    ['an unknown zone', 'PUBLISH', event({ timezone: 'Mars/Olympus' })],
    ['a UID with a line break', 'PUBLISH', event({ uid: 'a\r\nX-EVIL:1' })],
    ['a negative sequence', 'PUBLISH', event({ sequence: -1 })],
    ['an end before the start', 'PUBLISH', event({ end: new Date('2027-06-12T13:00:00Z') })],
  ] as const)('refuses %s', (_label, method, e) => {
    expect(() => buildCalendar({ method, prodId: '//Tov+//Test//EN', events: [e] })).toThrow(CalendarError);
  });
});
