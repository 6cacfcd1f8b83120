import { execute, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createContext } from '../../../src/interfaces/graphql/context-factory.js';
import { integrationPrincipal } from '../../../src/interfaces/webhooks/subscriber-access.js';
import { newWebhookSecret, signWebhook, verifyWebhook } from '../../../src/interfaces/webhooks/signing.js';
import { resolveAppKey } from '../../../src/platform/app-key.js';
import { encrypt } from '../../../src/platform/crypto.js';
import { buildWorld, must } from '../../support/factories.js';
import { type GqlResult, testSchema } from '../../support/harness.js';
import { grantIntegration, integrationWithCredential, issueToken, operationId, runOperation } from '../../support/integration-auth.js';
import { globalId, rawId } from '../../support/rows.js';
import { CREATE_ENDPOINT, webhookSuite } from '../../support/webhooks.js';
import { assign, PLAN, PUBLISH, PUBLISHED_NAMES, readPlan, type SeatingWorld, seatingWorld, table } from '../../modules/seating/seating-support.js';

/**
 * The venue, end to end across Seating and Timeline (issue 15): one
 * integration with read-only grants on the reception (event 0) only,
 * connected for that event only, with one endpoint per document
 * (seating_plan.published → VenueSeatingPlan, timeline.updated →
 * VenueTimeline). It pushes its layout in through a verified inbound webhook,
 * hears the published plan and the timeline rendered as itself, pulls both
 * with its token, and reaches nothing else: not the draft, names, notes, RSVP
 * answers, contact details, conversations, the brunch (event 1), or another
 * occasion. The venue's human staff (a vendor user) is a separate path.
 */

const { s, receiver, settle } = await webhookSuite();

const CREATE_ITEM = `mutation($i: CreateTimelineItemInput!) { createTimelineItem(input: $i) { __typename } }`;
const CREATE_WINDOW = `mutation($i: CreateOperationalWindowInput!) { createOperationalWindow(input: $i) { __typename } }`;
const at = (h: number, m = 0) => new Date(Date.UTC(2027, 5, 10, h, m)).toISOString();
// Private things the venue must never receive or read.
const NOTE = 'Nut allergy, seat away from the kitchen';
const THREAD_BODY = 'About the surprise for the couple';

/**
 * The wedding of seatingWorld (reception = event 0, brunch = event 1; households 1 and 2 answered
 * the reception with their meals), with the timeline on both events, a vendor user at the venue
 * (vendor role on the reception), a guest note and phone number, and a private thread with a guest.
 */
async function venueDay() {
  const w = await seatingWorld(s, { vendor: [0] });
  const t = w.owner.token;
  await must(s, t, `mutation($i: InstallModuleInput!) { installModule(input: $i) { __typename } }`, {
    i: { occasionId: w.occasionId, moduleKey: 'timeline' },
  });
  for (const eventId of w.eventIds)
    await must(s, t, `mutation($i: EnableModuleInput!) { enableModule(input: $i) { __typename } }`, { i: { eventId, moduleKey: 'timeline' } });
  const head = w.households[0]!.memberIds[0]!;
  await must(s, t, `mutation($i: UpdateActorInput!) { updateActor(input: $i) { __typename } }`, {
    i: { id: head, notes: NOTE, phone: '+972501234567' },
  });
  const thread = await must(s, t, `mutation($i: StartThreadInput!) { startThread(input: $i) { ... on ThreadMessagePayload { thread { id } } } }`, {
    i: { occasionId: w.occasionId, counterpartId: w.households[0]!.id, subject: 'Private', body: THREAD_BODY },
  });
  return { ...w, head, threadId: thread.startThread.thread.id as string };
}
type VenueDay = Awaited<ReturnType<typeof venueDay>>;

