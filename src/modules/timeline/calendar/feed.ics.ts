import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import type { FeedItem } from './feed-content.js';

/*
 * The iCalendar text of a feed (RFC 5545). Each item keeps one UID for life
 * (`<item id>@tovplus`) and carries its own change counter as SEQUENCE, so a
 * subscribed client updates the entry it has instead of adding a second one.
 * A cancelled item stays, with STATUS:CANCELLED, so clients drop it from view;
 * a deleted item is simply absent from the next fetch.
 *
 * Times are UTC (…Z): no VTIMEZONE is needed and every client places them
 * right; X-WR-TIMEZONE names the occasion's zone for clients that show it.
 * DTSTAMP is the item's last change, so an unchanged feed is byte-identical.
 */

export const FEED_UID_DOMAIN = 'tovplus';
/** How often clients are asked to poll (REFRESH-INTERVAL / X-PUBLISHED-TTL). */
const REFRESH_SECONDS = 15 * 60;

export function renderFeed(occasion: { name: string; timezone: string }, items: FeedItem[]): string {
  const cal = ical({
    prodId: { company: 'Tov+', product: 'Timeline', language: 'EN' },
    method: ICalCalendarMethod.PUBLISH,
    name: `${occasion.name} — timeline`,
    ttl: REFRESH_SECONDS,
  });
  for (const { item, event, withNotes } of items) {
    const where = [item.room, item.location].filter((x): x is string => !!x);
    cal.createEvent({
      id: `${item.id}@${FEED_UID_DOMAIN}`,
      sequence: item.sequence,
      stamp: item.updatedAt,
      start: item.startsAt,
      end: item.endsAt ?? item.startsAt,
      summary: item.title,
      ...(where.length ? { location: where.join(', ') } : {}),
      description: withNotes && item.notes ? `${event.name}\n\n${item.notes}` : event.name,
      status:
        item.status === 'CANCELLED' ? ICalEventStatus.CANCELLED : item.status === 'PLANNED' ? ICalEventStatus.TENTATIVE : ICalEventStatus.CONFIRMED,
    });
  }
  // The zone the day is planned in (the times themselves are UTC), among the calendar's properties: RFC 5545
  // wants them before the first component, where ical-generator's own `x` option would put it after the last.
  const text = cal.toString();
  const at = text.search(/BEGIN:VEVENT\r\n|END:VCALENDAR/);
  return `${text.slice(0, at)}X-WR-TIMEZONE:${occasion.timezone.replace(/[^A-Za-z0-9_+\-/]/g, '')}\r\n${text.slice(at)}`;
}
