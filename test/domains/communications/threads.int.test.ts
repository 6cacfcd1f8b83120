import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { resolveAppKey } from '../../../src/platform/app-key.js';
import { decrypt } from '../../../src/platform/crypto.js';
import { encodeGlobalID } from '../../../src/kit/ids.js';
import { buildWorld, must, type World } from '../../support/factories.js';
import { errorCode, type GqlResult, startServer } from '../../support/harness.js';
import { rawId } from '../../support/rows.js';

/**
 * Conversations between planners and one guest unit or vendor, over real
 * HTTP: who sees and writes what (planners by threads:*, a guest link by its
 * unit, a vendor contact by its own actor), read state, and what each message
 * writes in its transaction: the message, the email to the other side
 * (queued deliveries) and, for a counterpart's message, message.received.
 */

// A database of its own: another suite's message sender would otherwise send these deliveries, which are checked as QUEUED.
const s = await startServer({ PUBLIC_URL: 'https://tovplus.test' }, { ownDatabase: true });
const prisma = s.app.db.prisma;

const THREAD_FIELDS = `id subject counterpartName unreadCount lastMessageAt messages(first: 50) { totalCount edges { node { side body authorName } } }`;
const START = `mutation($i: StartThreadInput!) { startThread(input: $i) { __typename
  ... on ThreadMessagePayload { thread { ${THREAD_FIELDS} } message { id side body } }
  ... on ValidationError { code fields { path message } } } }`;
const POST = `mutation($i: PostThreadMessageInput!) { postThreadMessage(input: $i) { __typename
  ... on ThreadMessagePayload { thread { id unreadCount } message { id side body } }
  ... on ValidationError { code fields { path message } } } }`;
const MARK = `mutation($i: MarkThreadReadInput!) { markThreadRead(input: $i) { thread { id unreadCount } } }`;
const LIST = `query($o: ID!) { occasion(id: $o) { threads(first: 20) { totalCount edges { node { id subject unreadCount counterpartName } } } } }`;
const ONE = `query($id: ID!) { thread(id: $id) { ${THREAD_FIELDS} } }`;

const CP_FIELDS = `id subject unreadCount messages(first: 50) { totalCount edges { node { side body authorName } } }`;
const G_LIST = `query { guestThreads(first: 10) { totalCount edges { node { id subject unreadCount messages(first: 5) { edges { node { side body authorName } } } } } } }`;
const G_ONE = `query($id: ID!) { guestThread(id: $id) { ${CP_FIELDS} } }`;
const G_START = `mutation($i: StartGuestThreadInput!) { startGuestThread(input: $i) { __typename
  ... on CounterpartThreadMessagePayload { thread { ${CP_FIELDS} } message { id side } }
  ... on ValidationError { code fields { path message } } } }`;
const G_POST = `mutation($i: PostThreadMessageInput!) { postGuestThreadMessage(input: $i) { __typename
  ... on CounterpartThreadMessagePayload { thread { id unreadCount } message { id side body } }
  ... on ValidationError { code fields { path message } } } }`;
const G_MARK = `mutation($i: MarkThreadReadInput!) { markGuestThreadRead(input: $i) { thread { id unreadCount } } }`;
const V_LIST = `query { counterpartThreads(first: 20) { totalCount edges { node { id subject unreadCount occasionId occasionName } } } }`;
const V_ONE = `query($id: ID!) { counterpartThread(id: $id) { ${CP_FIELDS} } }`;
const V_POST = `mutation($i: PostThreadMessageInput!) { postCounterpartThreadMessage(input: $i) { __typename
  ... on CounterpartThreadMessagePayload { message { id side } } ... on ValidationError { code } } }`;
const V_MARK = `mutation($i: MarkThreadReadInput!) { markCounterpartThreadRead(input: $i) { thread { id unreadCount } } }`;

async function world(collaborators: Record<string, undefined> = {}): Promise<World> {
  return buildWorld(s, { events: 1, households: [2, 1], modules: { rsvp: [0] }, collaborators });
}

/** A guest link (token) for a unit, issued the ordinary way: its token is not kept. */
async function guestToken(w: World, unitId: string): Promise<string> {
  const r = await must(
    s,
    w.owner.token,
    `mutation($i: IssueGuestAccessInput!) { issueGuestAccess(input: $i) { ... on IssueGuestAccessPayload { token } } }`,
    {
      i: { occasionId: w.occasionId, unitId },
    },
  );
  return r.issueGuestAccess.token;
}

