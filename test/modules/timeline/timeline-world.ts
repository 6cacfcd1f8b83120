import { decodeGlobalID } from '../../../src/kit/ids.js';
import { addCollaborator, buildWorld, must, type World } from '../../support/factories.js';
import type { TestServer } from '../../support/harness.js';

/**
 * An occasion with the timeline on both events (the second with overlapPolicy REJECT), a vendor contact
 * holding timeline_vendor on the first event, a caterer holding only timeline:read_windows there, and a
 * guest link that shows the first event only.
 */
export const at = (h: number, m = 0) => new Date(Date.UTC(2027, 5, 10, h, m)).toISOString();
export const raw = (id: string) => decodeGlobalID(id).id;

export interface TimelineWorld extends World {
  vendor: World['people'][string];
  caterer: World['people'][string];
  guestToken: string;
}

export async function timelineWorld(s: TestServer): Promise<TimelineWorld> {
  const w = await buildWorld(s, { events: 2, households: [2], modules: { rsvp: [0, 1] } });
  const t = w.owner.token;
  await must(s, t, `mutation($i: InstallModuleInput!) { installModule(input: $i) { __typename } }`, {
    i: { occasionId: w.occasionId, moduleKey: 'timeline' },
  });
  await must(s, t, `mutation($i: EnableModuleInput!) { enableModule(input: $i) { __typename } }`, {
    i: { eventId: w.eventIds[0], moduleKey: 'timeline' },
  });
  await must(s, t, `mutation($i: EnableModuleInput!) { enableModule(input: $i) { __typename } }`, {
    i: { eventId: w.eventIds[1], moduleKey: 'timeline', config: { overlapPolicy: 'REJECT' } },
  });
  // a vendor contact on the first event; a caterer that may read schedule windows only
  const vendor = await addCollaborator(s, w.owner, w.occasionId, 'timeline_vendor', [w.eventIds[0]!]);
  const caterer = await addCollaborator(s, w.owner, w.occasionId, 'vendor', [w.eventIds[0]!]);
  await must(s, t, `mutation($i: GrantAccessInput!) { grantAccess(input: $i) { __typename } }`, {
    i: { occasionId: w.occasionId, subjectId: caterer.actorId, actions: ['timeline:read_windows'], scope: { type: 'EVENT', eventId: w.eventIds[0] } },
  });
  // the guest link shows the first event only
  const inv = await must(
    s,
    t,
    `mutation($i: CreateRsvpInvitationInput!) { createRsvpInvitation(input: $i) { ... on CreateRsvpInvitationPayload { guestToken } } }`,
    { i: { occasionId: w.occasionId, unitId: w.households[0]!.id, eventIds: [w.eventIds[0]] } },
  );
  return { ...w, vendor, caterer, guestToken: inv.createRsvpInvitation.guestToken };
}
