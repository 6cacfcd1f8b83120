import type { App } from '../src/app/create-app.js';
import type { Authorizer } from '../src/domains/permissions/authorizer.js';
import { encodeGlobalID } from '../src/kit/ids.js';
import type { Caller } from '../src/platform/principal.js';
import { demoPartnerCredential, seedDemoPartner } from './seed-integrations.js';

/*
 * The demo's venue: Olive Grove Estate's own system, connected for the
 * reception only and read-only there (the partner examples' default): the
 * event, its published seating plan (tables, seats, counts, the venue's room
 * and table ids; never who sits where), the run-of-show items meant for
 * vendors and the operational windows. Its staff who sign in as people are
 * another path (vendor collaborators with grants of their own).
 */

export const DEMO_VENUE_NAME = 'Olive Grove Estate (venue)';

/** Seeds the venue integration (first boot, inside the demo's seeding, as the planner). */
export async function seedDemoVenue(app: App, me: Caller & { authz: Authorizer }, occasionId: string) {
  const reception = await app.db.prisma.event.findFirstOrThrow({ where: { occasionId, name: 'Reception dinner' }, select: { id: true } });
  await seedDemoPartner(app, me, occasionId, {
    name: DEMO_VENUE_NAME,
    description: 'The hall: reads the published seating plan, the vendors’ run of show and the operational windows of the reception.',
    flags: ['OUTBOUND', 'EVENT_DRIVEN'],
    eventIds: [reception.id],
    grants: [
      {
        actions: ['event:read', 'seating:read_published', 'timeline:read', 'timeline:read_windows'],
        scope: { type: 'EVENT', eventId: reception.id },
      },
    ],
    operations: ['VenueEvent', 'VenueSeatingPlan', 'VenueTimeline'],
  });
}

/** A fresh credential for the demo venue (earlier ones revoked), and the event it serves, for the banner. */
export async function demoVenueCredential(app: App, occasionId: string) {
  const reception = await app.db.prisma.event.findFirst({ where: { occasionId, name: 'Reception dinner' }, select: { id: true } });
  const credential = reception ? await demoPartnerCredential(app, DEMO_VENUE_NAME) : null;
  return credential && reception ? { ...credential, eventId: encodeGlobalID('Event', reception.id) } : null;
}