async function start(w: World, counterpartId: string, body = 'Hello from the planners', token = w.owner.token) {
  const r = await s.gql(START, { i: { occasionId: w.occasionId, counterpartId, subject: 'Seating', body } }, { token });
  expect(r.body.errors, JSON.stringify(r.body)).toBeUndefined();
  return r.body.data.startThread;
}

const deliveriesOf = (threadMessageId: string) =>
  prisma.commDelivery.findMany({ where: { context: { path: ['refs', 'threadMessageId'], equals: threadMessageId } }, orderBy: { address: 'asc' } });
const emailOf = async (actorGlobalId: string) => (await prisma.actor.findUniqueOrThrow({ where: { id: rawId(actorGlobalId) } })).email!;
const variablesOf = (d: { context: unknown }) => (d.context as { variables: Record<string, unknown> }).variables;

/** Rows a refused or invalid write must not leave behind. */
async function written(w: World) {
  const occasionId = rawId(w.occasionId);
  return {
    threads: await prisma.commThread.count({ where: { occasionId } }),
    messages: await prisma.commThreadMessage.count({ where: { thread: { occasionId } } }),
    reads: await prisma.commThreadRead.count({ where: { thread: { occasionId } } }),
    deliveries: await prisma.commDelivery.count({ where: { occasionId } }),
    outbox: await prisma.outboxEvent.count({ where: { occasionId, type: 'message.received' } }),
    audit: await prisma.auditLog.count({ where: { occasionId, outcome: 'SUCCESS' } }),
  };
}

