import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { addCollaborator, buildWorld, must, type World } from '../../support/factories.js';
import { errorCode, startServer } from '../../support/harness.js';
import { wsClient } from '../../support/live.js';
import { globalId } from '../../support/rows.js';

/**
 * PRIVATE events (docs/permissions/private-events.md): visible only to
 * principals granted at the event (or inside it) and to occasion-wide event
 * managers (owner, planner, co_planner); guests only when invited to it.
 * Everyone else gets exactly what an id that exists nowhere gets, on every
 * path: by id, lists and their counts, RSVP summaries, responses, exports,
 * subscriptions, nested lists.
 */

const s = await startServer();

const UPDATE_EVENT = `mutation($i: UpdateEventInput!) { updateEvent(input: $i) { __typename } }`;
const CREATE_INVITATION = `mutation($i: CreateRsvpInvitationInput!) {
  createRsvpInvitation(input: $i) { ... on CreateRsvpInvitationPayload { guestToken } } }`;

interface Henna {
  w: World;
  dinner: string;
  henna: string;
  guestOfDinner: string;
  guestOfHenna: string;
  people: Record<'vendor' | 'helper' | 'rsvpManager' | 'coPlanner' | 'hennaVendor', { token: string; actorId: string }>;
}

/** A dinner (public) and a henna night (private), RSVP on both; collaborators occasion-wide unless named otherwise. */
async function henna(): Promise<Henna> {
  const w = await buildWorld(s, { events: 2, households: [2, 1], modules: { rsvp: [0, 1] } });
  const [dinner, hennaId] = w.eventIds as [string, string];
  await must(s, w.owner.token, UPDATE_EVENT, { i: { id: hennaId, visibility: 'PRIVATE' } });
  const guestOfDinner = (
    await must(s, w.owner.token, CREATE_INVITATION, { i: { occasionId: w.occasionId, unitId: w.households[0]!.id, eventIds: [dinner] } })
  ).createRsvpInvitation.guestToken;
  const guestOfHenna = (
    await must(s, w.owner.token, CREATE_INVITATION, {
      i: { occasionId: w.occasionId, unitId: w.households[1]!.id, eventIds: [dinner, hennaId] },
    })
  ).createRsvpInvitation.guestToken;
  const people = {
    vendor: await addCollaborator(s, w.owner, w.occasionId, 'vendor'),
    helper: await addCollaborator(s, w.owner, w.occasionId, 'helper'),
    rsvpManager: await addCollaborator(s, w.owner, w.occasionId, 'rsvp_manager'),
    coPlanner: await addCollaborator(s, w.owner, w.occasionId, 'co_planner'),
    hennaVendor: await addCollaborator(s, w.owner, w.occasionId, 'vendor', [hennaId]),
  };
  return { w, dinner, henna: hennaId, guestOfDinner, guestOfHenna, people };
}

const EVENT = `query($id: ID!) { event(id: $id) { id name } }`;
const nowhere = () => globalId('Event', randomUUID());

