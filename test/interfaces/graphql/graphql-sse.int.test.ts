import { createClient } from 'graphql-sse';
import { afterEach, describe, expect, it } from 'vitest';
import { buildWorld, must } from '../../support/factories.js';
import { startServer } from '../../support/harness.js';
import { integrationWithCredential, issueToken } from '../../support/integration-auth.js';
import { sleep, until } from '../../support/live.js';

/**
 * The graphql-sse protocol on /graphql/stream with graphql-sse's own client,
 * in both modes (distinct connections, single connection): the same
 * authentication as HTTP (Authorization header), the same re-authorisation
 * before every message as graphql-ws (a revoked grant ends the stream with
 * FORBIDDEN), and a reserved stream only for whoever reserved it.
 */

const s = await startServer({ WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: 3 });
const url = `${s.url}/graphql/stream`;

const EVENT_SUB = `subscription($id: ID!) { rsvpSummaryChanged(eventId: $id) { eventId invited attending pending } }`;
const CREATE_INVITATION = `mutation($i: CreateRsvpInvitationInput!) { createRsvpInvitation(input: $i) { __typename
  ... on CreateRsvpInvitationPayload { invitation { id } } ... on Error { code message } } }`;
const OVERRIDE = `mutation($i: OverrideRsvpResponsesInput!) { overrideRsvpResponses(input: $i) { __typename ... on Error { code message } } }`;
const GRANT = `mutation($i: GrantAccessInput!) { grantAccess(input: $i) { __typename ... on GrantPayload { grant { id } } ... on Error { code message } } }`;
const REVOKE = `mutation($i: RevokeAccessInput!) { revokeAccess(input: $i) { __typename ... on Error { code message } } }`;

type Mode = 'distinct' | 'single';
const disposers: (() => void)[] = [];
afterEach(() => disposers.splice(0).forEach((d) => d()));

function sseClient(mode: Mode, token?: string) {
  const client = createClient({
    url,
    singleConnection: mode === 'single',
    headers: (): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {}),
    retryAttempts: 0,
  });
  disposers.push(() => client.dispose());
  return client;
}

interface Sub {
  messages: { data?: any; errors?: { message: string; extensions?: { code?: string } }[] }[];
  ended: null | { error?: unknown };
  next(n: number, ms?: number): Promise<Sub['messages'][number]>;
  stop(): void;
}

function subscribe(client: ReturnType<typeof sseClient>, query: string, variables: Record<string, unknown>): Sub {
  const sub: Sub = {
    messages: [],
    ended: null,
    async next(n, ms = 5000) {
      await until(() => sub.messages.length >= n || sub.ended !== null, ms, `message #${n}`);
      if (sub.messages.length < n)
        throw new Error(`ended after ${sub.messages.length} message(s): ${String((sub.ended?.error as Error)?.message ?? '')}`);
      return sub.messages[n - 1]!;
    },
    stop: () => stop(),
  };
  const stop = client.subscribe(
    { query, variables },
    {
      next: (r) => void sub.messages.push(r as Sub['messages'][number]),
      error: (error) => (sub.ended = { error }),
      complete: () => (sub.ended ??= {}),
    },
  );
  disposers.push(stop);
  return sub;
}

/** One RSVP event, two households invited, a viewer collaborator with rsvp_viewer granted. */
async function liveWorld() {
  const w = await buildWorld(s, { events: 1, households: [2, 1], modules: { rsvp: [0] }, collaborators: { viewer: undefined } });
  const invitations: string[] = [];
  for (const h of w.households) {
    const r = await must(s, w.owner.token, CREATE_INVITATION, { i: { occasionId: w.occasionId, unitId: h.id, eventIds: w.eventIds } });
    invitations.push(r.createRsvpInvitation.invitation.id);
  }
  const g = await must(s, w.owner.token, GRANT, {
    i: { occasionId: w.occasionId, subjectId: w.people.viewer!.actorId, role: 'rsvp_viewer', scope: { type: 'OCCASION' } },
  });
  const attend = (n: number) =>
    must(s, w.owner.token, OVERRIDE, {
      i: { invitationId: invitations[n]!, reason: 'phoned', responses: [{ eventId: w.eventIds[0], status: 'ATTENDING' }] },
    });
  return { ...w, attend, viewerGrantId: g.grantAccess.grant.id as string };
}

