import { beforeAll, describe, expect, it } from 'vitest';
import { must } from '../../support/factories.js';
import { errorCode, startServer } from '../../support/harness.js';
import { at, raw, timelineWorld, type TimelineWorld } from './timeline-world.js';

/** Calendar feeds: a secret URL per principal, its content decided at fetch time, UIDs stable and SEQUENCE moving on. */

const s = await startServer();

const CREATE_ITEM = `mutation($i: CreateTimelineItemInput!) { createTimelineItem(input: $i) { ... on TimelineItemPayload { item { id } } } }`;
const UPDATE_ITEM = `mutation($i: UpdateTimelineItemInput!) { updateTimelineItem(input: $i) { __typename } }`;
const CREATE_FEED = `mutation($i: CreateCalendarFeedInput!) { createCalendarFeed(input: $i) { __typename ... on CreateCalendarFeedPayload { url feed { id eventIds } } ... on Error { code } } }`;
const CREATE_GUEST_FEED = `mutation($i: CreateGuestCalendarFeedInput!) { createGuestCalendarFeed(input: $i) { __typename ... on CreateCalendarFeedPayload { url feed { id } } } }`;
const REVOKE = `mutation($i: RevokeCalendarFeedInput!) { revokeCalendarFeed(input: $i) { feed { id revokedAt } } }`;

interface VEvent {
  UID: string;
  SEQUENCE: string;
  SUMMARY: string;
  STATUS: string;
  DTSTART: string;
  LOCATION?: string;
}

/** RFC 5545 text back to its events: unfold continuation lines, then one record per VEVENT. */
function parseIcs(text: string): { events: VEvent[]; lines: string[] } {
  const lines = text.replace(/\r\n[ \t]/g, '').split('\r\n');
  const events: VEvent[] = [];
  let current: Record<string, string> | null = null;
  for (const line of lines) {
    if (line === 'BEGIN:VEVENT') current = {};
    else if (line === 'END:VEVENT') {
      events.push(current as unknown as VEvent);
      current = null;
    } else if (current) {
      const i = line.indexOf(':');
      current[line.slice(0, i).split(';')[0]!] = line.slice(i + 1).replace(/\\,/g, ',');
    }
  }
  return { events, lines };
}

const pathOf = (url: string) => new URL(url).pathname;
async function fetchFeed(url: string) {
  const r = await s.fetch(pathOf(url));
  return { status: r.status, headers: r.headers, text: await r.text() };
}
const byTitle = (events: VEvent[]) => Object.fromEntries(events.map((e) => [e.SUMMARY, e]));

