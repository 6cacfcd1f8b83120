import { decodeJwt } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ACCESS_TOKEN_TYP } from '../../../src/domains/identity/identity.service.js';
import { createContext } from '../../../src/interfaces/graphql/context-factory.js';
import { liveStreamCount } from '../../../src/capabilities/live/stream.js';
import { liveExecutionCount } from '../../../src/interfaces/graphql/live-results.js';
import { inTransaction } from '../../../src/kit/transaction.js';
import { overrideRsvpResponses } from '../../../src/modules/rsvp/responses/rsvp.responses.service.js';
import { buildWorld, must, signUpUser, type World } from '../../support/factories.js';
import { startServer } from '../../support/harness.js';
import { sleep, sseSubscribe, until, type WsClient, wsClient } from '../../support/live.js';
import { globalId, rawId } from '../../support/rows.js';

/**
 * Live RSVP summaries over graphql-ws and SSE: the current summary first, one
 * message per committed change, nothing for a write that did not commit, and
 * access re-decided for every message (revocation and token expiry close the
 * socket with 4403). In the pg project pub/sub goes through Redis; in the
 * pglite project it is in-process.
 */

const s = await startServer();

const EVENT_SUB = `subscription($id: ID!) { rsvpSummaryChanged(eventId: $id) { eventId invited attending declined pending headcount } }`;
const OCCASION_SUB = `subscription($id: ID!) { rsvpOccasionSummaryChanged(occasionId: $id) { events { eventId invited attending declined pending } removedEventIds } }`;
const CREATE_INVITATION = `mutation($i: CreateRsvpInvitationInput!) { createRsvpInvitation(input: $i) { __typename
  ... on CreateRsvpInvitationPayload { guestToken invitation { id } } ... on Error { code message } } }`;
const OVERRIDE = `mutation($i: OverrideRsvpResponsesInput!) { overrideRsvpResponses(input: $i) { __typename
  ... on OverrideRsvpResponsesPayload { responses { id } } ... on Error { code message } } }`;
const SUBMIT = `mutation($i: SubmitRsvpInput!) { submitRsvp(input: $i) { __typename ... on Error { code message } } }`;
const GRANT = `mutation($i: GrantAccessInput!) { grantAccess(input: $i) { __typename ... on GrantPayload { grant { id } } ... on Error { code message } } }`;
const REVOKE = `mutation($i: RevokeAccessInput!) { revokeAccess(input: $i) { __typename ... on Error { code message } } }`;
const SIGN_IN = `mutation($i: SignInInput!) { signIn(input: $i) { __typename ... on Session { accessToken refreshToken } } }`;
const SIGN_OUT = `mutation($i: RefreshSessionInput!) { signOut(input: $i) { ok } }`;

/** The session (refresh family) an access token belongs to: short-lived tokens minted here must name a live one. */
const sessionOf = (token: string) => decodeJwt(token).sid as string;

/** A graphql-ws connection that is acknowledged and runs nothing (raw protocol: the client library closes idle sockets itself). */
async function idleSocket(token: string) {
  const socket = new WebSocket(s.url.replace(/^http/, 'ws') + '/graphql', 'graphql-transport-ws');
  const closes: { code: number; at: number }[] = [];
  socket.on('close', (code) => closes.push({ code, at: Date.now() }));
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    socket.on('message', (m) => JSON.parse((m as Buffer).toString('utf8')).type === 'connection_ack' && resolve()); // a text frame: one Buffer
    socket.once('close', (code) => reject(new Error(`closed with ${code} before connection_ack`)));
  });
  idleSockets.push(socket);
  return { closes };
}
const idleSockets: WebSocket[] = [];
afterEach(() => idleSockets.splice(0).forEach((c) => c.terminate()));

/** No further message may arrive within this long after the expected ones. */
const QUIET_MS = 400;

const clients: WsClient[] = [];
function ws(token?: string) {
  const c = wsClient(s.url, token);
  clients.push(c);
  return c;
}
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});

