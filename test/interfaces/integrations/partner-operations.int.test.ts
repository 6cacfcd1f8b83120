import { execute, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createContext } from '../../../src/interfaces/graphql/context-factory.js';
import { integrationPrincipal } from '../../../src/interfaces/webhooks/subscriber-access.js';
import { buildWorld, must } from '../../support/factories.js';
import { errorCode, startServer, testSchema } from '../../support/harness.js';
import { at, timelineWorld } from '../../modules/timeline/timeline-world.js';
import { grantIntegration, integrationWithCredential, issueToken, operationId, runOperation } from '../../support/integration-auth.js';
import { rawId } from '../../support/rows.js';

/**
 * Partners as they really call: a client-credentials token, then persisted
 * documents by id, limited by the integration's allowlist and, field by
 * field, by its grants. The caterer, venue and printer grant shapes of the
 * seeds' worked examples, on the resources that exist.
 */

const s = await startServer();

async function raw(token: string, body: unknown) {
  const res = await s.fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

describe('integrations run persisted documents only', () => {
  it('query text is refused (PERSISTED_QUERY_ONLY), an unknown id is PERSISTED_QUERY_NOT_FOUND, text beside an id is refused', async () => {
    const i = await integrationWithCredential(s, { operations: ['VenueEvent'] });
    const token = await issueToken(s, i);
    const text = await raw(token, { query: '{ __typename }' });
    expect(text.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_ONLY');
    expect(text.status).toBe(400);
    const unknown = await raw(token, { documentId: `sha256:${'f'.repeat(64)}` });
    expect(unknown.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(unknown.status).toBe(404);
    expect(unknown.body.data ?? null).toBeNull();
    const smuggled = await raw(token, { documentId: operationId('VenueEvent'), query: '{ __typename }' });
    expect(smuggled.status).toBe(400);
    expect(smuggled.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_WITH_TEXT');
    expect(smuggled.body.data ?? null).toBeNull();
  });

  it('an operation off the integration’s allowlist is FORBIDDEN, and the refusal is audited with its operation id', async () => {
    const w = await buildWorld(s, { events: 1, households: [] });
    const i = await integrationWithCredential(s, { operations: ['VenueEvent'] });
    await grantIntegration(s, i.integrationId, {
      occasionId: rawId(w.occasionId),
      actions: ['event:read'],
      scopeType: 'EVENT',
      scopeEventId: rawId(w.eventIds[0]!),
    });
    const token = await issueToken(s, i);
    const r = await runOperation(s, token, 'CateringSummary', { eventId: w.eventIds[0] });
    expect(errorCode(r)).toBe('FORBIDDEN');
    // GraphQL over HTTP: a request refused whole is a 4xx under application/graphql-response+json, with no data at all
    expect(r.status).toBe(403);
    expect('data' in r.body).toBe(false);
    const rows = await s.app.db.prisma.auditLog.findMany({ where: { integrationId: i.integrationId, operationId: operationId('CateringSummary') } });
    expect(rows.length).toBe(1);
    expect(rows[0]!.outcome).not.toBe('SUCCESS');
  });
});

describe('the partner worked examples', () => {
  it('the caterer reads catering summaries for its dining event only, never a guest’s name', async () => {
    const w = await buildWorld(s, { events: 2, households: [2, 3], modules: { rsvp: [0, 1] } });
    for (const h of w.households) {
      const inv = await must(
        s,
        w.owner.token,
        `mutation($i: CreateRsvpInvitationInput!) { createRsvpInvitation(input: $i) { ... on CreateRsvpInvitationPayload { guestToken } } }`,
        {
          i: { occasionId: w.occasionId, unitId: h.id, eventIds: w.eventIds },
        },
      );
      await must(s, inv.createRsvpInvitation.guestToken, `mutation($i: SubmitRsvpInput!) { submitRsvp(input: $i) { __typename } }`, {
        i: { responses: [{ eventId: w.eventIds[0], status: 'ATTENDING' }] },
      });
    }
    const caterer = await integrationWithCredential(s, { operations: ['CateringSummary'] });
    await grantIntegration(s, caterer.integrationId, {
      occasionId: rawId(w.occasionId),
      actions: ['event:read', 'rsvp:read_catering'],
      scopeType: 'EVENT',
      scopeEventId: rawId(w.eventIds[0]!),
    });
    const token = await issueToken(s, caterer);
    const dinner = await runOperation(s, token, 'CateringSummary', { eventId: w.eventIds[0] });
    expect(dinner.body.errors).toBeUndefined();
    expect(dinner.body.data.event.cateringSummary).toMatchObject({ headcount: 5, adults: 5, children: 0 });
    expect(JSON.stringify(dinner.body)).not.toMatch(/Guest|Household|@example\.com/);
    expect(errorCode(await runOperation(s, token, 'CateringSummary', { eventId: w.eventIds[1] }))).toBe('FORBIDDEN');
    // and another occasion's event does not exist for it
    const other = await buildWorld(s, { events: 1, households: [], modules: { rsvp: [0] } });
    expect(errorCode(await runOperation(s, token, 'CateringSummary', { eventId: other.eventIds[0] }))).toBe('NOT_FOUND');
  });

  it('the caterer reads its dining event’s schedule windows, never the run of show or another event’s', async () => {
    // given an event with a vendors' run-of-show item and two operational windows, and a caterer granted the windows only
    const w = await timelineWorld(s);
    const window = (kind: string, label: string, from: number, to: number) =>
      must(s, w.owner.token, `mutation($i: CreateOperationalWindowInput!) { createOperationalWindow(input: $i) { __typename } }`, {
        i: { eventId: w.eventIds[0], kind, label, startsAt: at(from), endsAt: at(to), room: 'HALL-A' },
      });
    await window('VENUE_ACCESS', 'Kitchen access', 14, 23);
    await window('SERVICE', 'Dinner service', 19, 22);
    await must(s, w.owner.token, `mutation($i: CreateTimelineItemInput!) { createTimelineItem(input: $i) { __typename } }`, {
      i: { eventId: w.eventIds[0], title: 'First dance', startsAt: at(21), audience: ['VENDORS'] },
    });
    const caterer = await integrationWithCredential(s, { operations: ['CateringSchedule'] });
    await grantIntegration(s, caterer.integrationId, {
      occasionId: rawId(w.occasionId),
      actions: ['event:read', 'timeline:read_windows'],
      scopeType: 'EVENT',
      scopeEventId: rawId(w.eventIds[0]!),
    });
    const token = await issueToken(s, caterer);

    // when it reads its schedule
    const r = await runOperation(s, token, 'CateringSchedule', { eventId: w.eventIds[0] });

    // then the windows, in time order, and nothing of the run of show
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.event.operationalWindows).toEqual([
      { kind: 'VENUE_ACCESS', label: 'Kitchen access', startsAt: at(14), endsAt: at(23), room: 'HALL-A' },
      { kind: 'SERVICE', label: 'Dinner service', startsAt: at(19), endsAt: at(22), room: 'HALL-A' },
    ]);
    expect(JSON.stringify(r.body)).not.toContain('First dance');
    // nor through any other query: the same schema and rules, run as the integration
    const probe = await execute({
      schema: testSchema(),
      document: parse(`query($id: ID!) { event(id: $id) { timeline { items { title } } } }`),
      variableValues: { id: w.eventIds[0] },
      contextValue: createContext(s.app, integrationPrincipal(caterer.integrationId, 'development'), 'caterer-probe'),
    });
    expect(probe.errors?.map((e) => e.extensions.code)).toEqual(['FORBIDDEN']);
    // another event of the occasion is not its own
    expect(errorCode(await runOperation(s, token, 'CateringSchedule', { eventId: w.eventIds[1] }))).toBe('FORBIDDEN');
  });

  it('the venue: an event-scoped read-only grant reads that event, nothing else', async () => {
    const w = await buildWorld(s, { events: 2, households: [1] });
    const venue = await integrationWithCredential(s, { operations: ['VenueEvent'] });
    await grantIntegration(s, venue.integrationId, {
      occasionId: rawId(w.occasionId),
      actions: ['event:read'],
      scopeType: 'EVENT',
      scopeEventId: rawId(w.eventIds[1]!),
    });
    const token = await issueToken(s, venue);
    const ok = await runOperation(s, token, 'VenueEvent', { eventId: w.eventIds[1] });
    expect(ok.body.data.event).toMatchObject({ id: w.eventIds[1], name: 'Event 2' });
    expect(errorCode(await runOperation(s, token, 'VenueEvent', { eventId: w.eventIds[0] }))).toBe('FORBIDDEN');
  });
});

describe('a connection limited to some events', () => {
  const CONNECT = `mutation($i: ConnectIntegrationInput!) { connectIntegration(input: $i) { __typename
    ... on IntegrationConnectionPayload { connection { eventIds } } ... on Error { code message } } }`;

  it('bounds every grant the integration holds in the occasion, an occasion-wide one included, in the one engine', async () => {
    // given a venue connected for the second event only, then granted event:read on the whole occasion
    const w = await buildWorld(s, { events: 2, households: [] });
    const venue = await integrationWithCredential(s, { operations: ['VenueEvent'] });
    const venueGid = Buffer.from(`IntegrationApp:${venue.integrationId}`).toString('base64url');
    const limited = await must(s, w.owner.token, CONNECT, { i: { occasionId: w.occasionId, integrationId: venueGid, eventIds: [w.eventIds[1]] } });
    expect(limited.connectIntegration.connection.eventIds).toEqual([w.eventIds[1]]);
    await grantIntegration(s, venue.integrationId, { occasionId: rawId(w.occasionId), actions: ['event:read'], scopeType: 'OCCASION' });
    const token = await issueToken(s, venue);
    // then it reads the event it is connected for, and the other is FORBIDDEN despite the occasion-wide grant
    expect((await runOperation(s, token, 'VenueEvent', { eventId: w.eventIds[1] })).body.data.event).toMatchObject({ name: 'Event 2' });
    expect(errorCode(await runOperation(s, token, 'VenueEvent', { eventId: w.eventIds[0] }))).toBe('FORBIDDEN');
    // when the planner lifts the limit, the grant covers the whole occasion again (no new token needed)
    await must(s, w.owner.token, CONNECT, { i: { occasionId: w.occasionId, integrationId: venueGid, eventIds: [] } });
    expect((await runOperation(s, token, 'VenueEvent', { eventId: w.eventIds[0] })).body.data.event).toMatchObject({ name: 'Event 1' });
  });
});

describe('no live access for partners (yet)', () => {
  it('an integration token cannot open a graphql-ws connection', async () => {
    const { until, wsClient } = await import('../../support/live.js');
    const i = await integrationWithCredential(s, { operations: ['VenueEvent'] });
    const token = await issueToken(s, i);
    const ws = wsClient(s.url, token);
    // any operation opens the (lazy) connection; connection_init is refused with 4403
    const sub = ws.subscribe(`subscription { __typename }`);
    await until(() => ws.closes.length > 0 || sub.ended !== null);
    expect(ws.closes[0]?.code).toBe(4403);
    expect(sub.messages).toEqual([]);
    await ws.dispose();
  });
});
