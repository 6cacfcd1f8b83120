import { execute, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createContext } from '../../../src/interfaces/graphql/context-factory.js';
import { integrationPrincipal } from '../../../src/interfaces/webhooks/subscriber-access.js';
import { newWebhookSecret, signWebhook, verifyWebhook } from '../../../src/interfaces/webhooks/signing.js';
import { resolveAppKey } from '../../../src/platform/app-key.js';
import { encrypt } from '../../../src/platform/crypto.js';
import { must } from '../../support/factories.js';
import { testSchema } from '../../support/harness.js';
import { grantIntegration, integrationWithCredential, issueToken, operationId, runOperation } from '../../support/integration-auth.js';
import { globalId, rawId } from '../../support/rows.js';
import { CREATE_ENDPOINT, webhookSuite } from '../../support/webhooks.js';
import { assign, PLAN, PUBLISH, PUBLISHED_NAMES, type SeatingWorld, seatingWorld, table } from './seating-support.js';

/**
 * The venue, end to end, as the partner examples give it: an integration
 * connected to the dinner only, read-only (event:read, seating:read_published
 * on that event). It hears seating_plan.published for the dinner (signed,
 * rendered as itself through its persisted VenueSeatingPlan document) and gets
 * rooms with its own ids, tables, seats and counts — never a guest's name.
 */

const { s, receiver, settle } = await webhookSuite();