/** Two events with RSVP, two households invited to both (both pending). */
async function liveWorld(collaborators: Record<string, number[] | undefined> = {}) {
  const w = await buildWorld(s, { events: 2, households: [2, 1], modules: { rsvp: [0, 1] }, collaborators });
  const invitations: { id: string; guestToken: string }[] = [];
  for (const h of w.households) {
    const r = await must(s, w.owner.token, CREATE_INVITATION, { i: { occasionId: w.occasionId, unitId: h.id, eventIds: w.eventIds } });
    invitations.push({ id: r.createRsvpInvitation.invitation.id, guestToken: r.createRsvpInvitation.guestToken });
  }
  return { ...w, invitations };
}
type LiveWorld = Awaited<ReturnType<typeof liveWorld>>;

const override = (w: LiveWorld, inv: number, responses: { eventId: string; status: string }[], token = w.owner.token) =>
  s.gql(OVERRIDE, { i: { invitationId: w.invitations[inv]!.id, reason: 'phoned us', responses } }, { token });

/** A user grant of a role at occasion scope; returns the grant's id. */
async function grantRole(w: World, actorId: string, role: string): Promise<string> {
  const r = await must(s, w.owner.token, GRANT, { i: { occasionId: w.occasionId, subjectId: actorId, role, scope: { type: 'OCCASION' } } });
  return r.grantAccess.grant.id;
}

describe('rsvpSummaryChanged over graphql-ws', () => {
  it('sends the current summary first, then exactly one message per committed change with the new counts', async () => {
    const w = await liveWorld();
    const sub = ws(w.owner.token).subscribe(EVENT_SUB, { id: w.eventIds[0] });
    const first = await sub.next(1);
    expect(first.errors).toBeUndefined();
    expect(first.data.rsvpSummaryChanged).toEqual({ eventId: w.eventIds[0], invited: 2, attending: 0, declined: 0, pending: 2, headcount: 0 });

    // when: the planner records that the first household comes
    const r = await override(w, 0, [{ eventId: w.eventIds[0]!, status: 'ATTENDING' }]);
    expect(r.body.data.overrideRsvpResponses.__typename).toBe('OverrideRsvpResponsesPayload');

    // then: one message, with the new counts
    const second = await sub.next(2);
    expect(second.data.rsvpSummaryChanged).toEqual({ eventId: w.eventIds[0], invited: 2, attending: 1, declined: 0, pending: 1, headcount: 2 });
    await sleep(QUIET_MS);
    expect(sub.messages).toHaveLength(2);

    // A guest's own answer arrives the same way.
    const g = await s.gql(SUBMIT, { i: { responses: [{ eventId: w.eventIds[0], status: 'DECLINED' }] } }, { token: w.invitations[1]!.guestToken });
    expect(g.body.data.submitRsvp.__typename).toBe('SubmitRsvpPayload');
    expect((await sub.next(3)).data.rsvpSummaryChanged).toMatchObject({ attending: 1, declined: 1, pending: 0 });
    await sleep(QUIET_MS);
    expect(sub.messages).toHaveLength(3);
  });

  it('a change to another event sends nothing', async () => {
    const w = await liveWorld();
    const sub = ws(w.owner.token).subscribe(EVENT_SUB, { id: w.eventIds[0] });
    await sub.next(1);
    await override(w, 0, [{ eventId: w.eventIds[1]!, status: 'ATTENDING' }]);
    await sleep(QUIET_MS);
    expect(sub.messages).toHaveLength(1);
  });

  it('a write that did not commit sends nothing: a refused mutation, an invalid one, and a transaction rolled back after its event was recorded', async () => {
    const w = await liveWorld({ vendor: undefined });
    const sub = ws(w.owner.token).subscribe(EVENT_SUB, { id: w.eventIds[0] });
    await sub.next(1);

    // Refused (the vendor may not override) and invalid (no reason): both roll back.
    const refused = await override(w, 0, [{ eventId: w.eventIds[0]!, status: 'ATTENDING' }], w.people.vendor!.token);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const invalid = await s.gql(
      OVERRIDE,
      { i: { invitationId: w.invitations[0]!.id, reason: ' ', responses: [{ eventId: w.eventIds[0], status: 'ATTENDING' }] } },
      { token: w.owner.token },
    );
    expect(invalid.body.data.overrideRsvpResponses.__typename).toBe('ValidationError');

    // The real service writes the response and its rsvp.overridden outbox row, then the transaction fails.
    const ctx = createContext(s.app, { kind: 'user', userId: w.owner.userId, email: w.owner.email }, 'live-rollback-test');
    await expect(
      inTransaction(ctx, async (tx) => {
        await overrideRsvpResponses(tx, ctx.caller, rawId(w.invitations[0]!.id), {
          reason: 'x',
          responses: [{ eventId: rawId(w.eventIds[0]!), status: 'ATTENDING' }],
        });
        expect(await tx.outboxEvent.count({ where: { occasionId: rawId(w.occasionId), type: 'rsvp.overridden' } })).toBe(1);
        throw new Error('fails after the write');
      }),
    ).rejects.toThrow('fails after the write');

    await s.app.live.idle();
    await sleep(QUIET_MS);
    expect(sub.messages).toHaveLength(1);
    expect(await s.app.db.prisma.outboxEvent.count({ where: { occasionId: rawId(w.occasionId), type: 'rsvp.overridden' } })).toBe(0);

    // And the next committed change is the next message.
    await override(w, 0, [{ eventId: w.eventIds[0]!, status: 'DECLINED' }]);
    expect((await sub.next(2)).data.rsvpSummaryChanged).toMatchObject({ declined: 1, pending: 1 });
  });

  it('recomputes once per commit, not once per subscriber', async () => {
    const w = await liveWorld();
    await s.app.live.idle();
    const published: string[] = [];
    const publish = s.app.pubsub.publish.bind(s.app.pubsub);
    s.app.pubsub.publish = (key, id, payload) => {
      if (id === rawId(w.eventIds[0]!) || id === rawId(w.occasionId)) published.push(key);
      publish(key, id, payload);
    };
    try {
      const statementsPerChange = async (subscribers: number, status: string) => {
        const subs = Array.from({ length: subscribers }, () => ws(w.owner.token).subscribe(EVENT_SUB, { id: w.eventIds[0] }));
        await Promise.all(subs.map((x) => x.next(1)));
        await s.app.live.idle();
        const before = s.app.db.statements.count;
        await override(w, 0, [{ eventId: w.eventIds[0]!, status }]);
        await Promise.all(subs.map((x) => x.next(2)));
        await s.app.live.idle();
        const used = s.app.db.statements.count - before;
        subs.forEach((x) => x.stop());
        return used;
      };
      // Like with like: a change away from ATTENDING costs other modules' reactions a statement (seating looks
      // for seats to free), whoever is subscribed.
      const oneUp = await statementsPerChange(1, 'ATTENDING');
      const oneDown = await statementsPerChange(1, 'DECLINED');
      const eightUp = await statementsPerChange(8, 'ATTENDING');
      const eightDown = await statementsPerChange(8, 'DECLINED');
      expect(eightUp).toBe(oneUp);
      expect(eightDown).toBe(oneDown);
      // One summary message and one occasion message per commit.
      expect(published).toEqual(Array.from({ length: 4 }, () => ['rsvp.summary', 'rsvp.occasion']).flat());
    } finally {
      s.app.pubsub.publish = publish;
    }
  });
});