/** The venue integration: read-only on the reception, connected for it only, one endpoint per document. */
async function venueFor(w: VenueDay) {
  const venue = await integrationWithCredential(s, { operations: ['VenueEvent', 'VenueSeatingPlan', 'VenueTimeline'] });
  const inboundSecret = newWebhookSecret();
  await s.app.db.prisma.integrationSecret.create({
    data: { integrationId: venue.integrationId, name: 'inbound_signing', valueEnc: encrypt(inboundSecret, resolveAppKey(s.app.config)) },
  });
  const occasionId = rawId(w.occasionId);
  const reception = rawId(w.eventIds[0]!);
  const connection = await s.app.db.prisma.integrationConnection.create({
    data: { integrationId: venue.integrationId, occasionId, eventIds: [reception] },
  });
  const grant = await grantIntegration(s, venue.integrationId, {
    occasionId,
    actions: ['event:read', 'seating:read_published', 'timeline:read', 'timeline:read_windows'],
    scopeType: 'EVENT',
    scopeEventId: reception,
  });
  const secrets: Record<string, string> = {};
  for (const [type, doc, path] of [
    ['seating_plan.published', 'VenueSeatingPlan', 'seating'],
    ['timeline.updated', 'VenueTimeline', 'timeline'],
  ] as const) {
    const ep = await must(s, w.owner.token, CREATE_ENDPOINT, {
      i: {
        connectionId: globalId('IntegrationConnection', connection.id),
        url: receiver.url(`/venue/${venue.integrationId}/${path}`),
        eventTypes: [type],
        eventIds: [w.eventIds[0]],
        documentId: operationId(doc),
      },
    });
    if (ep.createWebhookEndpoint.__typename !== 'WebhookEndpointSecretPayload') throw new Error(JSON.stringify(ep.createWebhookEndpoint));
    secrets[path] = ep.createWebhookEndpoint.secret as string;
  }
  const hooks = (path: 'seating' | 'timeline') => receiver.at(`/venue/${venue.integrationId}/${path}`);
  return { ...venue, grantId: grant.id, inboundSecret, secrets, hooks, token: await issueToken(s, venue) };
}

/** Any query as the integration, through the same schema and rules (the allowlist aside): what its grants let it read. */
async function asIntegration(integrationId: string, query: string, variables: Record<string, unknown> = {}) {
  const r = await execute({
    schema: testSchema(),
    document: parse(query),
    variableValues: variables,
    contextValue: createContext(s.app, integrationPrincipal(integrationId, 'development'), 'venue-probe'),
  });
  return { data: r.data as Record<string, any> | null | undefined, codes: (r.errors ?? []).map((e) => e.extensions.code) };
}