async function venueFor(w: SeatingWorld) {
  const venue = await integrationWithCredential(s, { operations: ['VenueEvent', 'VenueSeatingPlan'] });
  const occasionId = rawId(w.occasionId);
  const connection = await s.app.db.prisma.integrationConnection.create({
    data: { integrationId: venue.integrationId, occasionId, eventIds: [rawId(w.eventIds[0]!)] },
  });
  await grantIntegration(s, venue.integrationId, {
    occasionId,
    actions: ['event:read', 'seating:read_published'],
    scopeType: 'EVENT',
    scopeEventId: rawId(w.eventIds[0]!),
  });
  const ep = await must(s, w.owner.token, CREATE_ENDPOINT, {
    i: {
      connectionId: globalId('IntegrationConnection', connection.id),
      url: receiver.url(`/venue/${venue.integrationId}`),
      eventTypes: ['seating_plan.published'],
      eventIds: [w.eventIds[0]],
      documentId: operationId('VenueSeatingPlan'),
    },
  });
  if (ep.createWebhookEndpoint.__typename !== 'WebhookEndpointSecretPayload') throw new Error(JSON.stringify(ep.createWebhookEndpoint));
  return { ...venue, signingSecret: ep.createWebhookEndpoint.secret as string, token: await issueToken(s, venue) };
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

describe('the venue', () => {
  it('hears seating_plan.published for its event and reads the layout and counts, never names or drafts', async () => {
    // given a dinner plan with a room and a table, and a venue granted the dinner
    const w = await seatingWorld(s);
    const venue = await venueFor(w);
    const room = await must(
      s,
      w.owner.token,
      `mutation($i: CreateSeatingRoomInput!) { createSeatingRoom(input: $i) { ... on CreateSeatingRoomPayload { room { id } } } }`,
      { i: { planId: w.planId, name: 'Garden hall', externalId: 'GH-1' } },
    );
    const t1 = await table(s, w, 'Table 1', 6, { roomId: room.createSeatingRoom.room.id, externalId: 'GH-T01', seatLabels: ['A', 'B'] });
    await assign(s, w, { tableId: t1, guestIds: [w.households[0]!.memberIds[0]] });
    // nothing before publishing: the draft is not the venue's
    const early = await runOperation(s, venue.token, 'VenueSeatingPlan', { eventId: w.eventIds[0] });
    expect(early.body.errors).toBeUndefined();
    expect(early.body.data.event.publishedSeatingPlan).toBeNull();

    // when the planner publishes
    await must(s, w.owner.token, PUBLISH, { i: { planId: w.planId } });
    await settle.until(async () => receiver.at(`/venue/${venue.integrationId}`).length > 0);

    // then one signed delivery, rendered as the venue: layout with its ids and counts
    const [hook] = receiver.at(`/venue/${venue.integrationId}`);
    expect(verifyWebhook(venue.signingSecret, hook!.headers as Record<string, string>, hook!.body)).toEqual({ ok: true });
    const envelope = JSON.parse(hook!.body);
    expect(envelope).toMatchObject({ type: 'seating_plan.published', eventId: w.eventIds[0] });
    expect(envelope.errors).toBeUndefined();
    const plan = envelope.data.event.publishedSeatingPlan;
    expect(plan).toMatchObject({ number: 1, tableCount: 1, seatCount: 6, seatedCount: 2, rooms: [{ name: 'Garden hall', externalId: 'GH-1' }] });
    expect(plan.tables[0]).toMatchObject({ label: 'Table 1', externalId: 'GH-T01', occupiedCount: 2, room: { externalId: 'GH-1' } });
    expect(plan.tables[0].seats.slice(0, 3)).toEqual([
      { number: 1, label: 'A', occupied: true },
      { number: 2, label: 'B', occupied: true },
      { number: 3, label: '3', occupied: false },
    ]);
    expect(hook!.body).not.toMatch(/Guest|Household|@example/);

    // and the same through its persisted operation
    const pulled = await runOperation(s, venue.token, 'VenueSeatingPlan', { eventId: w.eventIds[0] });
    expect(pulled.body.data.event.publishedSeatingPlan).toEqual(plan);

    // names, the draft, and other events stay out of reach whatever it asks
    expect((await asIntegration(venue.integrationId, PUBLISHED_NAMES, { id: w.eventIds[0] })).codes).toEqual(['FORBIDDEN']);
    expect((await asIntegration(venue.integrationId, PLAN, { id: w.eventIds[0] })).codes).toEqual(['FORBIDDEN']);
    expect((await asIntegration(venue.integrationId, PUBLISHED_NAMES, { id: w.eventIds[1] })).codes).toEqual(['FORBIDDEN']);
    const other = await seatingWorld(s);
    expect((await asIntegration(venue.integrationId, PUBLISHED_NAMES, { id: other.eventIds[0] })).codes).toEqual(['NOT_FOUND']);
  });

  it('does not hear of another event’s plan', async () => {
    const w = await seatingWorld(s);
    const venue = await venueFor(w);
    const brunch = await must(
      s,
      w.owner.token,
      `mutation($i: CreateSeatingPlanInput!) { createSeatingPlan(input: $i) { ... on CreateSeatingPlanPayload { plan { id } } } }`,
      { i: { eventId: w.eventIds[1] } },
    );
    const planId = brunch.createSeatingPlan.plan.id;
    const t = await table(s, { ...w, planId }, 'B1', 4);
    // nobody attends the brunch yet: a planner override seats household 1
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
    await assign(s, { ...w, planId }, { tableId: t, guestIds: [w.households[0]!.memberIds[0]] });
    await must(s, w.owner.token, PUBLISH, { i: { planId } });
    await settle(200);
    expect(receiver.at(`/venue/${venue.integrationId}`)).toHaveLength(0);
  });
});

describe('the venue pushes its layout (inbound)', () => {
  async function pusher(w: SeatingWorld, actions = ['seating:manage_layout']) {
    const venue = await integrationWithCredential(s);
    const secret = newWebhookSecret();
    await s.app.db.prisma.integrationSecret.create({
      data: { integrationId: venue.integrationId, name: 'inbound_signing', valueEnc: encrypt(secret, resolveAppKey(s.app.config)) },
    });
    await grantIntegration(s, venue.integrationId, {
      occasionId: rawId(w.occasionId),
      actions,
      scopeType: 'EVENT',
      scopeEventId: rawId(w.eventIds[0]!),
    });
    return async (data: unknown) => {
      const text = JSON.stringify({ type: 'seating_layout.pushed', data });
      const headers = signWebhook([secret], {
        id: `msg_${Math.random().toString(36).slice(2)}`,
        timestamp: Math.floor(Date.now() / 1000),
        body: text,
      });
      const res = await s.fetch(`/webhooks/inbound/${venue.integrationId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: text,
      });
      return { status: res.status, body: (await res.json()) as Record<string, any> };
    };
  }
  const layout = (w: SeatingWorld) =>
    s.app.db.prisma.seatingTable.findMany({
      where: { planId: rawId(w.planId) },
      orderBy: { externalId: 'asc' },
      select: { id: true, externalId: true, label: true, capacity: true, room: { select: { externalId: true, name: true } } },
    });

  it('rooms and tables are created, then updated in place by the venue’s ids; seated guests keep their seats', async () => {
    const w = await seatingWorld(s);
    const push = await pusher(w);
    const first = await push({
      eventId: w.eventIds[0],
      rooms: [{ externalId: 'R1', name: 'Ballroom' }],
      tables: [
        { externalId: 'T1', label: '1', capacity: 8, roomExternalId: 'R1', x: 10, y: 20 },
        { externalId: 'T2', label: '2', capacity: 6, roomExternalId: 'R1' },
      ],
    });
    expect(first).toMatchObject({ status: 200, body: { status: 'applied' } });
    const created = await layout(w);
    expect(created.map((t) => [t.externalId, t.label, t.capacity, t.room?.name])).toEqual([
      ['T1', '1', 8, 'Ballroom'],
      ['T2', '2', 6, 'Ballroom'],
    ]);
    await assign(s, w, { tableId: globalId('SeatingTable', created[0]!.id), guestIds: [w.households[1]!.memberIds[0]] });
    // the venue renames the room and resizes table 1
    expect(
      await push({
        eventId: w.eventIds[0],
        rooms: [{ externalId: 'R1', name: 'Grand ballroom' }],
        tables: [{ externalId: 'T1', label: '1A', capacity: 4, roomExternalId: 'R1' }],
      }),
    ).toMatchObject({ status: 200 });
    const updated = await layout(w);
    expect(updated[0]).toMatchObject({ id: created[0]!.id, label: '1A', capacity: 4, room: { name: 'Grand ballroom' } });
    expect(await s.app.db.prisma.seatingAssignment.count({ where: { tableId: created[0]!.id } })).toBe(3);
    // shrinking below who sits there is refused, nothing changes
    const shrink = await push({ eventId: w.eventIds[0], rooms: [], tables: [{ externalId: 'T1', label: '1A', capacity: 2 }] });
    expect(shrink).toMatchObject({ status: 422, body: { error: 'TABLE_FULL' } });
    expect(await layout(w)).toEqual(updated);
    // an audit row names the integration
    expect(
      await s.app.db.prisma.auditLog.count({
        where: { action: 'seating:manage_layout', occasionId: rawId(w.occasionId), outcome: 'SUCCESS', integrationId: { not: null } },
      }),
    ).toBe(2);
  });

  it('without seating:manage_layout, or for another event, the push is refused', async () => {
    const w = await seatingWorld(s);
    const readOnly = await pusher(w, ['seating:read_published']);
    const data = { eventId: w.eventIds[0], rooms: [], tables: [{ externalId: 'T1', label: '1', capacity: 8 }] };
    expect((await readOnly(data)).status).toBe(403);
    const push = await pusher(w);
    expect((await push({ ...data, eventId: w.eventIds[1] })).status).toBe(403);
    expect(await layout(w)).toEqual([]);
  });
});