describe('one result per message for everyone who may see the same', () => {
  it('executes each change once for subscribers answering alike (different users), once more for another selection, and nothing for a revoked subscriber', async () => {
    // given: the owner on two sockets and an rsvp_viewer (another user), all with the same subscription, and the owner
    // once more with a smaller selection
    const w = await liveWorld({ viewer: undefined });
    const grantId = await grantRole(w, w.people.viewer!.actorId, 'rsvp_viewer');
    const owners = [ws(w.owner.token).subscribe(EVENT_SUB, { id: w.eventIds[0] }), ws(w.owner.token).subscribe(EVENT_SUB, { id: w.eventIds[0] })];
    const viewer = ws(w.people.viewer!.token);
    const viewerSub = viewer.subscribe(EVENT_SUB, { id: w.eventIds[0] });
    const smaller = ws(w.owner.token).subscribe(`subscription($id: ID!) { rsvpSummaryChanged(eventId: $id) { attending } }`, { id: w.eventIds[0] });
    await Promise.all([...owners, viewerSub, smaller].map((x) => x.next(1)));
    await s.app.live.idle();

    // when: one committed change
    const before = liveExecutionCount();
    await override(w, 0, [{ eventId: w.eventIds[0]!, status: 'ATTENDING' }]);
    const seconds = await Promise.all([...owners, viewerSub].map((x) => x.next(2)));

    // then: the same answer to all three, one execution for them and one for the other selection
    for (const m of seconds)
      expect(m.data.rsvpSummaryChanged).toEqual({ eventId: w.eventIds[0], invited: 2, attending: 1, declined: 0, pending: 1, headcount: 2 });
    expect((await smaller.next(2)).data).toEqual({ rsvpSummaryChanged: { attending: 1 } });
    expect(liveExecutionCount() - before).toBe(2);

    // when: the viewer's grant is revoked, then another change
    await must(s, w.owner.token, REVOKE, { i: { grantId } });
    await until(() => viewer.closes.length > 0, 1000, 'the viewer socket to close');
    expect(viewer.closes[0]!.code).toBe(4403);
    const beforeNext = liveExecutionCount();
    await override(w, 1, [{ eventId: w.eventIds[0]!, status: 'DECLINED' }]);

    // then: the owners hear of it, the viewer does not
    for (const o of owners) expect((await o.next(3)).data.rsvpSummaryChanged).toMatchObject({ attending: 1, declined: 1, pending: 0 });
    await smaller.next(3);
    await sleep(QUIET_MS);
    expect(viewerSub.messages).toHaveLength(2);
    expect(liveExecutionCount() - beforeNext).toBe(2);
  });
});