describe.each(['distinct', 'single'] as const)('graphql-sse, %s connection mode', (mode) => {
  it('rsvpSummaryChanged: the current summary first, then one message per committed change', async () => {
    const w = await liveWorld();
    const client = sseClient(mode, w.owner.token);
    const a = subscribe(client, EVENT_SUB, { id: w.eventIds[0] });
    // in single connection mode both operations share one stream
    const b = subscribe(client, EVENT_SUB, { id: w.eventIds[0] });
    expect((await a.next(1)).data.rsvpSummaryChanged).toEqual({ eventId: w.eventIds[0], invited: 2, attending: 0, pending: 2 });
    await b.next(1);
    await w.attend(0);
    expect((await a.next(2)).data.rsvpSummaryChanged).toMatchObject({ attending: 1, pending: 1 });
    expect((await b.next(2)).data.rsvpSummaryChanged).toMatchObject({ attending: 1, pending: 1 });
    await sleep(300);
    expect(a.messages).toHaveLength(2);
  });

  it('access is re-decided before every message: a revoked grant ends the stream with FORBIDDEN, the owner carries on', async () => {
    const w = await liveWorld();
    const viewer = subscribe(sseClient(mode, w.people.viewer!.token), EVENT_SUB, { id: w.eventIds[0] });
    const owner = subscribe(sseClient(mode, w.owner.token), EVENT_SUB, { id: w.eventIds[0] });
    await viewer.next(1);
    await owner.next(1);
    await must(s, w.owner.token, REVOKE, { i: { grantId: w.viewerGrantId } });
    expect((await viewer.next(2, 2000)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    await w.attend(1);
    expect((await owner.next(2)).data.rsvpSummaryChanged).toMatchObject({ attending: 1 });
    await sleep(300);
    expect(viewer.messages).toHaveLength(2);
  });

  it('an operation the schema refuses comes back as an error message with its reason, not an opaque 400', async () => {
    const w = await liveWorld();
    const client = sseClient(mode, w.owner.token);
    const invalid = subscribe(client, 'subscription { nope }', {});
    expect((await invalid.next(1)).errors?.[0]?.message).toMatch(/Cannot query field "nope"/);
    const syntax = subscribe(client, 'subscription {', {});
    expect((await syntax.next(1)).errors?.[0]?.message).toMatch(/Syntax Error/);
    // and the connection is still good for the next one
    expect((await subscribe(client, EVENT_SUB, { id: w.eventIds[0] }).next(1)).data.rsvpSummaryChanged.invited).toBe(2);
  });

  it('without a token the subscription is UNAUTHENTICATED; a bad token is refused with 401; an integration with 403', async () => {
    const w = await liveWorld();
    const anon = subscribe(sseClient(mode), EVENT_SUB, { id: w.eventIds[0] });
    if (mode === 'distinct') expect((await anon.next(1)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    else {
      // no stream is reserved for nobody
      await until(() => anon.ended !== null, 5000, 'refusal');
      expect(String((anon.ended!.error as Error).message)).toMatch(/401/);
    }
    const bad = subscribe(sseClient(mode, 'not-a-token'), EVENT_SUB, { id: w.eventIds[0] });
    await until(() => bad.ended !== null, 5000, 'refusal');
    expect(String((bad.ended!.error as Error).message)).toMatch(/401/);
    const partner = await integrationWithCredential(s);
    const integration = subscribe(sseClient(mode, await issueToken(s, partner)), EVENT_SUB, { id: w.eventIds[0] });
    await until(() => integration.ended !== null, 5000, 'refusal');
    expect(String((integration.ended!.error as Error).message)).toMatch(/403/);
  });
});

describe('single connection streams belong to whoever reserved them', () => {
  it('another caller holding the stream token gets 404; the reserver may use it', async () => {
    const w = await liveWorld();
    const reserve = await s.fetch('/graphql/stream', { method: 'PUT', headers: { authorization: `Bearer ${w.owner.token}` } });
    expect(reserve.status).toBe(201);
    const token = await reserve.text();
    expect(token).toMatch(/^[0-9a-f-]{36}$/);
    const post = (bearer: string) =>
      s.fetch('/graphql/stream', {
        method: 'POST',
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json', 'x-graphql-event-stream-token': token },
        body: JSON.stringify({ query: EVENT_SUB, variables: { id: w.eventIds[0] }, extensions: { operationId: 'x' } }),
      });
    const stranger = await post(w.people.viewer!.token);
    expect(stranger.status).toBe(404);
    expect((await stranger.json()).errors[0].extensions.code).toBe('NOT_FOUND');
    const anonymous = await s.fetch('/graphql/stream', {
      method: 'GET',
      headers: { accept: 'text/event-stream', 'x-graphql-event-stream-token': token },
    });
    expect(anonymous.status).toBe(404);
    expect((await post(w.owner.token)).status).toBe(202);
  });

  it('at most WS_MAX_SUBSCRIPTIONS_PER_CONNECTION operations in flight on one stream; stopping one frees its slot', async () => {
    const w = await liveWorld();
    const client = sseClient('single', w.owner.token);
    const subs = [0, 1, 2].map(() => subscribe(client, EVENT_SUB, { id: w.eventIds[0] }));
    for (const sub of subs) await sub.next(1);
    const extra = subscribe(client, EVENT_SUB, { id: w.eventIds[0] });
    expect((await extra.next(1)).errors?.[0]?.extensions?.code).toBe('TOO_MANY_SUBSCRIPTIONS');
    // stop the first (DELETE ?operationId=): the next one fits
    subs[0]!.stop();
    await sleep(200);
    const next = subscribe(client, EVENT_SUB, { id: w.eventIds[0] });
    expect((await next.next(1)).data.rsvpSummaryChanged.invited).toBe(2);
  });

  it('at most a handful of unopened reservations per caller (the library keeps each until it is opened)', async () => {
    const w = await liveWorld();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await s.fetch('/graphql/stream', { method: 'PUT', headers: { authorization: `Bearer ${w.owner.token}` } })).status);
    }
    expect(statuses).toEqual([201, 201, 201, 201, 201, 429]);
  });
});