/** A signed inbound webhook from the venue's system. */
async function inbound(v: { integrationId: string; inboundSecret: string }, body: unknown) {
  const text = JSON.stringify(body);
  const headers = signWebhook([v.inboundSecret], {
    id: `msg_${Math.random().toString(36).slice(2)}`,
    timestamp: Math.floor(Date.now() / 1000),
    body: text,
  });
  const res = await s.fetch(`/webhooks/inbound/${v.integrationId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: text,
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

const TIMELINE = `query($id: ID!) { event(id: $id) { timeline { items { title } } } }`;
const codesOf = (r: GqlResult) => (r.body.errors ?? []).map((e) => e.extensions?.code);
const titles = (r: { body: { data?: any } }) => r.body.data?.event?.timeline?.items.map((i: { title: string }) => i.title);

describe('the venue across seating and timeline', () => {
  it('the whole day: pushes its layout, hears the published plan and the timeline as itself, pulls the same', async () => {
    // given the wedding and the venue, which may also manage the reception's layout
    const w = await venueDay();
    const venue = await venueFor(w);
    await grantIntegration(s, venue.integrationId, {
      occasionId: rawId(w.occasionId),
      actions: ['seating:manage_layout'],
      scopeType: 'EVENT',
      scopeEventId: rawId(w.eventIds[0]!),
    });

    // when the venue pushes its rooms and tables through its verified inbound webhook
    const pushed = await inbound(venue, {
      type: 'seating_layout.pushed',
      data: {
        eventId: w.eventIds[0],
        rooms: [{ externalId: 'R-HALL', name: 'Olive hall' }],
        tables: [
          { externalId: 'T-01', label: 'Table 1', capacity: 4, roomExternalId: 'R-HALL', seatLabels: ['1A', '1B', '1C', '1D'], x: 10, y: 20 },
          { externalId: 'T-02', label: 'Table 2', capacity: 6, roomExternalId: 'R-HALL' },
        ],
      },
    });
    expect(pushed, JSON.stringify(pushed.body)).toMatchObject({ status: 200, body: { status: 'applied' } });
    expect(
      await s.app.db.prisma.auditLog.count({ where: { action: 'seating:manage_layout', integrationId: venue.integrationId, outcome: 'SUCCESS' } }),
    ).toBe(1);

    // and the planner seats the attending guests (who answered first) at the venue's tables and publishes
    const tables = (await readPlan(s, w)).tables as { id: string; label: string }[];
    const tableId = (label: string) => tables.find((t) => t.label === label)!.id;
    expect((await assign(s, w, { tableId: tableId('Table 1'), guestIds: [w.households[0]!.memberIds[0]] })).body.errors).toBeUndefined();
    expect((await assign(s, w, { tableId: tableId('Table 2'), guestIds: [w.households[1]!.memberIds[0]] })).body.errors).toBeUndefined();
    // nothing was published yet: the venue's pull has no plan and nothing was sent
    const early = await runOperation(s, venue.token, 'VenueSeatingPlan', { eventId: w.eventIds[0] });
    expect(early.body.errors).toBeUndefined();
    expect(early.body.data.event.publishedSeatingPlan).toBeNull();
    expect(venue.hooks('seating')).toHaveLength(0);
    await must(s, w.owner.token, PUBLISH, { i: { planId: w.planId } });
    await settle.until(async () => venue.hooks('seating').length > 0);

    // then the venue got one signed seating_plan.published, rendered as itself: layout, its ids, seat labels, counts
    const [seatingHook] = venue.hooks('seating');
    expect(verifyWebhook(venue.secrets.seating!, seatingHook!.headers as Record<string, string>, seatingHook!.body)).toEqual({ ok: true });
    const seatingEnvelope = JSON.parse(seatingHook!.body);
    expect(seatingEnvelope).toMatchObject({ type: 'seating_plan.published', eventId: w.eventIds[0] });
    expect(seatingEnvelope.errors).toBeUndefined();
    const plan = seatingEnvelope.data.event.publishedSeatingPlan;
    expect(plan).toMatchObject({ number: 1, tableCount: 2, seatCount: 10, seatedCount: 5, rooms: [{ name: 'Olive hall', externalId: 'R-HALL' }] });
    const byExternal = Object.fromEntries(plan.tables.map((t: { externalId: string }) => [t.externalId, t]));
    expect(byExternal['T-01']).toMatchObject({ label: 'Table 1', capacity: 4, x: 10, y: 20, occupiedCount: 2, room: { externalId: 'R-HALL' } });
    expect(byExternal['T-01'].seats).toEqual([
      { number: 1, label: '1A', occupied: true },
      { number: 2, label: '1B', occupied: true },
      { number: 3, label: '1C', occupied: false },
      { number: 4, label: '1D', occupied: false },
    ]);
    expect(byExternal['T-02']).toMatchObject({ label: 'Table 2', occupiedCount: 3, room: { externalId: 'R-HALL' } });
    // no names, emails, meals, notes or messages anywhere in the body
    expect(seatingHook!.body).not.toMatch(/Guest|Household|@example|fish|vegan|Nut allergy|surprise/);

    // when the planner builds the reception's timeline: an item for vendors, one for planners only, a window
    const t = w.owner.token;
    await must(s, t, CREATE_ITEM, {
      i: { eventId: w.eventIds[0], title: 'Venue load-in', startsAt: at(13), endsAt: at(14), room: 'Olive hall', audience: ['VENDORS'] },
    });
    await must(s, t, CREATE_ITEM, { i: { eventId: w.eventIds[0], title: 'Planners cue the speeches', startsAt: at(20), audience: ['PLANNERS'] } });
    await must(s, t, CREATE_WINDOW, {
      i: { eventId: w.eventIds[0], kind: 'SERVICE', label: 'Dinner service', startsAt: at(19, 30), endsAt: at(22), room: 'Olive hall' },
    });
    await settle.until(async () => venue.hooks('timeline').length >= 3);
    await settle();

    // then three signed timeline.updated, about the reception, each rendered with what the venue may see
    const timelineHooks = venue.hooks('timeline');
    expect(timelineHooks).toHaveLength(3);
    for (const h of timelineHooks) expect(verifyWebhook(venue.secrets.timeline!, h.headers as Record<string, string>, h.body)).toEqual({ ok: true });
    const envelopes = timelineHooks.map((h) => JSON.parse(h.body));
    expect(envelopes.every((e) => e.type === 'timeline.updated' && e.eventId === w.eventIds[0] && !e.errors)).toBe(true);
    const latest = envelopes.reduce((a, b) => (b.data.event.timeline.sequence > a.data.event.timeline.sequence ? b : a));
    expect(latest.data.event.timeline.sequence).toBe(3);
    expect(latest.data.event.timeline.items).toMatchObject([{ title: 'Venue load-in', room: 'Olive hall' }]);
    expect(latest.data.event.operationalWindows).toMatchObject([{ kind: 'SERVICE', label: 'Dinner service', room: 'Olive hall' }]);
    expect(timelineHooks.map((h) => h.body).join()).not.toMatch(/Planners cue|Guest|Household|Nut allergy|surprise/);

    // and it pulls both documents with its own token and gets the same
    const pulledPlan = await runOperation(s, venue.token, 'VenueSeatingPlan', { eventId: w.eventIds[0] });
    expect(pulledPlan.body.errors).toBeUndefined();
    expect(pulledPlan.body.data.event.publishedSeatingPlan).toEqual(plan);
    const pulledTimeline = await runOperation(s, venue.token, 'VenueTimeline', { eventId: w.eventIds[0] });
    expect(pulledTimeline.body.errors).toBeUndefined();
    expect(pulledTimeline.body.data).toEqual(latest.data);
    const when = await runOperation(s, venue.token, 'VenueEvent', { eventId: w.eventIds[0] });
    expect(when.body.data.event).toMatchObject({ id: w.eventIds[0], name: 'Event 1' });
  }, 90_000);

  it('cannot see the draft, names, notes, RSVP answers, contact details, conversations, the other event, or another occasion', async () => {
    // given the venue, a published reception plan, and a brunch with its own published plan, timeline and window
    const w = await venueDay();
    const venue = await venueFor(w);
    const t1 = await table(s, w, 'Table 1', 6);
    await assign(s, w, { tableId: t1, guestIds: [w.households[0]!.memberIds[0]] });
    await must(s, w.owner.token, PUBLISH, { i: { planId: w.planId } });
    await settle.until(async () => venue.hooks('seating').length > 0);
    const brunch = await brunchPublished(w);
    await must(s, w.owner.token, CREATE_ITEM, { i: { eventId: w.eventIds[1], title: 'Brunch set-up', startsAt: at(9), audience: ['VENDORS'] } });
    await must(s, w.owner.token, CREATE_WINDOW, {
      i: { eventId: w.eventIds[1], kind: 'VENUE_ACCESS', label: 'Brunch access', startsAt: at(8), endsAt: at(12) },
    });
    const other = await buildWorld(s, { events: 1 });
    const v = venue.integrationId;
    const codes = async (query: string, variables: Record<string, unknown>) => (await asIntegration(v, query, variables)).codes;
    const e0 = { id: w.eventIds[0] };

    // the draft plan and who sits where on the published one
    expect(await codes(PLAN, e0)).toEqual(['FORBIDDEN']);
    expect(await codes(PUBLISHED_NAMES, e0)).toEqual(['FORBIDDEN']);
    // RSVP answers, meals per table, guest notes and contact details
    expect(await codes(`query($id: ID!) { event(id: $id) { rsvpResponses(first: 5) { edges { node { id } } } } }`, e0)).toEqual(['FORBIDDEN']);
    expect(await codes(`query($id: ID!) { event(id: $id) { rsvpSummary { __typename } } }`, e0)).toEqual(['FORBIDDEN']);
    expect(await codes(`query($id: ID!) { event(id: $id) { cateringSummary { __typename } } }`, e0)).toEqual(['FORBIDDEN']);
    expect(await codes(`query($id: ID!) { event(id: $id) { seatingCatering { __typename } } }`, e0)).toEqual(['FORBIDDEN']);
    expect(await codes(`query($id: ID!) { actor(id: $id) { notes } }`, { id: w.head })).toEqual(['FORBIDDEN']);
    expect(await codes(`query($id: ID!) { actor(id: $id) { email phone } }`, { id: w.head })).toEqual(['FORBIDDEN']);
    expect(await codes(`query($id: ID!) { actor(id: $id) { email } }`, { id: w.people.vendor!.actorId })).toEqual(['FORBIDDEN']);
    // private communications
    expect(await codes(`query($id: ID!) { thread(id: $id) { subject messages(first: 5) { edges { node { body } } } } }`, { id: w.threadId })).toEqual(
      ['FORBIDDEN'],
    );
    expect(await codes(`query($id: ID!) { communicationLog(occasionId: $id, first: 5) { edges { node { id } } } }`, { id: w.occasionId })).toEqual([
      'FORBIDDEN',
    ]);
    // the counterpart side is for signed-in users only: an integration is refused
    const asCounterpart = await asIntegration(v, `{ counterpartThreads(first: 5) { edges { node { id } } } }`);
    expect(asCounterpart.codes).toEqual(['FORBIDDEN']);
    expect(asCounterpart.data).toBeNull();
    // the occasion itself and its guest links
    expect(await codes(`query($id: ID!) { occasion(id: $id) { name } }`, { id: w.occasionId })).toEqual(['FORBIDDEN']);
    expect(await codes(`query($id: ID!) { event(id: $id) { occasion { name } } }`, e0)).toEqual(['FORBIDDEN']);
    expect(await codes(`query($id: ID!) { occasion(id: $id) { guestAccesses(first: 5) { edges { node { id } } } } }`, { id: w.occasionId })).toEqual([
      'FORBIDDEN',
    ]);
    // the brunch: its event, published plan, timeline and windows
    const e1 = { id: w.eventIds[1] };
    expect(await codes(`query($id: ID!) { event(id: $id) { name } }`, e1)).toEqual(['FORBIDDEN']);
    expect(await codes(`query($id: ID!) { event(id: $id) { publishedSeatingPlan { tableCount } } }`, e1)).toEqual(['FORBIDDEN']);
    expect(await codes(`query($id: ID!) { event(id: $id) { timeline { items { title } } } }`, e1)).toEqual(['FORBIDDEN']);
    expect(await codes(`query($id: ID!) { event(id: $id) { operationalWindows { label } } }`, e1)).toEqual(['FORBIDDEN']);
    const brunchPull = await runOperation(s, venue.token, 'VenueSeatingPlan', { eventId: w.eventIds[1] });
    expect(brunchPull.body.data?.event ?? null).toBeNull();
    expect(codesOf(brunchPull)).toEqual(['FORBIDDEN']);
    // another occasion's event is not there at all
    expect(await codes(`query($id: ID!) { event(id: $id) { name } }`, { id: other.eventIds[0] })).toEqual(['NOT_FOUND']);
    expect(await codes(`query($id: ID!) { occasion(id: $id) { name } }`, { id: other.occasionId })).toEqual(['NOT_FOUND']);

    // even a grant on the whole occasion is bounded by its connection to the reception
    await grantIntegration(s, v, { occasionId: rawId(w.occasionId), actions: ['event:read', 'timeline:read_windows'], scopeType: 'OCCASION' });
    expect(await codes(`query($id: ID!) { event(id: $id) { operationalWindows { label } } }`, e1)).toEqual(['FORBIDDEN']);

    // and it heard nothing of the brunch: its one seating delivery is the reception's, no timeline ones
    await settle(200);
    expect(brunch.published).toBe(true);
    expect(venue.hooks('seating').map((h) => JSON.parse(h.body).eventId)).toEqual([w.eventIds[0]]);
    expect(venue.hooks('timeline')).toHaveLength(0);
    // and without seating:manage_layout its layout push is refused, nothing changes
    const before = await s.app.db.prisma.seatingTable.count({ where: { planId: rawId(w.planId) } });
    const push = await inbound(venue, {
      type: 'seating_layout.pushed',
      data: { eventId: w.eventIds[0], rooms: [], tables: [{ externalId: 'T-X', label: 'X', capacity: 8 }] },
    });
    expect(push.status).toBe(403);
    expect(await s.app.db.prisma.seatingTable.count({ where: { planId: rawId(w.planId) } })).toBe(before);
  }, 90_000);

  it('the venue’s staff (a vendor user) and the venue integration are separate paths', async () => {
    // given the venue and its human contact, a vendor user on the reception given timeline:read there
    const w = await venueDay();
    const venue = await venueFor(w);
    const staff = w.people.vendor!;
    const grant = async (actions: string[]) => {
      const r = await must(
        s,
        w.owner.token,
        `mutation($i: GrantAccessInput!) { grantAccess(input: $i) { __typename ... on GrantPayload { grant { id } } } }`,
        {
          i: { occasionId: w.occasionId, subjectId: staff.actorId, actions, scope: { type: 'EVENT', eventId: w.eventIds[0] } },
        },
      );
      return r.grantAccess.grant.id as string;
    };
    const staffTimeline = await grant(['timeline:read']);
    const staffCatering = await grant(['seating:read_catering']);
    const revoke = (grantId: string) =>
      must(s, w.owner.token, `mutation($i: RevokeAccessInput!) { revokeAccess(input: $i) { __typename } }`, { i: { grantId } });
    const t1 = await table(s, w, 'Table 1', 6);
    await assign(s, w, { tableId: t1, guestIds: [w.households[0]!.memberIds[0]] });
    await must(s, w.owner.token, PUBLISH, { i: { planId: w.planId } });
    await must(s, w.owner.token, CREATE_ITEM, { i: { eventId: w.eventIds[0], title: 'Venue load-in', startsAt: at(13), audience: ['VENDORS'] } });
    await must(s, w.owner.token, CREATE_ITEM, {
      i: { eventId: w.eventIds[0], title: 'Planners cue the speeches', startsAt: at(20), audience: ['PLANNERS'] },
    });
    const PUBLISHED_PLAN = `query($id: ID!) { event(id: $id) { publishedSeatingPlan { tableCount } } }`;
    const CATERING = `query($id: ID!) { event(id: $id) { seatingCatering { __typename } } }`;
    const asStaff = (query: string) => s.gql(query, { id: w.eventIds[0] }, { token: staff.token });

    // then the staff see the vendors' items through the normal API, not the planners' item
    expect(titles(await asStaff(TIMELINE))).toEqual(['Venue load-in']);
    // the integration's seating:read_published does not extend to the staff
    expect(codesOf(await asStaff(PUBLISHED_PLAN))).toEqual(['FORBIDDEN']);
    expect((await runOperation(s, venue.token, 'VenueSeatingPlan', { eventId: w.eventIds[0] })).body.data.event.publishedSeatingPlan).not.toBeNull();
    // the staff's seating:read_catering does not extend to the integration
    expect(codesOf(await asStaff(CATERING))).toEqual([]);
    expect((await asIntegration(venue.integrationId, CATERING, { id: w.eventIds[0] })).codes).toEqual(['FORBIDDEN']);

    // when the staff's timeline grant is revoked, the integration still reads the timeline
    await revoke(staffTimeline);
    expect(codesOf(await asStaff(TIMELINE))).toEqual(['FORBIDDEN']);
    expect(titles(await runOperation(s, venue.token, 'VenueTimeline', { eventId: w.eventIds[0] }))).toEqual(['Venue load-in']);

    // when the integration's grant is revoked, it reads nothing (holding no grant in the occasion, the event is
    // not there for it) and hears nothing more, and the staff keep what they hold
    await settle.until(async () => venue.hooks('timeline').length >= 2);
    await revoke(globalId('Grant', venue.grantId));
    const cut = await runOperation(s, venue.token, 'VenueTimeline', { eventId: w.eventIds[0] });
    expect(codesOf(cut)).toEqual(['NOT_FOUND']);
    await must(s, w.owner.token, CREATE_ITEM, { i: { eventId: w.eventIds[0], title: 'Band sound check', startsAt: at(16), audience: ['VENDORS'] } });
    await settle(200);
    expect(venue.hooks('timeline')).toHaveLength(2);
    expect(codesOf(await asStaff(CATERING))).toEqual([]);
    expect((await asStaff(`query($id: ID!) { event(id: $id) { name } }`)).body.data.event.name).toBe('Event 1');
    // revoking one grant of the staff left their other one
    expect(await s.app.db.prisma.grant.count({ where: { id: rawId(staffCatering), revokedAt: null } })).toBe(1);
  }, 90_000);
});

/** The brunch gets a plan, a guest seated by a planner override (nobody answered it), and publishes. */
async function brunchPublished(w: SeatingWorld) {
  const created = await must(
    s,
    w.owner.token,
    `mutation($i: CreateSeatingPlanInput!) { createSeatingPlan(input: $i) { ... on CreateSeatingPlanPayload { plan { id } } } }`,
    { i: { eventId: w.eventIds[1] } },
  );
  const bw = { ...w, planId: created.createSeatingPlan.plan.id as string };
  const t = await table(s, bw, 'B1', 4);
  const rsvp = await s.app.db.prisma.rsvpResponse.findFirstOrThrow({
    where: { eventId: rawId(w.eventIds[1]!), unitActorId: rawId(w.households[0]!.id) },
  });
  await must(s, w.owner.token, `mutation($i: OverrideRsvpResponsesInput!) { overrideRsvpResponses(input: $i) { __typename } }`, {
    i: {
      invitationId: globalId('RsvpInvitation', rsvp.invitationId),
      reason: 'phoned',
      responses: [{ eventId: w.eventIds[1], status: 'ATTENDING' }],
    },
  });
  await assign(s, bw, { tableId: t, guestIds: [w.households[0]!.memberIds[0]] });
  const r = await must(s, w.owner.token, PUBLISH, { i: { planId: bw.planId } });
  return { published: r.publishSeatingPlan.__typename === 'PublishSeatingPlanPayload' };
}