describe('one result per message for everyone who may see the same (occasion stream)', () => {
  it('subscribers sent the same events share one execution; one who sees fewer gets their own', async () => {
    const w = await liveWorld({ helper: undefined });
    const en1 = await s.app.db.prisma.moduleEnablement.findFirstOrThrow({ where: { eventId: rawId(w.eventIds[1]!) } });
    await must(s, w.owner.token, GRANT, {
      i: {
        occasionId: w.occasionId,
        subjectId: w.people.helper!.actorId,
        role: 'rsvp_viewer',
        scope: { type: 'MODULE_ENABLEMENT', enablementId: globalId('ModuleEnablement', en1.id) },
      },
    });
    const owners = [ws(w.owner.token).subscribe(OCCASION_SUB, { id: w.occasionId }), ws(w.owner.token).subscribe(OCCASION_SUB, { id: w.occasionId })];
    const helper = ws(w.people.helper!.token).subscribe(OCCASION_SUB, { id: w.occasionId });
    await Promise.all([...owners, helper].map((x) => x.next(1)));
    await s.app.live.idle();

    const before = liveExecutionCount();
    await override(w, 1, [
      { eventId: w.eventIds[0]!, status: 'DECLINED' },
      { eventId: w.eventIds[1]!, status: 'DECLINED' },
    ]);
    for (const o of owners)
      expect((await o.next(2)).data.rsvpOccasionSummaryChanged.events.map((e: { eventId: string }) => e.eventId)).toEqual(w.eventIds);
    expect((await helper.next(2)).data.rsvpOccasionSummaryChanged.events.map((e: { eventId: string }) => e.eventId)).toEqual([w.eventIds[1]]);
    expect(liveExecutionCount() - before).toBe(2);
  });
});

