import type { App } from '../src/app/create-app.js';
import type { Authorizer } from '../src/domains/permissions/authorizer.js';
import { grantAccess } from '../src/domains/permissions/permissions.service.js';
import { enableModule, installModule } from '../src/domains/module-platform/module-platform.service.js';
import { createTimelineItem } from '../src/modules/timeline/timeline.service.js';
import { createOperationalWindow } from '../src/modules/timeline/windows.service.js';
import type { Caller } from '../src/platform/principal.js';

/*
 * The demo's run of show: a timeline for each event of the wedding (what the
 * planners run, what vendors need, what guests see), the reception's
 * operational windows (venue access into the night, dinner service), and the
 * demo vendor (the reception's caterer) granted its part of the reception:
 * items for vendors, the ones it runs, and the windows.
 */

type Audience = 'PLANNERS' | 'VENDORS' | 'GUESTS';
interface DemoItem {
  at: string;
  until?: string;
  title: string;
  audience: Audience[];
  room?: string;
  location?: string;
  /** The demo vendor runs it. */
  vendor?: boolean;
}

const ALL: Audience[] = ['PLANNERS', 'VENDORS', 'GUESTS'];
/** Items by event name (as seeded in seed.ts), local times in Israel (+03:00 in June). */
const PROGRAMME: Record<string, DemoItem[]> = {
  'Henna night': [
    { at: '2027-06-08T17:00', until: '2027-06-08T18:00', title: 'Set-up and decorations', audience: ['PLANNERS', 'VENDORS'], room: 'garden' },
    { at: '2027-06-08T18:00', until: '2027-06-08T19:00', title: 'Welcome and henna', audience: ALL, room: 'garden' },
    { at: '2027-06-08T19:00', until: '2027-06-08T21:00', title: 'Dinner and music', audience: ALL, room: 'living-room' },
  ],
  'Chuppah (ceremony)': [
    { at: '2027-06-10T16:30', until: '2027-06-10T17:30', title: 'Family photos', audience: ['PLANNERS', 'VENDORS'], room: 'olive-grove' },
    { at: '2027-06-10T17:45', until: '2027-06-10T18:30', title: 'Guests arrive, welcome drinks', audience: ALL, room: 'terrace' },
    { at: '2027-06-10T18:30', until: '2027-06-10T19:15', title: 'Chuppah', audience: ALL, room: 'olive-grove' },
  ],
  'Reception dinner': [
    {
      at: '2027-06-10T14:00',
      until: '2027-06-10T17:00',
      title: 'Catering load-in and kitchen set-up',
      audience: ['PLANNERS', 'VENDORS'],
      room: 'main-hall',
      vendor: true,
    },
    { at: '2027-06-10T19:30', until: '2027-06-10T20:00', title: 'Couple’s entrance', audience: ALL, room: 'main-hall' },
    { at: '2027-06-10T20:00', until: '2027-06-10T21:30', title: 'Dinner service', audience: ALL, room: 'main-hall', vendor: true },
    { at: '2027-06-10T21:30', until: '2027-06-10T21:50', title: 'Speeches', audience: ['PLANNERS', 'GUESTS'], room: 'main-hall' },
    { at: '2027-06-10T22:00', until: '2027-06-11T01:00', title: 'Dancing', audience: ALL, room: 'main-hall' },
  ],
  'Farewell brunch': [
    { at: '2027-06-11T10:30', until: '2027-06-11T11:00', title: 'Café reserved area set-up', audience: ['PLANNERS', 'VENDORS'] },
    { at: '2027-06-11T11:00', until: '2027-06-11T14:00', title: 'Brunch', audience: ALL, location: 'Seaside café, Tel Aviv' },
  ],
};

const local = (t: string) => new Date(`${t}:00+03:00`);

/** Seeds the timelines (first boot, inside the demo's seeding, as the planner). */
export async function seedDemoTimeline(app: App, me: Caller & { authz: Authorizer }, occasionId: string, vendorEmail: string) {
  const prisma = app.db.prisma;
  await prisma.$transaction(
    (tx) =>
      me.authz.within(tx, async () => {
        await installModule(tx, me, app.moduleRegistry, occasionId, 'timeline', {});
        const events = await tx.event.findMany({ where: { occasionId }, select: { id: true, name: true } });
        const vendor = await tx.actor.findFirst({ where: { occasionId, user: { email: vendorEmail } }, select: { id: true } });
        for (const event of events) {
          await enableModule(tx, me, app.moduleRegistry, event.id, 'timeline', {});
          const at = { occasionId, eventId: event.id };
          for (const item of PROGRAMME[event.name] ?? []) {
            await createTimelineItem(tx, me, at, {
              title: item.title,
              startsAt: local(item.at),
              endsAt: item.until ? local(item.until) : null,
              audience: item.audience,
              ...(item.room ? { room: item.room } : {}),
              ...(item.location ? { location: item.location } : {}),
              ...(item.vendor && vendor ? { responsibleActorIds: [vendor.id] } : {}),
            });
          }
          if (event.name !== 'Reception dinner') continue;
          await createOperationalWindow(tx, me, at, {
            kind: 'VENUE_ACCESS',
            label: 'Venue access for suppliers',
            startsAt: local('2027-06-10T14:00'),
            endsAt: local('2027-06-11T02:00'),
          });
          await createOperationalWindow(tx, me, at, {
            kind: 'SERVICE',
            label: 'Dinner service',
            startsAt: local('2027-06-10T19:30'),
            endsAt: local('2027-06-10T22:00'),
            room: 'main-hall',
          });
          if (vendor)
            await grantAccess(tx, me, me.authz, app.actions, occasionId, {
              subjectActorId: vendor.id,
              role: 'timeline_vendor',
              scope: { type: 'EVENT', eventId: event.id },
            });
        }
      }),
    { timeout: 60_000 },
  );
}
