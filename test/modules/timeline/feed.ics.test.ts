import { describe, expect, it } from 'vitest';
import type { TimelineItem } from '../../../src/generated/prisma/client.js';
import { renderFeed } from '../../../src/modules/timeline/calendar/feed.ics.js';

const item = (over: Partial<TimelineItem> = {}): TimelineItem => ({
  id: '01a22ea8-f688-773b-9a90-84f03f320e12',
  occasionId: '01a22ea8-f688-773b-9a90-84f03f320e13',
  eventId: '01a22ea8-f688-773b-9a90-84f03f320e14',
  title: 'Dinner, service',
  notes: 'Planner note',
  startsAt: new Date('2027-06-10T17:00:00Z'),
  endsAt: new Date('2027-06-10T19:00:00Z'),
  room: 'main-hall',
  location: null,
  audience: ['GUESTS'],
  status: 'PLANNED',
  position: 0,
  dependsOnIds: [],
  responsibleActorIds: [],
  sequence: 2,
  createdAt: new Date('2027-01-01T00:00:00Z'),
  updatedAt: new Date('2027-01-02T00:00:00Z'),
  ...over,
});
const occasion = { name: 'Noa & Dan', timezone: 'Asia/Jerusalem' };
const event = { id: 'e', name: 'Reception' };

describe('renderFeed', () => {
  it('writes a stable UID, the item’s SEQUENCE, UTC times, and calendar properties before the first event', () => {
    const text = renderFeed(occasion, [{ item: item(), event, withNotes: false }]);
    expect(text).toContain('UID:01a22ea8-f688-773b-9a90-84f03f320e12@tovplus\r\n');
    expect(text).toContain('SEQUENCE:2\r\n');
    expect(text).toContain('DTSTART:20270610T170000Z\r\n');
    expect(text).toContain('STATUS:TENTATIVE\r\n');
    expect(text).not.toContain('Planner note');
    expect(text.indexOf('X-WR-TIMEZONE:Asia/Jerusalem\r\n')).toBeLessThan(text.indexOf('BEGIN:VEVENT'));
    // the same item renders the same bytes: clients see no change where there is none
    expect(renderFeed(occasion, [{ item: item(), event, withNotes: false }])).toBe(text);
  });

  it('keeps a cancelled item, cancelled, and renders an empty calendar when nothing is visible', () => {
    expect(renderFeed(occasion, [{ item: item({ status: 'CANCELLED' }), event, withNotes: true }])).toMatch(
      /STATUS:CANCELLED\r\n[\s\S]*Planner note|Planner note[\s\S]*STATUS:CANCELLED/,
    );
    const empty = renderFeed(occasion, []);
    expect(empty).toMatch(/^BEGIN:VCALENDAR\r\n[\s\S]*X-WR-TIMEZONE:Asia\/Jerusalem\r\nEND:VCALENDAR/);
    expect(empty).not.toContain('VEVENT');
  });
});