describe('who may subscribe, and for how long', () => {
  it('refuses a subscriber without rsvp:view (FORBIDDEN) and a stranger to the occasion (NOT_FOUND) on subscribe', async () => {
    const w = await liveWorld({ vendor: undefined });
    const vendor = ws(w.people.vendor!.token).subscribe(EVENT_SUB, { id: w.eventIds[0] });
    const refused = await vendor.next(1);
    expect(refused.data ?? null).toBeNull();
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    await until(() => vendor.ended !== null, 2000, 'the refused stream to end');

    const stranger = await signUpUser(s, 'stranger');
    const other = ws(stranger.token).subscribe(EVENT_SUB, { id: w.eventIds[0] });
    expect((await other.next(1)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const occ = ws(stranger.token).subscribe(OCCASION_SUB, { id: w.occasionId });
    expect((await occ.next(1)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('revoking the subscriber’s grant closes its socket with 4403 within a second; other subscribers carry on', async () => {
    const w = await liveWorld({ viewer: undefined });
    const grantId = await grantRole(w, w.people.viewer!.actorId, 'rsvp_viewer');
    const viewer = ws(w.people.viewer!.token);
    const viewerSub = viewer.subscribe(EVENT_SUB, { id: w.eventIds[0] });
    expect((await viewerSub.next(1)).data.rsvpSummaryChanged.invited).toBe(2);
    const owner = ws(w.owner.token).subscribe(EVENT_SUB, { id: w.eventIds[0] });
    await owner.next(1);

    // when
    await must(s, w.owner.token, REVOKE, { i: { grantId } });
    const revokedAt = Date.now();

    // then
    await until(() => viewer.closes.length > 0, 1000, 'the viewer socket to close');
    expect(viewer.closes[0]!.code).toBe(4403);
    expect(viewer.closes[0]!.at - revokedAt).toBeLessThan(1000);
    await override(w, 0, [{ eventId: w.eventIds[0]!, status: 'ATTENDING' }]);
    expect((await owner.next(2)).data.rsvpSummaryChanged.attending).toBe(1);
    expect(viewerSub.messages).toHaveLength(1);
  });

  it('deleting the account closes the user’s live socket with 4403 (the access token alone would still verify)', async () => {
    const w = await liveWorld({ viewer: undefined });
    await grantRole(w, w.people.viewer!.actorId, 'rsvp_viewer');
    const c = ws(w.people.viewer!.token);
    await c.subscribe(EVENT_SUB, { id: w.eventIds[0] }).next(1);
    await must(s, w.people.viewer!.token, `mutation { deleteAccount { __typename } }`);
    const deletedAt = Date.now();
    await until(() => c.closes.length > 0, 1000, 'the socket to close');
    expect(c.closes[0]!.code).toBe(4403);
    expect(c.closes[0]!.at - deletedAt).toBeLessThan(1000);
  });

  it('signing out closes that session’s sockets with 4403 within a second (idle or subscribed); another session of the same user carries on', async () => {
    // given: the owner signed in twice (two sessions), a subscribed socket and an idle one on the first, a subscribed one on the second
    const w = await liveWorld();
    const second = (await must(s, undefined, SIGN_IN, { i: { email: w.owner.email, password: w.owner.password } })).signIn;
    const signedOut = ws(w.owner.token);
    await signedOut.subscribe(EVENT_SUB, { id: w.eventIds[0] }).next(1);
    const idle = await idleSocket(w.owner.token);
    const other = ws(second.accessToken).subscribe(EVENT_SUB, { id: w.eventIds[0] });
    await other.next(1);

    // when
    await must(s, undefined, SIGN_OUT, { i: { refreshToken: w.owner.refreshToken } });
    const signedOutAt = Date.now();

    // then
    await until(() => signedOut.closes.length > 0 && idle.closes.length > 0, 1000, 'the signed-out session’s sockets to close');
    for (const c of [signedOut, idle]) {
      expect(c.closes[0]!.code).toBe(4403);
      expect(c.closes[0]!.at - signedOutAt).toBeLessThan(1000);
    }
    await override(w, 0, [{ eventId: w.eventIds[0]!, status: 'ATTENDING' }], second.accessToken);
    expect((await other.next(2)).data.rsvpSummaryChanged.attending).toBe(1);
  });

  it('closes with 4403 when the access token expires, within a second of its exp', async () => {
    const w = await liveWorld();
    const { token, expiresAt } = await s.app.tokens.sign(
      { sub: w.owner.userId, email: w.owner.email, sid: sessionOf(w.owner.token) },
      ACCESS_TOKEN_TYP,
      2,
    );
    const c = ws(token);
    const sub = c.subscribe(EVENT_SUB, { id: w.eventIds[0] });
    await sub.next(1);
    await until(() => c.closes.length > 0, 4000, 'the socket to close at expiry');
    expect(c.closes[0]!.code).toBe(4403);
    expect(c.closes[0]!.at - expiresAt.getTime()).toBeLessThan(1000);
    expect(c.closes[0]!.at).toBeGreaterThanOrEqual(expiresAt.getTime() - 50);
  });

  it('closes with 4403 when a grant the subscriber relies on reaches its expiry', async () => {
    const w = await liveWorld({ viewer: undefined });
    const expiresAt = new Date(Date.now() + 1500);
    await must(s, w.owner.token, GRANT, {
      i: {
        occasionId: w.occasionId,
        subjectId: w.people.viewer!.actorId,
        role: 'rsvp_viewer',
        scope: { type: 'OCCASION' },
        expiresAt: expiresAt.toISOString(),
      },
    });
    const c = ws(w.people.viewer!.token);
    const sub = c.subscribe(EVENT_SUB, { id: w.eventIds[0] });
    await sub.next(1);
    await until(() => c.closes.length > 0, 4000, 'the socket to close at the grant’s expiry');
    expect(c.closes[0]!.code).toBe(4403);
    expect(c.closes[0]!.at - expiresAt.getTime()).toBeLessThan(1000);
  });

  it('switching RSVP off on the event ends the stream with MODULE_NOT_ENABLED (the socket stays open)', async () => {
    const w = await liveWorld();
    const c = ws(w.owner.token);
    const sub = c.subscribe(EVENT_SUB, { id: w.eventIds[0] });
    const other = c.subscribe(EVENT_SUB, { id: w.eventIds[1] });
    await sub.next(1);
    await other.next(1);
    await must(s, w.owner.token, `mutation($i: DisableModuleInput!) { disableModule(input: $i) { __typename } }`, {
      i: { eventId: w.eventIds[0], moduleKey: 'rsvp' },
    });
    const last = await sub.next(2);
    expect(last.errors?.[0]?.extensions?.code).toBe('MODULE_NOT_ENABLED');
    await until(() => sub.ended !== null, 2000, 'the stream to complete');
    // Not a refusal: the same socket goes on with the caller's other subscriptions.
    await override(w, 0, [{ eventId: w.eventIds[1]!, status: 'ATTENDING' }]);
    expect((await other.next(2)).data.rsvpSummaryChanged.attending).toBe(1);
    expect(c.closes).toHaveLength(0);
  });
});

describe('rsvpOccasionSummaryChanged', () => {
  it('sends every RSVP event the caller may see, then only the events a change touched', async () => {
    const w = await liveWorld({ helper: undefined });
    const en1 = await s.app.db.prisma.moduleEnablement.findFirstOrThrow({ where: { eventId: rawId(w.eventIds[1]!) } });
    await must(s, w.owner.token, GRANT, {
      i: {
        occasionId: w.occasionId,
        subjectId: w.people.helper!.actorId,
        role: 'rsvp_viewer',
        scope: { type: 'MODULE_ENABLEMENT', enablementId: globalId('ModuleEnablement', en1.id) },
      },
    });
    const owner = ws(w.owner.token).subscribe(OCCASION_SUB, { id: w.occasionId });
    const helper = ws(w.people.helper!.token).subscribe(OCCASION_SUB, { id: w.occasionId });
    expect((await owner.next(1)).data.rsvpOccasionSummaryChanged.events.map((e: { eventId: string }) => e.eventId)).toEqual(w.eventIds);
    expect((await helper.next(1)).data.rsvpOccasionSummaryChanged).toEqual({
      events: [{ eventId: w.eventIds[1], invited: 2, attending: 0, declined: 0, pending: 2 }],
      removedEventIds: [],
    });

    // A change to event 0 only: the owner hears of it, the helper (event 1 only) does not.
    await override(w, 0, [{ eventId: w.eventIds[0]!, status: 'ATTENDING' }]);
    expect((await owner.next(2)).data.rsvpOccasionSummaryChanged).toEqual({
      events: [{ eventId: w.eventIds[0], invited: 2, attending: 1, declined: 0, pending: 1 }],
      removedEventIds: [],
    });
    // Both events in one commit: one message with both for the owner, event 1 alone for the helper.
    await override(w, 1, [
      { eventId: w.eventIds[0]!, status: 'DECLINED' },
      { eventId: w.eventIds[1]!, status: 'DECLINED' },
    ]);
    expect((await owner.next(3)).data.rsvpOccasionSummaryChanged.events.map((e: { declined: number }) => e.declined)).toEqual([1, 1]);
    expect((await helper.next(2)).data.rsvpOccasionSummaryChanged.events).toEqual([
      { eventId: w.eventIds[1], invited: 2, attending: 0, declined: 1, pending: 1 },
    ]);
    await sleep(QUIET_MS);
    expect(owner.messages).toHaveLength(3);
    expect(helper.messages).toHaveLength(2);

    // RSVP switched off on event 1: the owner is told to drop it.
    await must(s, w.owner.token, `mutation($i: DisableModuleInput!) { disableModule(input: $i) { __typename } }`, {
      i: { eventId: w.eventIds[1], moduleKey: 'rsvp' },
    });
    await until(() => owner.messages.some((m) => m.data?.rsvpOccasionSummaryChanged?.removedEventIds?.length), 3000, 'the removal');
    expect(owner.messages.at(-1)!.data.rsvpOccasionSummaryChanged).toEqual({ events: [], removedEventIds: [w.eventIds[1]] });
  });
});

describe('rsvpSummaryChanged over SSE', () => {
  it('sends the current summary first, then one event per committed change', async () => {
    const w = await liveWorld();
    const sub = sseSubscribe(s.url, w.owner.token, EVENT_SUB, { id: w.eventIds[0] });
    try {
      expect((await sub.next(1)).data.rsvpSummaryChanged).toMatchObject({ invited: 2, pending: 2, attending: 0 });
      await override(w, 0, [{ eventId: w.eventIds[0]!, status: 'ATTENDING' }]);
      expect((await sub.next(2)).data.rsvpSummaryChanged).toMatchObject({ invited: 2, pending: 1, attending: 1, headcount: 2 });
      await sleep(QUIET_MS);
      expect(sub.messages).toHaveLength(2);
    } finally {
      sub.stop();
    }
  });

  it('ends the stream with an error event when the token expires, and when the grant is revoked', async () => {
    const w = await liveWorld({ viewer: undefined });
    const { token, expiresAt } = await s.app.tokens.sign(
      { sub: w.owner.userId, email: w.owner.email, sid: sessionOf(w.owner.token) },
      ACCESS_TOKEN_TYP,
      2,
    );
    const expiring = sseSubscribe(s.url, token, EVENT_SUB, { id: w.eventIds[0] });
    const grantId = await grantRole(w, w.people.viewer!.actorId, 'rsvp_viewer');
    const revoked = sseSubscribe(s.url, w.people.viewer!.token, EVENT_SUB, { id: w.eventIds[0] });
    try {
      await expiring.next(1);
      await revoked.next(1);
      await must(s, w.owner.token, REVOKE, { i: { grantId } });
      const revokedAt = Date.now();
      expect((await revoked.next(2, 1000)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      await until(() => revoked.ended !== null, 1000, 'the revoked stream to end');
      expect(revoked.ended!.at - revokedAt).toBeLessThan(1000);

      expect((await expiring.next(2, 4000)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      await until(() => expiring.ended !== null, 1000, 'the expired stream to end');
      expect(expiring.ended!.at - expiresAt.getTime()).toBeLessThan(1000);
    } finally {
      expiring.stop();
      revoked.stop();
    }
  });

  it('signing out ends the session’s stream with UNAUTHENTICATED within a second', async () => {
    const w = await liveWorld();
    const sub = sseSubscribe(s.url, w.owner.token, EVENT_SUB, { id: w.eventIds[0] });
    try {
      await sub.next(1);
      await must(s, undefined, SIGN_OUT, { i: { refreshToken: w.owner.refreshToken } });
      const signedOutAt = Date.now();
      expect((await sub.next(2, 1000)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      await until(() => sub.ended !== null, 1000, 'the stream to end');
      expect(sub.ended!.at - signedOutAt).toBeLessThan(1000);
    } finally {
      sub.stop();
    }
  });

  it('a client that goes away releases its subscription', async () => {
    const w = await liveWorld();
    await until(() => liveStreamCount() === 0, 3000, 'earlier tests’ streams to stop');
    const sub = sseSubscribe(s.url, w.owner.token, EVENT_SUB, { id: w.eventIds[0] });
    await sub.next(1);
    expect(liveStreamCount()).toBe(1);
    sub.stop();
    await until(() => liveStreamCount() === 0, 2000, 'the server-side stream to stop');
  });
});