describe('calendar feeds', () => {
  let w: TimelineWorld;
  const ids: Record<string, string> = {};
  const item = async (title: string, input: Record<string, unknown>, event = 0) => {
    const r = await must(s, w.owner.token, CREATE_ITEM, { i: { eventId: w.eventIds[event], title, ...input } });
    return (ids[title] = r.createTimelineItem.item.id);
  };
  beforeAll(async () => {
    w = await timelineWorld(s);
    await item('Planner briefing', { startsAt: at(12) });
    await item('Load-in', { startsAt: at(13), endsAt: at(14), audience: ['VENDORS'], room: 'hall' });
    await item('Ceremony', { startsAt: at(16), endsAt: at(17), audience: ['GUESTS', 'VENDORS'], location: 'Rose garden' });
    await item('Brunch', { startsAt: at(10), audience: ['GUESTS'] }, 1);
  }, 60_000);

  it('serves the planner every item, privately, with a stable UID and a SEQUENCE that moves on with each edit', async () => {
    const created = await must(s, w.owner.token, CREATE_FEED, { i: { occasionId: w.occasionId, label: 'Phone' } });
    const { url } = created.createCalendarFeed;
    expect(url).toMatch(/\/calendar\/tovcal_[A-Za-z0-9_-]{43}\.ics$/);
    const first = await fetchFeed(url);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/^text\/calendar/);
    expect(first.headers.get('cache-control')).toMatch(/no-store/);
    expect(first.headers.get('referrer-policy')).toBe('no-referrer');
    const before = byTitle(parseIcs(first.text).events);
    expect(Object.keys(before).sort()).toEqual(['Brunch', 'Ceremony', 'Load-in', 'Planner briefing']);
    expect(before.Ceremony).toMatchObject({
      UID: `${raw(ids.Ceremony!)}@tovplus`,
      SEQUENCE: '0',
      DTSTART: '20270610T160000Z',
      LOCATION: 'Rose garden',
    });

    // when the ceremony moves twice and the briefing is cancelled
    await must(s, w.owner.token, UPDATE_ITEM, { i: { id: ids.Ceremony, startsAt: at(16, 30) } });
    await must(s, w.owner.token, UPDATE_ITEM, { i: { id: ids.Ceremony, endsAt: at(17, 30) } });
    await must(s, w.owner.token, UPDATE_ITEM, { i: { id: ids['Planner briefing'], status: 'CANCELLED' } });
    const after = byTitle(parseIcs((await fetchFeed(url)).text).events);
    // then the same UIDs come back with higher SEQUENCEs, and the cancelled item stays, cancelled
    expect(after.Ceremony).toMatchObject({ UID: before.Ceremony!.UID, SEQUENCE: '2', DTSTART: '20270610T163000Z' });
    expect(after['Planner briefing']).toMatchObject({ UID: before['Planner briefing']!.UID, SEQUENCE: '1', STATUS: 'CANCELLED' });
    expect(Object.keys(after)).toHaveLength(4);
    // the token never reaches a log line
    const token = pathOf(url).split('/').pop()!.replace('.ics', '');
    expect(s.logs.some((l) => l.includes(token))).toBe(false);
  });

  it('serves a vendor only what it may see now, and a guest only items for guests of the events its link shows', async () => {
    const vendorFeed = (await must(s, w.vendor.token, CREATE_FEED, { i: { occasionId: w.occasionId } })).createCalendarFeed.url;
    expect(Object.keys(byTitle(parseIcs((await fetchFeed(vendorFeed)).text).events)).sort()).toEqual(['Ceremony', 'Load-in']);
    const guestFeed = (await must(s, w.guestToken, CREATE_GUEST_FEED, { i: {} })).createGuestCalendarFeed.url;
    const guest = parseIcs((await fetchFeed(guestFeed)).text);
    // the brunch is for guests too, but of an event this link does not show
    expect(guest.events.map((e) => e.SUMMARY)).toEqual(['Ceremony']);
    expect(guest.lines.some((l) => l.startsWith('DESCRIPTION') && l.includes('briefing'))).toBe(false);
    // nobody limits a feed to an event they may not see
    const unseen = await s.gql(CREATE_FEED, { i: { occasionId: w.occasionId, eventIds: [w.eventIds[1]] } }, { token: w.vendor.token });
    expect(errorCode(unseen)).toMatch(/^(FORBIDDEN|NOT_FOUND)$/);
    // a guest cannot limit its feed to an event its link does not show
    const other = await s.gql(CREATE_GUEST_FEED, { i: { eventIds: [w.eventIds[1]] } }, { token: w.guestToken });
    expect(errorCode(other)).toBe('NOT_FOUND');
  });

  it('a revoked feed is 410 and a tampered token 404, never data; only the owner lists or revokes a feed', async () => {
    const { url, feed } = (await must(s, w.owner.token, CREATE_FEED, { i: { occasionId: w.occasionId, eventIds: [w.eventIds[0]] } }))
      .createCalendarFeed;
    expect(feed.eventIds).toEqual([w.eventIds[0]]);
    const path = pathOf(url);
    const tampered = path.replace(/(.)\.ics$/, (_m, c: string) => `${c === 'A' ? 'B' : 'A'}.ics`);
    const t = await s.fetch(tampered);
    expect(t.status).toBe(404);
    expect(await t.text()).not.toContain('VEVENT');
    // someone else's feed does not exist for the vendor, nor for a guest
    const byGuest = await s.gql(
      `mutation($i: RevokeCalendarFeedInput!) { revokeGuestCalendarFeed(input: $i) { feed { id } } }`,
      { i: { id: feed.id } },
      { token: w.guestToken },
    );
    expect(errorCode(byGuest)).toBe('NOT_FOUND');
    const foreign = await s.gql(REVOKE, { i: { id: feed.id } }, { token: w.vendor.token });
    expect(errorCode(foreign)).toBe('NOT_FOUND');
    const listed = await must(s, w.vendor.token, `query($id: ID!) { occasion(id: $id) { calendarFeeds { id } } }`, { id: w.occasionId });
    expect(listed.occasion.calendarFeeds.map((f: { id: string }) => f.id)).not.toContain(feed.id);
    // revoked by its owner
    const revoked = await must(s, w.owner.token, REVOKE, { i: { id: feed.id } });
    expect(revoked.revokeCalendarFeed.feed.revokedAt).toBeTruthy();
    const r = await fetchFeed(url);
    expect(r.status).toBe(410);
    expect(r.text).not.toContain('VEVENT');
    expect(r.headers.get('cache-control')).toMatch(/no-store/);
    // the feed is read-only
    expect((await s.fetch(path, { method: 'POST' })).status).toBe(405);
  });

  it('a guest feed closes when the guest link is withdrawn', async () => {
    const guestFeed = (await must(s, w.guestToken, CREATE_GUEST_FEED, { i: { label: 'Mine' } })).createGuestCalendarFeed.url;
    expect((await fetchFeed(guestFeed)).status).toBe(200);
    await s.app.db.prisma.guestAccess.updateMany({ where: { occasionId: raw(w.occasionId) }, data: { revokedAt: new Date() } });
    expect((await fetchFeed(guestFeed)).status).toBe(410);
  });

  it('decides at each fetch: a vendor whose grant is withdrawn gets an empty calendar', async () => {
    const url = (await must(s, w.vendor.token, CREATE_FEED, { i: { occasionId: w.occasionId } })).createCalendarFeed.url;
    expect(parseIcs((await fetchFeed(url)).text).events.length).toBeGreaterThan(0);
    await s.app.db.prisma.grant.updateMany({ where: { subjectActorId: raw(w.vendor.actorId) }, data: { revokedAt: new Date() } });
    const after = await fetchFeed(url);
    expect(after.status).toBe(200);
    expect(parseIcs(after.text).events).toEqual([]);
  });

  it('answers a runaway client 429 once a feed is fetched more than 120 times in an hour', async () => {
    const url = (await must(s, w.owner.token, CREATE_FEED, { i: { occasionId: w.occasionId, label: 'Runaway' } })).createCalendarFeed.url;
    const path = pathOf(url);
    const statuses: number[] = [];
    for (let i = 0; i < 120; i++) statuses.push((await s.fetch(path, { method: 'HEAD' })).status);
    expect(statuses.every((x) => x === 200)).toBe(true);
    const last = await s.fetch(path);
    expect(last.status).toBe(429);
    expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await last.text()).not.toContain('VEVENT');
  });
});