describe('private events', { timeout: 180_000 }, () => {
  it('by id: NOT_FOUND, byte-identical to an id that exists nowhere, unless granted at the event or managing events', async () => {
    const h = await henna();
    for (const who of ['vendor', 'helper', 'rsvpManager'] as const) {
      const real = await s.gql(EVENT, { id: h.henna }, { token: h.people[who].token });
      const unknown = await s.gql(EVENT, { id: nowhere() }, { token: h.people[who].token });
      expect(errorCode(real), who).toBe('NOT_FOUND');
      expect(real.body, who).toEqual(unknown.body);
      // The public dinner stays visible to them.
      expect((await s.gql(EVENT, { id: h.dinner }, { token: h.people[who].token })).body.errors, who).toBeUndefined();
    }
    for (const token of [h.w.owner.token, h.people.coPlanner.token, h.people.hennaVendor.token]) {
      expect((await s.gql(EVENT, { id: h.henna }, { token })).body.data.event.id).toBe(h.henna);
    }
    // Writing to it is NOT_FOUND too, never FORBIDDEN (which would confirm it exists).
    const write = await s.gql(UPDATE_EVENT, { i: { id: h.henna, name: 'Renamed' } }, { token: h.people.vendor.token });
    const writeNowhere = await s.gql(UPDATE_EVENT, { i: { id: nowhere(), name: 'Renamed' } }, { token: h.people.vendor.token });
    expect(errorCode(write)).toBe('NOT_FOUND');
    expect(write.body).toEqual(writeNowhere.body);
  });

  it('lists and counts leave it out for those who may not see it', async () => {
    const h = await henna();
    const q = `query($id: ID!) { occasion(id: $id) { events(first: 10) { totalCount edges { node { id } } } } }`;
    const ids = async (token: string) => {
      const r = await s.gql(q, { id: h.w.occasionId }, { token });
      expect(r.body.errors).toBeUndefined();
      const c = r.body.data.occasion.events;
      expect(c.totalCount).toBe(c.edges.length);
      return c.edges.map((e: { node: { id: string } }) => e.node.id);
    };
    expect(await ids(h.people.vendor.token)).toEqual([h.dinner]);
    expect(await ids(h.people.helper.token)).toEqual([h.dinner]);
    expect(await ids(h.people.coPlanner.token)).toEqual([h.dinner, h.henna]);
    expect(await ids(h.w.owner.token)).toEqual([h.dinner, h.henna]);
    // Limited to the henna night: that is the one event it sees.
    expect(await ids(h.people.hennaVendor.token)).toEqual([h.henna]);
    // Nested lists of event rows drop it instead of failing the whole list.
    const modules = await s.gql(
      `query($id: ID!) { occasion(id: $id) { modules { enablements { event { id } } } } }`,
      { id: h.w.occasionId },
      {
        token: h.people.helper.token,
      },
    );
    expect(modules.body.errors).toBeUndefined();
    expect(modules.body.data.occasion.modules[0].enablements.map((e: { event: { id: string } }) => e.event.id)).toEqual([h.dinner]);
  });

  it('RSVP: summaries, responses, exports and invitations show an RSVP manager without a grant at it nothing of it', async () => {
    const h = await henna();
    const token = h.people.rsvpManager.token;
    const summary = await s.gql(`query($id: ID!) { occasion(id: $id) { rsvpSummary { eventId invited } } }`, { id: h.w.occasionId }, { token });
    expect(summary.body.data.occasion.rsvpSummary.map((x: { eventId: string }) => x.eventId)).toEqual([h.dinner]);
    const owners = await s.gql(
      `query($id: ID!) { occasion(id: $id) { rsvpSummary { eventId } } }`,
      { id: h.w.occasionId },
      { token: h.w.owner.token },
    );
    expect(owners.body.data.occasion.rsvpSummary).toHaveLength(2);
    for (const field of ['rsvpSummary { invited }', 'rsvpResponses(first: 5) { totalCount }', 'rsvpExportCsv', 'rsvp { deadline }']) {
      const real = await s.gql(`query($id: ID!) { event(id: $id) { ${field} } }`, { id: h.henna }, { token });
      const unknown = await s.gql(`query($id: ID!) { event(id: $id) { ${field} } }`, { id: nowhere() }, { token });
      expect(errorCode(real), field).toBe('NOT_FOUND');
      expect(real.body, field).toEqual(unknown.body);
    }
    const invitations = await s.gql(
      `query($id: ID!) { occasion(id: $id) { rsvpInvitations(first: 10) { edges { node { invitedEventIds responses { event { id } } } } } } }`,
      { id: h.w.occasionId },
      { token },
    );
    expect(invitations.body.errors).toBeUndefined();
    const nodes = invitations.body.data.occasion.rsvpInvitations.edges.map((e: { node: unknown }) => e.node);
    expect(JSON.stringify(nodes)).not.toContain(h.henna);
    expect(nodes.flatMap((n: { invitedEventIds: string[] }) => n.invitedEventIds)).toEqual([h.dinner, h.dinner]);
    // Granted at the henna night (its RSVP enablement), the same manager sees it.
    const enablementId = (await must(s, h.w.owner.token, `query($id: ID!) { event(id: $id) { modules { id } } }`, { id: h.henna })).event.modules[0]
      .id;
    await must(s, h.w.owner.token, `mutation($i: GrantAccessInput!) { grantAccess(input: $i) { __typename } }`, {
      i: {
        occasionId: h.w.occasionId,
        subjectId: h.people.rsvpManager.actorId,
        actions: ['rsvp:view'],
        scope: { type: 'MODULE_ENABLEMENT', enablementId },
      },
    });
    const after = await s.gql(`query($id: ID!) { event(id: $id) { rsvpSummary { invited } } }`, { id: h.henna }, { token });
    expect(after.body.errors).toBeUndefined();
    expect(after.body.data.event.rsvpSummary.invited).toBe(1);
  });

  it('explainAccess names the reason', async () => {
    const h = await henna();
    const r = await must(
      s,
      h.w.owner.token,
      `query($s: ID!, $t: AccessTargetInput!) { explainAccess(subjectId: $s, action: "event:read", target: $t) { allowed reason } }`,
      { s: h.people.vendor.actorId, t: { occasionId: h.w.occasionId, eventId: h.henna } },
    );
    expect(r.explainAccess).toEqual({ allowed: false, reason: 'PRIVATE_EVENT' });
  });

  it('guests see it only when invited to it', async () => {
    const h = await henna();
    const q = `query { guestInvitation { events { id } } }`;
    expect((await must(s, h.guestOfDinner, q)).guestInvitation.events.map((e: { id: string }) => e.id)).toEqual([h.dinner]);
    expect((await must(s, h.guestOfHenna, q)).guestInvitation.events.map((e: { id: string }) => e.id)).toEqual([h.dinner, h.henna]);
  });

  it('subscriptions: rsvpSummaryChanged(henna) is refused; rsvpOccasionSummaryChanged leaves it out, and drops it once made private', async () => {
    const h = await henna();
    const ws = wsClient(s.url, h.people.rsvpManager.token);
    try {
      const one = ws.subscribe(`subscription($id: ID!) { rsvpSummaryChanged(eventId: $id) { invited } }`, { id: h.henna });
      const first = await one.next(1);
      expect(first.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      const all = ws.subscribe(`subscription($id: ID!) { rsvpOccasionSummaryChanged(occasionId: $id) { events { eventId } removedEventIds } }`, {
        id: h.w.occasionId,
      });
      const m1 = await all.next(1);
      expect(m1.data.rsvpOccasionSummaryChanged.events.map((e: { eventId: string }) => e.eventId)).toEqual([h.dinner]);
      // A guest answers the henna night: nothing reaches this subscriber.
      await must(s, h.guestOfHenna, `mutation($i: SubmitRsvpInput!) { submitRsvp(input: $i) { __typename } }`, {
        i: { responses: [{ eventId: h.henna, status: 'ATTENDING' }] },
      });
      // The dinner made private too: it is removed from the stream.
      await must(s, h.w.owner.token, UPDATE_EVENT, { i: { id: h.dinner, visibility: 'PRIVATE' } });
      const m2 = await all.next(2);
      expect(m2.data.rsvpOccasionSummaryChanged).toEqual({ events: [], removedEventIds: [h.dinner] });
      expect(all.messages).toHaveLength(2);
    } finally {
      await ws.dispose();
    }
  });
});
