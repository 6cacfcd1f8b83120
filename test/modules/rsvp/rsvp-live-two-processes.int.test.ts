import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildWorld, must } from '../../support/factories.js';
import { TEST_APP_KEY, TEST_REDIS_URL, usePglite } from '../../support/env.js';
import { sleep, until, type WsClient, wsClient } from '../../support/live.js';
import { type ApiProcess, remoteServer, startApiProcess } from '../../support/processes.js';
import { createScratchDb, dropScratchDb } from '../../support/scratch-db.js';

/**
 * Scale-out: two api processes on one PostgreSQL and one Redis. A change
 * committed through process A reaches a subscriber connected to process B, and
 * a grant revoked through A closes B's socket. Only in the pg project: the
 * embedded mode is one process by design.
 */
describe.skipIf(usePglite())('live RSVP summaries across two api processes (Redis pub/sub)', () => {
  const dbName = `tovplus_live2p_${process.pid}_${randomBytes(3).toString('hex')}`;
  let a: ApiProcess;
  let b: ApiProcess;
  let databaseUrl: string;
  const clients: WsClient[] = [];

  beforeAll(async () => {
    // A copy of the run's migrated template (global-setup.ts).
    databaseUrl = await createScratchDb(dbName, inject('pgTemplate'));
    // One QUEUE_PREFIX for both processes (they share counters and channels), none shared with other runs on this Redis.
    const env = {
      NODE_ENV: 'test',
      DATABASE_URL: databaseUrl,
      REDIS_URL: TEST_REDIS_URL,
      APP_KEY: TEST_APP_KEY,
      QUEUE_PREFIX: `live2p${process.pid}`,
      AUTH_RATE_LIMIT_PER_ADDRESS: '100000',
    };
    [a, b] = await Promise.all([startApiProcess(env), startApiProcess(env)]);
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await Promise.all([a?.stop(), b?.stop()]);
    await dropScratchDb(dbName);
  });

  const EVENT_SUB = `subscription($id: ID!) { rsvpSummaryChanged(eventId: $id) { eventId invited attending pending headcount } }`;
  const CREATE_INVITATION = `mutation($i: CreateRsvpInvitationInput!) { createRsvpInvitation(input: $i) { ... on CreateRsvpInvitationPayload { invitation { id } } } }`;
  const OVERRIDE = `mutation($i: OverrideRsvpResponsesInput!) { overrideRsvpResponses(input: $i) { __typename } }`;
  const GRANT = `mutation($i: GrantAccessInput!) { grantAccess(input: $i) { ... on GrantPayload { grant { id } } } }`;

  async function world() {
    const sa = remoteServer(a.url, { databaseUrl });
    const w = await buildWorld(sa, { events: 1, households: [2], modules: { rsvp: [0] }, collaborators: { viewer: undefined } });
    const inv = await must(sa, w.owner.token, CREATE_INVITATION, {
      i: { occasionId: w.occasionId, unitId: w.households[0]!.id, eventIds: w.eventIds },
    });
    return { sa, w, invitationId: inv.createRsvpInvitation.invitation.id as string };
  }

  it('a mutation on process A reaches a graphql-ws subscriber on process B: the current summary, then exactly one message', async () => {
    const { sa, w, invitationId } = await world();
    const c = wsClient(b.url, w.owner.token);
    clients.push(c);
    const sub = c.subscribe(EVENT_SUB, { id: w.eventIds[0] });
    expect((await sub.next(1)).data.rsvpSummaryChanged).toEqual({ eventId: w.eventIds[0], invited: 1, attending: 0, pending: 1, headcount: 0 });

    await must(sa, w.owner.token, OVERRIDE, {
      i: { invitationId, reason: 'by phone', responses: [{ eventId: w.eventIds[0], status: 'ATTENDING' }] },
    });

    expect((await sub.next(2)).data.rsvpSummaryChanged).toEqual({ eventId: w.eventIds[0], invited: 1, attending: 1, pending: 0, headcount: 2 });
    await sleep(400);
    expect(sub.messages).toHaveLength(2);
  });

  it('revoking a grant on process A closes the subscriber’s socket on process B with 4403 within a second', async () => {
    const { sa, w } = await world();
    const g = await must(sa, w.owner.token, GRANT, {
      i: { occasionId: w.occasionId, subjectId: w.people.viewer!.actorId, role: 'rsvp_viewer', scope: { type: 'OCCASION' } },
    });
    const c = wsClient(b.url, w.people.viewer!.token);
    clients.push(c);
    const sub = c.subscribe(EVENT_SUB, { id: w.eventIds[0] });
    await sub.next(1);

    await must(sa, w.owner.token, `mutation($i: RevokeAccessInput!) { revokeAccess(input: $i) { __typename } }`, {
      i: { grantId: g.grantAccess.grant.id },
    });
    const revokedAt = Date.now();

    await until(() => c.closes.length > 0, 1000, 'the socket on B to close');
    expect(c.closes[0]!.code).toBe(4403);
    expect(c.closes[0]!.at - revokedAt).toBeLessThan(1000);
  });
});