describe('planner ↔ guest', () => {
  it('a conversation over HTTP: messages both ways, unread counts per reader, emails to the other side, message.received for the guest', async () => {
    const w = await world({ co_planner: undefined });
    const household = w.households[0]!;
    const guest = await guestToken(w, household.id);

    const started = await start(w, household.id, '  Where would you like to sit?  ');
    expect(started.__typename).toBe('ThreadMessagePayload');
    const threadId = started.thread.id;
    expect(started.thread).toMatchObject({ subject: 'Seating', counterpartName: 'Household 1', unreadCount: 0 });
    // Trimmed, stored as plain text.
    expect(started.message).toMatchObject({ side: 'PLANNER', body: 'Where would you like to sit?' });

    // The household is emailed at its head, with the guest page as reply link (its link's token was not kept).
    const toGuest = await deliveriesOf(rawId(started.message.id));
    expect(toGuest.map((d) => [d.kind, d.status, d.category, d.address])).toEqual([
      ['THREAD_MESSAGE', 'QUEUED', 'TRANSACTIONAL', await emailOf(household.memberIds[0]!)],
    ]);
    expect(variablesOf(toGuest[0]!)).toMatchObject({
      replyUrl: 'https://tovplus.test/guest',
      senderName: 'owner',
      excerpt: 'Where would you like to sit?',
      recipient: { displayName: 'Guest 1.1' },
    });
    expect(toGuest[0]!.secretEnc).toBeNull();

    // The guest sees it, unread.
    const g1 = (await must(s, guest, G_LIST)).guestThreads;
    expect(g1.totalCount).toBe(1);
    expect(g1.edges[0].node).toMatchObject({ id: threadId, subject: 'Seating', unreadCount: 1 });
    expect(g1.edges[0].node.messages.edges.map((e: { node: unknown }) => e.node)).toEqual([
      { side: 'PLANNER', body: 'Where would you like to sit?', authorName: 'owner' },
    ]);
    expect((await must(s, guest, G_MARK, { i: { threadId } })).markGuestThreadRead.thread.unreadCount).toBe(0);

    // The guest answers: the planners are emailed (each who may read threads), the business event is recorded.
    const reply = (await s.gql(G_POST, { i: { threadId, body: 'Near the band, please!' } }, { token: guest })).body.data.postGuestThreadMessage;
    expect(reply).toMatchObject({ __typename: 'CounterpartThreadMessagePayload', thread: { unreadCount: 0 }, message: { side: 'COUNTERPART' } });
    const toPlanners = await deliveriesOf(rawId(reply.message.id));
    expect(toPlanners.map((d) => d.address).sort()).toEqual([w.owner.email, w.people.co_planner!.email].map((e) => e.toLowerCase()).sort());
    for (const d of toPlanners) {
      expect(d).toMatchObject({ kind: 'THREAD_MESSAGE', status: 'QUEUED' });
      expect(variablesOf(d)).toMatchObject({ senderName: 'Household 1', replyUrl: `https://tovplus.test/threads/${threadId}` });
    }
    const events = await prisma.outboxEvent.findMany({ where: { occasionId: rawId(w.occasionId), type: 'message.received' } });
    expect(events.map((e) => e.payload)).toEqual([
      { occasionId: rawId(w.occasionId), threadId: rawId(threadId), messageId: rawId(reply.message.id) },
    ]);

    // Unread counts are per reader: the owner has one (the guest's), the co-planner two (nothing read yet).
    const ownerList = (await must(s, w.owner.token, LIST, { o: w.occasionId })).occasion.threads;
    expect(ownerList.edges.map((e: { node: unknown }) => e.node)).toEqual([
      { id: threadId, subject: 'Seating', unreadCount: 1, counterpartName: 'Household 1' },
    ]);
    expect((await must(s, w.people.co_planner!.token, ONE, { id: threadId })).thread.unreadCount).toBe(2);
    expect((await must(s, w.owner.token, MARK, { i: { threadId } })).markThreadRead.thread.unreadCount).toBe(0);
    expect((await must(s, w.people.co_planner!.token, ONE, { id: threadId })).thread.unreadCount).toBe(2);

    // The owner replies: not unread for them, unread for the guest.
    const answer = (await s.gql(POST, { i: { threadId, body: 'Done.' } }, { token: w.owner.token })).body.data.postThreadMessage;
    expect(answer).toMatchObject({ __typename: 'ThreadMessagePayload', thread: { unreadCount: 0 } });
    const full = (await must(s, guest, G_ONE, { id: threadId })).guestThread;
    expect(full.unreadCount).toBe(1);
    expect(full.messages.edges.map((e: { node: { side: string; body: string } }) => `${e.node.side}: ${e.node.body}`)).toEqual([
      'PLANNER: Where would you like to sit?',
      'COUNTERPART: Near the band, please!',
      'PLANNER: Done.',
    ]);
    // A planner's message records no message.received.
    expect(await prisma.outboxEvent.count({ where: { occasionId: rawId(w.occasionId), type: 'message.received' } })).toBe(1);
    // Each message left an audit row.
    const audit = await prisma.auditLog.findMany({ where: { occasionId: rawId(w.occasionId), action: 'threads:write' }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => [a.principalType, (a.after as { side: string }).side])).toEqual([
      ['user', 'PLANNER'],
      ['guest', 'COUNTERPART'],
      ['user', 'PLANNER'],
    ]);
  });

  it('a guest starts a conversation; the newest activity comes first in the planners’ list', async () => {
    const w = await world();
    const older = await start(w, w.households[1]!.id);
    const guest = await guestToken(w, w.households[0]!.id);
    const r = (await s.gql(G_START, { i: { subject: 'Parking', body: 'Is there parking?' } }, { token: guest })).body.data.startGuestThread;
    expect(r).toMatchObject({
      __typename: 'CounterpartThreadMessagePayload',
      thread: { subject: 'Parking', unreadCount: 0 },
      message: { side: 'COUNTERPART' },
    });
    const list = (await must(s, w.owner.token, LIST, { o: w.occasionId })).occasion.threads;
    expect(list.edges.map((e: { node: { id: string; unreadCount: number } }) => [e.node.id, e.node.unreadCount])).toEqual([
      [r.thread.id, 1],
      [older.thread.id, 0],
    ]);
    expect((await deliveriesOf(rawId(r.message.id))).map((d) => d.address)).toEqual([w.owner.email.toLowerCase()]);
    expect(await prisma.outboxEvent.count({ where: { occasionId: rawId(w.occasionId), type: 'message.received' } })).toBe(1);
    // The other household sees nothing of it.
    const other = await guestToken(w, w.households[1]!.id);
    const theirs = (await must(s, other, G_LIST)).guestThreads;
    expect(theirs.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([older.thread.id]);
  });

  it('the reply link is the guest’s own link when its token was kept (sent with the invitations), stored encrypted', async () => {
    const w = await world();
    await must(
      s,
      w.owner.token,
      `mutation($i: CreateRsvpInvitationsFromHouseholdsInput!) { createRsvpInvitationsFromHouseholds(input: $i) { __typename } }`,
      {
        i: { occasionId: w.occasionId, eventIds: w.eventIds },
      },
    );
    await must(s, w.owner.token, `mutation($i: SendRsvpInvitationsInput!) { sendRsvpInvitations(input: $i) { __typename } }`, {
      i: { occasionId: w.occasionId },
    });
    const started = await start(w, w.households[0]!.id);
    const [d] = await deliveriesOf(rawId(started.message.id));
    expect(variablesOf(d!).replyUrl).toBeUndefined();
    const secrets = JSON.parse(decrypt(d!.secretEnc!, resolveAppKey(s.app.config))) as { replyUrl: string };
    const token = /^https:\/\/tovplus\.test\/guest\/(tovg_[A-Za-z0-9_-]+)$/.exec(secrets.replyUrl)?.[1] ?? '';
    expect(token).not.toBe('');
    // The link opens the conversation.
    expect((await must(s, token, G_ONE, { id: started.thread.id })).guestThread.subject).toBe('Seating');
  });
});

describe('who may not', () => {
  /** Same answer for a thread that is not yours and one that does not exist. */
  function expectNotFoundLikeNowhere(r: GqlResult, nowhere: GqlResult) {
    expect(errorCode(r), JSON.stringify(r.body)).toBe('NOT_FOUND');
    expect(nowhere.body).toEqual(r.body);
  }

  it('a guest of another unit or another occasion sees and writes nothing of a thread: NOT_FOUND, as for one that does not exist', async () => {
    const w = await world();
    const elsewhere = await world();
    const { thread } = await start(w, w.households[0]!.id);
    const nowhereId = encodeGlobalID('Thread', randomUUID());
    const strangers = [await guestToken(w, w.households[1]!.id), await guestToken(elsewhere, elsewhere.households[0]!.id)];
    const before = await written(w);
    for (const token of strangers) {
      expectNotFoundLikeNowhere(await s.gql(G_ONE, { id: thread.id }, { token }), await s.gql(G_ONE, { id: nowhereId }, { token }));
      expectNotFoundLikeNowhere(
        await s.gql(G_POST, { i: { threadId: thread.id, body: 'Hi' } }, { token }),
        await s.gql(G_POST, { i: { threadId: nowhereId, body: 'Hi' } }, { token }),
      );
      expectNotFoundLikeNowhere(
        await s.gql(G_MARK, { i: { threadId: thread.id } }, { token }),
        await s.gql(G_MARK, { i: { threadId: nowhereId } }, { token }),
      );
      expect((await must(s, token, G_LIST)).guestThreads.totalCount).toBe(0);
      // A guest holds no grants: the planners' field does not find it either.
      expect(errorCode(await s.gql(ONE, { id: thread.id }, { token }))).toBe('NOT_FOUND');
    }
    expect(await written(w)).toEqual(before);
  });

  it('a vendor contact sees and writes only its own threads (and its vendor’s), without threads:read', async () => {
    const w = await world({ vendor: undefined });
    const vendor = w.people.vendor!;
    const vendorActorId = vendor.actorId;
    // A vendor company the contact belongs to, and another it does not.
    const company = await createActor(w, 'VENDOR', 'Blooms Ltd');
    await must(s, w.owner.token, `mutation($i: AddMembershipInput!) { addMembership(input: $i) { __typename } }`, {
      i: { groupId: company, memberId: vendorActorId },
    });
    const otherVendor = await createActor(w, 'VENDOR', 'Other Caterer', `caterer-${randomUUID().slice(0, 8)}@example.com`);

    const own = await start(w, vendorActorId, 'Can you bring white roses?');
    const viaCompany = await start(w, company, 'Invoice please');
    const notTheirs = await start(w, otherVendor);
    const household = await start(w, w.households[0]!.id);

    // The vendor contact is emailed at its address, with a link into the app.
    const [d] = await deliveriesOf(rawId(own.message.id));
    expect(d).toMatchObject({ kind: 'THREAD_MESSAGE', status: 'QUEUED', address: vendor.email.toLowerCase() });
    expect(variablesOf(d!).replyUrl).toBe(`https://tovplus.test/threads/${own.thread.id}`);

    const list = (await must(s, vendor.token, V_LIST)).counterpartThreads;
    expect(list.edges.map((e: { node: { id: string } }) => e.node.id).sort()).toEqual([own.thread.id, viaCompany.thread.id].sort());
    expect(list.edges[0].node.occasionId).toBe(w.occasionId);
    expect((await must(s, vendor.token, V_ONE, { id: own.thread.id })).counterpartThread).toMatchObject({ subject: 'Seating', unreadCount: 1 });
    expect((await must(s, vendor.token, V_MARK, { i: { threadId: own.thread.id } })).markCounterpartThreadRead.thread.unreadCount).toBe(0);

    const before = await written(w);
    for (const other of [notTheirs, household]) {
      expect(errorCode(await s.gql(V_ONE, { id: other.thread.id }, { token: vendor.token }))).toBe('NOT_FOUND');
      expect(errorCode(await s.gql(V_POST, { i: { threadId: other.thread.id, body: 'x' } }, { token: vendor.token }))).toBe('NOT_FOUND');
    }
    // Nothing of the planners' side: no list, no thread, no writing as the planners, no starting.
    expect(errorCode(await s.gql(LIST, { o: w.occasionId }, { token: vendor.token }))).toBe('FORBIDDEN');
    expect(errorCode(await s.gql(ONE, { id: own.thread.id }, { token: vendor.token }))).toBe('FORBIDDEN');
    expect(errorCode(await s.gql(POST, { i: { threadId: own.thread.id, body: 'x' } }, { token: vendor.token }))).toBe('FORBIDDEN');
    expect(
      errorCode(
        await s.gql(START, { i: { occasionId: w.occasionId, counterpartId: vendorActorId, subject: 's', body: 'b' } }, { token: vendor.token }),
      ),
    ).toBe('FORBIDDEN');
    expect(await written(w)).toEqual(before);

    // Writing in its vendor's thread: the planners are told, message.received is recorded.
    const r = (await s.gql(V_POST, { i: { threadId: viaCompany.thread.id, body: 'Sent yesterday.' } }, { token: vendor.token })).body.data
      .postCounterpartThreadMessage;
    expect(r).toMatchObject({ __typename: 'CounterpartThreadMessagePayload', message: { side: 'COUNTERPART' } });
    expect((await deliveriesOf(rawId(r.message.id))).map((x) => x.address)).toEqual([w.owner.email.toLowerCase()]);
    expect(await prisma.outboxEvent.count({ where: { occasionId: rawId(w.occasionId), type: 'message.received' } })).toBe(1);
    const thread = (await must(s, w.owner.token, ONE, { id: viaCompany.thread.id })).thread;
    expect(thread.messages.edges.at(-1).node).toEqual({ side: 'COUNTERPART', body: 'Sent yesterday.', authorName: 'vendor person' });

    // Its access revoked, the contact loses its conversations.
    const grants = await prisma.grant.findMany({ where: { subjectActorId: rawId(vendor.actorId), revokedAt: null } });
    await prisma.grant.updateMany({ where: { id: { in: grants.map((g) => g.id) } }, data: { revokedAt: new Date() } });
    expect(errorCode(await s.gql(V_ONE, { id: own.thread.id }, { token: vendor.token }))).toBe('NOT_FOUND');
    expect((await must(s, vendor.token, V_LIST)).counterpartThreads.totalCount).toBe(0);
  });

  it('a helper (no threads:read) is FORBIDDEN on every planner field, and its own occasion’s threads are NOT_FOUND to strangers', async () => {
    const w = await world({ helper: undefined });
    const { thread } = await start(w, w.households[0]!.id);
    const helper = w.people.helper!.token;
    const before = await written(w);
    expect(errorCode(await s.gql(LIST, { o: w.occasionId }, { token: helper }))).toBe('FORBIDDEN');
    expect(errorCode(await s.gql(ONE, { id: thread.id }, { token: helper }))).toBe('FORBIDDEN');
    expect(errorCode(await s.gql(POST, { i: { threadId: thread.id, body: 'x' } }, { token: helper }))).toBe('FORBIDDEN');
    expect(errorCode(await s.gql(MARK, { i: { threadId: thread.id } }, { token: helper }))).toBe('FORBIDDEN');
    expect(
      errorCode(
        await s.gql(START, { i: { occasionId: w.occasionId, counterpartId: w.households[0]!.id, subject: 's', body: 'b' } }, { token: helper }),
      ),
    ).toBe('FORBIDDEN');
    // Not the helper's thread as a counterpart either.
    expect(errorCode(await s.gql(V_ONE, { id: thread.id }, { token: helper }))).toBe('NOT_FOUND');
    expect((await must(s, helper, V_LIST)).counterpartThreads.totalCount).toBe(0);
    // The owner of another occasion: NOT_FOUND, never FORBIDDEN.
    const stranger = (await world()).owner.token;
    expect(errorCode(await s.gql(ONE, { id: thread.id }, { token: stranger }))).toBe('NOT_FOUND');
    expect(errorCode(await s.gql(POST, { i: { threadId: thread.id, body: 'x' } }, { token: stranger }))).toBe('NOT_FOUND');
    expect(await written(w)).toEqual(before);
  });
});

describe('bodies', () => {
  it('empty, blank, oversized or control-character bodies are a ValidationError and write nothing', async () => {
    const w = await world();
    const guest = await guestToken(w, w.households[0]!.id);
    const { thread } = await start(w, w.households[0]!.id);
    const before = await written(w);
    for (const body of ['', '   \n\t ', 'x'.repeat(5001), 'bell\u0007']) {
      const planner = (await s.gql(POST, { i: { threadId: thread.id, body } }, { token: w.owner.token })).body.data.postThreadMessage;
      expect(planner, JSON.stringify(body.slice(0, 20))).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED' });
      expect(planner.fields[0].path).toBe('input.body');
      const asGuest = (await s.gql(G_POST, { i: { threadId: thread.id, body } }, { token: guest })).body.data.postGuestThreadMessage;
      expect(asGuest).toMatchObject({ __typename: 'ValidationError' });
      const started = (
        await s.gql(START, { i: { occasionId: w.occasionId, counterpartId: w.households[1]!.id, subject: 'New', body } }, { token: w.owner.token })
      ).body.data.startThread;
      expect(started).toMatchObject({ __typename: 'ValidationError' });
      const guestStarted = (await s.gql(G_START, { i: { subject: 'New', body } }, { token: guest })).body.data.startGuestThread;
      expect(guestStarted).toMatchObject({ __typename: 'ValidationError' });
    }
    expect(await written(w)).toEqual(before);
    // Exactly the limit is fine; line breaks and tabs are plain text.
    const ok = (await s.gql(POST, { i: { threadId: thread.id, body: `${'x'.repeat(4990)}\n\tend` } }, { token: w.owner.token })).body.data
      .postThreadMessage;
    expect(ok.__typename).toBe('ThreadMessagePayload');
  });

  it('a team is not a counterpart; an actor of another occasion is NOT_FOUND', async () => {
    const w = await world();
    const team = await createActor(w, 'TEAM', 'Ushers');
    const r = (await s.gql(START, { i: { occasionId: w.occasionId, counterpartId: team, subject: 's', body: 'b' } }, { token: w.owner.token })).body
      .data.startThread;
    expect(r).toMatchObject({ __typename: 'ValidationError', fields: [{ path: 'input.counterpartId' }] });
    const other = await world();
    const before = await written(w);
    expect(
      errorCode(
        await s.gql(
          START,
          { i: { occasionId: w.occasionId, counterpartId: other.households[0]!.id, subject: 's', body: 'b' } },
          { token: w.owner.token },
        ),
      ),
    ).toBe('NOT_FOUND');
    expect(await written(w)).toEqual(before);
  });
});

async function createActor(w: World, kind: string, displayName: string, email?: string): Promise<string> {
  const r = await must(s, w.owner.token, `mutation($i: CreateActorInput!) { createActor(input: $i) { ... on ActorPayload { actor { id } } } }`, {
    i: { occasionId: w.occasionId, kind, displayName, ...(email ? { email } : {}) },
  });
  return r.createActor.actor.id;
}
