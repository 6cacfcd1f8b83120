import { describe, expect, it } from 'vitest';
import { GuestInvitationDocument, RsvpEventSummaryDocument, SubmitRsvpDocument } from '../../../src/generated/graphql/graphql.js';
import { addCollaborator, buildWorld, must, type TestUser, type World } from '../../support/factories.js';
import { errorCode, startServer } from '../../support/harness.js';
import { globalId, newRequestId, rawId, watchOccasion } from '../../support/rows.js';
import { createDinnerForm } from '../../support/forms.js';

/**
 * RSVP end to end over real HTTP: planner invitations, the guest link, the
 * guest's one-mutation answer, deadlines and overrides, summaries, history and
 * events, and who may see what.
 */

const s = await startServer();

const CREATE_INVITATION = `mutation($i: CreateRsvpInvitationInput!) { createRsvpInvitation(input: $i) { __typename
  ... on CreateRsvpInvitationPayload { guestToken guestLink invitation { id responseScope plusOnesAllowed invitedEventIds unit { id } primaryActor { id } } }
  ... on Error { code message } ... on ValidationError { fields { path message } } } }`;
const BULK = `mutation($i: CreateRsvpInvitationsFromHouseholdsInput!) { createRsvpInvitationsFromHouseholds(input: $i) { __typename
  ... on CreateRsvpInvitationsFromHouseholdsPayload { created skipped } ... on Error { code message } } }`;
const GUEST = `query { guestInvitation { occasionName unitName responseScope plusOnesAllowed plusOnesRemaining
  people { id displayName role isPlusOne }
  events { id name deadline open questions { id key type required options { value } }
    response { status participantIds headcount notes answers { questionId actorId value } } } } }`;
const SUBMIT = `mutation($i: SubmitRsvpInput!) { submitRsvp(input: $i) { __typename
  ... on SubmitRsvpPayload { invitation { people { id displayName role } events { id response { status participantIds headcount } } } }
  ... on RsvpClosedError { code message eventIds deadline }
  ... on ValidationError { code message fields { path message } }
  ... on Error { code message } } }`;
const OVERRIDE = `mutation($i: OverrideRsvpResponsesInput!) { overrideRsvpResponses(input: $i) { __typename
  ... on OverrideRsvpResponsesPayload { responses { id status headcount } } ... on Error { code message } } }`;
const SUMMARY = `query($id: ID!) { event(id: $id) { rsvpSummary { invited attending declined pending headcount children plusOnes answers { fieldKey value count } tags { tag count } } } }`;
const RESPONSES = `query($id: ID!, $filter: RsvpResponseFilter) { event(id: $id) { rsvpResponses(first: 50, filter: $filter) { totalCount
  edges { node { id status headcount source notes unit { id displayName } participants { id displayName } history { fromStatus toStatus source reason } } } } } }`;
const ENABLE = `mutation($i: EnableModuleInput!) { enableModule(input: $i) { __typename ... on Error { code message } } }`;
const CREATE_ACTOR = `mutation($i: CreateActorInput!) { createActor(input: $i) { __typename ... on ActorPayload { actor { id members { id role member { id } } } } } }`;

/** Waits until no statement has run for 50 ms: live summaries are recomputed in the background after each commit. */
async function quiet() {
  let last = -1;
  while (last !== s.app.db.statements.count) {
    last = s.app.db.statements.count;
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Invited {
  token: string;
  invitationId: string;
  unitId: string;
}

/** A wedding with 3 events, RSVP enabled on the first two, and two households (2 and 3 people). */
async function rsvpWorld(collaborators: Record<string, number[] | undefined> = {}) {
  return buildWorld(s, { events: 3, households: [2, 3], modules: { rsvp: [0, 1] }, collaborators });
}

async function invite(w: World, unitId: string, eventIdx: number[], extra: Record<string, unknown> = {}): Promise<Invited> {
  const r = await must(s, w.owner.token, CREATE_INVITATION, {
    i: { occasionId: w.occasionId, unitId, eventIds: eventIdx.map((i) => w.eventIds[i]), ...extra },
  });
  const p = r.createRsvpInvitation;
  return { token: p.guestToken, invitationId: p.invitation.id, unitId };
}

const guest = (token: string) => s.gql(GUEST, {}, { token });
const submit = (token: string, responses: unknown[], requestId?: string) =>
  s.gql(SUBMIT, { i: { responses } }, { token, headers: requestId ? { 'x-request-id': requestId } : {} });
const summary = async (w: World, eventIdx: number, token = w.owner.token) =>
  (await must(s, token, SUMMARY, { id: w.eventIds[eventIdx] })).event.rsvpSummary;

describe('inviting', () => {
  it('invites a household to RSVP-enabled events with a guest link; pending responses exist per event', async () => {
    const w = await rsvpWorld();
    const watch = await watchOccasion(s, w.occasionId);
    const r = await s.gql(
      CREATE_INVITATION,
      { i: { occasionId: w.occasionId, unitId: w.households[0]!.id, eventIds: [w.eventIds[0], w.eventIds[1]] } },
      { token: w.owner.token },
    );
    const p = r.body.data.createRsvpInvitation;
    expect(p.__typename).toBe('CreateRsvpInvitationPayload');
    expect(p.guestToken).toMatch(/^tovg_/);
    expect(p.guestLink).toContain(`/guest/${p.guestToken}`);
    expect(p.invitation).toMatchObject({ responseScope: 'HOUSEHOLD', plusOnesAllowed: 0, primaryActor: { id: w.households[0]!.memberIds[0] } });
    expect(await summary(w, 0)).toMatchObject({ invited: 1, pending: 1, attending: 0, headcount: 0 });
    const outbox = (await watch.outbox()).map((o) => o.type);
    expect(outbox).toEqual(['guest_access.issued', 'rsvp_invitation.created']);
    expect(await s.app.db.prisma.guestAccess.count({ where: { tokenHash: p.guestToken } })).toBe(0);
  });

  it('refuses events without RSVP, a second invitation for the unit, and a TEAM as unit — nothing written', async () => {
    const w = await rsvpWorld();
    await invite(w, w.households[0]!.id, [0]);
    const watch = await watchOccasion(s, w.occasionId);
    const offEvent = await s.gql(
      CREATE_INVITATION,
      { i: { occasionId: w.occasionId, unitId: w.households[1]!.id, eventIds: [w.eventIds[2]] } },
      { token: w.owner.token },
    );
    expect(offEvent.body.data.createRsvpInvitation).toMatchObject({ __typename: 'ValidationError', fields: [{ path: 'input.eventIds' }] });
    const again = await s.gql(
      CREATE_INVITATION,
      { i: { occasionId: w.occasionId, unitId: w.households[0]!.id, eventIds: [w.eventIds[0]] } },
      { token: w.owner.token },
    );
    expect(again.body.data.createRsvpInvitation).toMatchObject({ __typename: 'ConflictError' });
    const team = (await must(s, w.owner.token, CREATE_ACTOR, { i: { occasionId: w.occasionId, kind: 'TEAM', displayName: 'Band' } })).createActor
      .actor.id;
    const teamInvite = await s.gql(
      CREATE_INVITATION,
      { i: { occasionId: w.occasionId, unitId: team, eventIds: [w.eventIds[0]] } },
      { token: w.owner.token },
    );
    expect(teamInvite.body.data.createRsvpInvitation).toMatchObject({ __typename: 'ValidationError' });
    // (the team itself was created before the watch moved on)
    const rows = await watch.rows();
    expect(rows.audit - watch.before.audit).toBe(1);
    expect(rows.invitations).toBe(watch.before.invitations);
    expect(await s.app.db.prisma.rsvpInvitation.count({ where: { occasionId: rawId(w.occasionId) } })).toBe(1);
  });

  it('bulk-invites every household not yet invited; running it again changes nothing', async () => {
    const w = await buildWorld(s, { events: 2, households: [2, 3, 1, 4], modules: { rsvp: [0, 1] } });
    await invite(w, w.households[0]!.id, [0]);
    const first = await must(s, w.owner.token, BULK, { i: { occasionId: w.occasionId, eventIds: w.eventIds } });
    expect(first.createRsvpInvitationsFromHouseholds).toEqual({ __typename: 'CreateRsvpInvitationsFromHouseholdsPayload', created: 3, skipped: 1 });
    const watch = await watchOccasion(s, w.occasionId);
    const second = await must(s, w.owner.token, BULK, { i: { occasionId: w.occasionId, eventIds: w.eventIds } });
    expect(second.createRsvpInvitationsFromHouseholds).toMatchObject({ created: 0, skipped: 4 });
    expect((await watch.outbox()).length).toBe(0);
    expect(await summary(w, 1)).toMatchObject({ invited: 3, pending: 3 });
    expect(await summary(w, 0)).toMatchObject({ invited: 4, pending: 4 });
  });
});

describe('the guest link', () => {
  it('shows only the unit and the events both invited and allowed by the link', async () => {
    // given household 1 invited to events 1 and 2, household 2 to event 1 only
    const w = await rsvpWorld();
    const h1 = await invite(w, w.households[0]!.id, [0, 1]);
    const h2 = await invite(w, w.households[1]!.id, [0]);

    const v1 = (await guest(h1.token)).body.data.guestInvitation;
    expect(v1.unitName).toBe('Household 1');
    expect(v1.people.map((p: { id: string }) => p.id)).toEqual(w.households[0]!.memberIds);
    expect(v1.events.map((e: { id: string }) => e.id)).toEqual([w.eventIds[0], w.eventIds[1]]);
    expect(v1.events.every((e: { response: { status: string } }) => e.response.status === 'PENDING')).toBe(true);

    const v2 = (await guest(h2.token)).body.data.guestInvitation;
    expect(v2.events.map((e: { id: string }) => e.id)).toEqual([w.eventIds[0]]);
    expect(JSON.stringify(v2)).not.toContain('Household 1');

    // a second link, limited to one event (kept beside the first on purpose), shows just that one
    const ISSUE = `mutation($i: IssueGuestAccessInput!) { issueGuestAccess(input: $i) { __typename ... on IssueGuestAccessPayload { token } } }`;
    const second = { occasionId: w.occasionId, unitId: w.households[0]!.id, eventIds: [w.eventIds[1]], onLiveLink: 'KEEP_EXISTING' };
    const limited = (await must(s, w.owner.token, ISSUE, { i: second })).issueGuestAccess.token;
    expect((await guest(limited)).body.data.guestInvitation.events.map((e: { id: string }) => e.id)).toEqual([w.eventIds[1]]);
    // and answering the other event through it is refused as not invited
    const r = await submit(limited, [{ eventId: w.eventIds[0], status: 'DECLINED' }]);
    expect(r.body.data.submitRsvp).toMatchObject({ __typename: 'ValidationError', fields: [{ path: 'input.responses.0.eventId' }] });
  });

  it('a guest reaches nothing of the planner side: NOT_FOUND / FORBIDDEN, never data', async () => {
    const w = await rsvpWorld();
    const h1 = await invite(w, w.households[0]!.id, [0]);
    expect(errorCode(await s.gql(`query($id: ID!) { occasion(id: $id) { name } }`, { id: w.occasionId }, { token: h1.token }))).toBe('NOT_FOUND');
    expect(errorCode(await s.gql(SUMMARY, { id: w.eventIds[0] }, { token: h1.token }))).toBe('NOT_FOUND');
    expect(errorCode(await s.gql(`query { me { id } }`, {}, { token: h1.token }))).toBe('FORBIDDEN');
    expect(errorCode(await s.gql(`query { occasions(first: 5) { totalCount } }`, {}, { token: h1.token }))).toBe('FORBIDDEN');
    // and a planner's token is not a guest
    expect(errorCode(await s.gql(GUEST, {}, { token: w.owner.token }))).toBe('FORBIDDEN');
  });

  it('a revoked, re-issued or expired link stops working with a clear 401', async () => {
    const w = await rsvpWorld();
    const h1 = await invite(w, w.households[0]!.id, [0]);
    const access = await s.app.db.prisma.guestAccess.findFirstOrThrow({ where: { unitActorId: rawId(h1.unitId) } });
    const REISSUE = `mutation($i: ReissueGuestAccessInput!) { reissueGuestAccess(input: $i) { __typename ... on IssueGuestAccessPayload { token guestAccess { status } } } }`;
    const re = await must(s, w.owner.token, REISSUE, { i: { id: globalId('GuestAccess', access.id) } });
    const old = await guest(h1.token);
    expect(old.status).toBe(401);
    expect(old.body.errors![0]!.extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'guest_link_revoked' });
    expect((await guest(re.reissueGuestAccess.token)).body.data.guestInvitation.unitName).toBe('Household 1');

    await s.app.db.prisma.guestAccess.updateMany({
      where: { unitActorId: rawId(h1.unitId), revokedAt: null },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const expired = await guest(re.reissueGuestAccess.token);
    expect(expired.status).toBe(401);
    expect(expired.body.errors![0]!.extensions!.reason).toBe('guest_link_expired');
    expect((await guest('tovg_not-a-real-token')).body.errors![0]!.extensions!.reason).toBe('guest_link_unknown');
  });
});

describe('answering', () => {
  it('one mutation answers every invited event: who attends per event, counted in the summary, with events and history', async () => {
    const w = await rsvpWorld();
    const h = await invite(w, w.households[1]!.id, [0, 1]);
    const [a, b, c] = w.households[1]!.memberIds;
    const watch = await watchOccasion(s, w.occasionId);
    const requestId = newRequestId('rsvp');

    // when the guest says two of three come to event 1 and declines event 2
    const r = await submit(
      h.token,
      [
        { eventId: w.eventIds[0], status: 'ATTENDING', participantIds: [a, b] },
        { eventId: w.eventIds[1], status: 'DECLINED' },
      ],
      requestId,
    );

    // then the answers are saved and counted
    expect(r.body.data.submitRsvp.__typename).toBe('SubmitRsvpPayload');
    expect(r.body.data.submitRsvp.invitation.events.map((e: { response: unknown }) => e.response)).toEqual([
      { status: 'ATTENDING', participantIds: [a, b], headcount: 2 },
      { status: 'DECLINED', participantIds: [], headcount: 0 },
    ]);
    expect(await summary(w, 0)).toMatchObject({ invited: 1, attending: 1, pending: 0, headcount: 2 });
    expect(await summary(w, 1)).toMatchObject({ invited: 1, declined: 1, headcount: 0 });
    // one rsvp.submitted per event, one audit row, with the guest as principal
    const outbox = await watch.outbox();
    expect(outbox.map((o) => [o.type, o.eventId])).toEqual([
      ['rsvp.submitted', rawId(w.eventIds[0]!)],
      ['rsvp.submitted', rawId(w.eventIds[1]!)],
    ]);
    const audit = await watch.audit();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'rsvp:submit', principalType: 'guest', actorId: rawId(h.unitId), requestId });

    // when they change their mind: all three come
    const again = await submit(h.token, [{ eventId: w.eventIds[0], status: 'ATTENDING', participantIds: [a, b, c] }]);
    expect(again.body.data.submitRsvp.__typename).toBe('SubmitRsvpPayload');
    expect((await watch.outbox()).at(-1)!.type).toBe('rsvp.updated');
    const list = await must(s, w.owner.token, RESPONSES, { id: w.eventIds[0] });
    const node = list.event.rsvpResponses.edges[0].node;
    expect(node).toMatchObject({ status: 'ATTENDING', headcount: 3, source: 'GUEST' });
    expect(node.history.map((x: { fromStatus: string; toStatus: string }) => `${x.fromStatus}→${x.toStatus}`)).toEqual([
      'PENDING→ATTENDING',
      'ATTENDING→ATTENDING',
    ]);
  });

  it('defaults to everyone on the invitation; plus-ones are named by the guest within the allowance and counted', async () => {
    const w = await rsvpWorld();
    const h = await invite(w, w.households[0]!.id, [0, 1], { plusOnesAllowed: 1 });
    const r = await submit(h.token, [
      { eventId: w.eventIds[0], status: 'ATTENDING', plusOnes: ['Sam Guest'] },
      { eventId: w.eventIds[1], status: 'ATTENDING', plusOnes: ['sam guest'] },
    ]);
    const inv = r.body.data.submitRsvp.invitation;
    const sam = inv.people.find((p: { role: string }) => p.role === 'PLUS_ONE');
    expect(sam.displayName).toBe('Sam Guest');
    // the same name in both events is one person
    expect(inv.people).toHaveLength(3);
    expect(inv.events.map((e: { response: { headcount: number } }) => e.response.headcount)).toEqual([3, 3]);
    expect(await summary(w, 0)).toMatchObject({ headcount: 3, plusOnes: 1 });
    // a second plus-one does not fit
    const over = await submit(h.token, [{ eventId: w.eventIds[0], status: 'ATTENDING', plusOnes: ['Sam Guest', 'Alex Extra'] }]);
    expect(over.body.data.submitRsvp).toMatchObject({ __typename: 'ValidationError', fields: [{ path: 'input.responses.0.plusOnes' }] });
    expect((await guest(h.token)).body.data.guestInvitation.plusOnesRemaining).toBe(0);
  });

  it('a person invited alone answers only for themselves', async () => {
    const w = await rsvpWorld();
    const [alone, spouse] = w.households[0]!.memberIds;
    const h = await invite(w, alone!, [0]);
    const v = (await guest(h.token)).body.data.guestInvitation;
    expect(v).toMatchObject({ responseScope: 'ACTOR', people: [{ id: alone, role: 'SELF' }] });
    const r = await submit(h.token, [{ eventId: w.eventIds[0], status: 'ATTENDING', participantIds: [alone, spouse] }]);
    expect(r.body.data.submitRsvp).toMatchObject({ __typename: 'ValidationError', fields: [{ path: 'input.responses.0.participantIds' }] });
  });

  it('refuses bad answers with a typed error and writes nothing', async () => {
    const w = await rsvpWorld();
    const h = await invite(w, w.households[0]!.id, [0]);
    const other = await invite(w, w.households[1]!.id, [0, 1]);
    const [a] = w.households[0]!.memberIds;
    const stranger = w.households[1]!.memberIds[0];
    const watch = await watchOccasion(s, w.occasionId);
    const cases: [unknown[], string][] = [
      [[{ eventId: w.eventIds[1], status: 'ATTENDING' }], 'input.responses.0.eventId'], // not invited (though RSVP is on there)
      [[{ eventId: w.eventIds[2], status: 'ATTENDING' }], 'input.responses.0.eventId'], // RSVP off there
      [[{ eventId: globalId('Event', '00000000-0000-7000-8000-000000000000'), status: 'ATTENDING' }], 'input.responses.0.eventId'],
      [[{ eventId: w.eventIds[0], status: 'ATTENDING', participantIds: [stranger] }], 'input.responses.0.participantIds'], // another household's person
      [[{ eventId: w.eventIds[0], status: 'ATTENDING', participantIds: [a, a] }], 'input.responses.0.participantIds'],
      [[{ eventId: w.eventIds[0], status: 'ATTENDING', plusOnes: ['Nobody Allowed'] }], 'input.responses.0.plusOnes'],
      [[{ eventId: w.eventIds[0], status: 'DECLINED', participantIds: [a] }], 'input.responses.0.participantIds'],
      [[{ eventId: w.eventIds[0], status: 'PENDING' }], 'input.responses.0.status'],
      [
        [
          {
            eventId: w.eventIds[0],
            status: 'ATTENDING',
            answers: [{ fieldId: globalId('FormField', '00000000-0000-7000-8000-000000000000'), value: 'x' }],
          },
        ],
        'input.responses.0.answers',
      ],
      [
        [
          { eventId: w.eventIds[0], status: 'ATTENDING' },
          { eventId: w.eventIds[0], status: 'DECLINED' },
        ],
        'input.responses.1.eventId',
      ],
    ];
    for (const [responses, path] of cases) {
      const r = await submit(h.token, responses);
      expect(r.body.errors, JSON.stringify(responses)).toBeUndefined();
      expect(r.body.data.submitRsvp, JSON.stringify(responses)).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED' });
      expect(r.body.data.submitRsvp.fields.map((f: { path: string }) => f.path)).toContain(path);
    }
    // a status outside the enum is refused by GraphQL itself
    const badEnum = await submit(h.token, [{ eventId: w.eventIds[0], status: 'MAYBE' }]);
    expect(errorCode(badEnum)).toBe('BAD_USER_INPUT');
    await watch.expectUnchanged();
    expect(
      (await guest(other.token)).body.data.guestInvitation.events.every((e: { response: { status: string } }) => e.response.status === 'PENDING'),
    ).toBe(true);
  });
});

describe('a guest and another occasion', () => {
  it('ids of another occasion are simply not on the invitation: a typed refusal, nothing written there, nothing of it shown', async () => {
    const a = await rsvpWorld();
    const b = await rsvpWorld();
    const ha = await invite(a, a.households[0]!.id, [0]);
    await invite(b, b.households[0]!.id, [0]);
    const watchB = await watchOccasion(s, b.occasionId);
    const r1 = await submit(ha.token, [{ eventId: b.eventIds[0], status: 'ATTENDING' }]);
    expect(r1.body.data.submitRsvp).toMatchObject({ __typename: 'ValidationError', fields: [{ path: 'input.responses.0.eventId' }] });
    const r2 = await submit(ha.token, [{ eventId: a.eventIds[0], status: 'ATTENDING', participantIds: [b.households[0]!.memberIds[0]] }]);
    expect(r2.body.data.submitRsvp).toMatchObject({ __typename: 'ValidationError', fields: [{ path: 'input.responses.0.participantIds' }] });
    await watchB.expectUnchanged();
    expect(JSON.stringify([r1.body, r2.body])).not.toContain(rawId(b.eventIds[0]!));
  });
});

describe('deadlines and overrides', () => {
  it('after the deadline the guest gets RsvpClosedError; a planner override still works, with history and rsvp.overridden', async () => {
    const w = await rsvpWorld();
    await must(s, w.owner.token, ENABLE, {
      i: { eventId: w.eventIds[0], moduleKey: 'rsvp', config: { deadline: new Date(Date.now() - 60_000).toISOString() } },
    });
    const h = await invite(w, w.households[0]!.id, [0, 1]);
    const watch = await watchOccasion(s, w.occasionId);

    const v = (await guest(h.token)).body.data.guestInvitation;
    expect(v.events.map((e: { open: boolean }) => e.open)).toEqual([false, true]);
    const r = await submit(h.token, [
      { eventId: w.eventIds[0], status: 'ATTENDING' },
      { eventId: w.eventIds[1], status: 'ATTENDING' },
    ]);
    expect(r.body.data.submitRsvp).toMatchObject({ __typename: 'RsvpClosedError', code: 'RSVP_CLOSED', eventIds: [w.eventIds[0]] });
    await watch.expectUnchanged();

    const o = await s.gql(
      OVERRIDE,
      {
        i: {
          invitationId: h.invitationId,
          reason: 'Phoned the planner',
          responses: [{ eventId: w.eventIds[0], status: 'ATTENDING', participantIds: [w.households[0]!.memberIds[0]] }],
        },
      },
      { token: w.owner.token },
    );
    expect(o.body.data.overrideRsvpResponses.__typename).toBe('OverrideRsvpResponsesPayload');
    expect((await watch.outbox()).map((x) => x.type)).toEqual(['rsvp.overridden']);
    const node = (await must(s, w.owner.token, RESPONSES, { id: w.eventIds[0] })).event.rsvpResponses.edges[0].node;
    expect(node).toMatchObject({
      status: 'ATTENDING',
      headcount: 1,
      source: 'PLANNER_OVERRIDE',
      history: [{ fromStatus: 'PENDING', toStatus: 'ATTENDING', source: 'PLANNER_OVERRIDE', reason: 'Phoned the planner' }],
    });
  });
});

describe('who sees RSVP', () => {
  const roles = ['co_planner', 'helper', 'vendor', 'viewer'] as const;

  it('planners see responses; helpers, vendors and viewers do not; a planner of another occasion gets NOT_FOUND', async () => {
    const w = await rsvpWorld({ co_planner: undefined, helper: undefined, vendor: [0], viewer: undefined });
    await invite(w, w.households[0]!.id, [0]);
    const outcome = async (token: string) => {
      const r = await s.gql(RESPONSES, { id: w.eventIds[0] }, { token });
      return r.body.errors ? errorCode(r) : r.body.data.event.rsvpResponses.totalCount;
    };
    const got = Object.fromEntries(await Promise.all(roles.map(async (role) => [role, await outcome(w.people[role]!.token)])));
    expect(got).toEqual({ co_planner: 1, helper: 'FORBIDDEN', vendor: 'FORBIDDEN', viewer: 'FORBIDDEN' });
    const other = await buildWorld(s, { events: 1, households: [] });
    expect(await outcome(other.owner.token)).toBe('NOT_FOUND');
  });

  it('an rsvp_viewer grant on one event opens that event only; rsvp:manage and rsvp:override are separate', async () => {
    const w = await rsvpWorld({ helper: undefined });
    const h = await invite(w, w.households[0]!.id, [0, 1]);
    const helper = w.people.helper as TestUser & { actorId: string };
    const en = await s.app.db.prisma.moduleEnablement.findFirstOrThrow({ where: { eventId: rawId(w.eventIds[0]!) } });
    const GRANT = `mutation($i: GrantAccessInput!) { grantAccess(input: $i) { __typename } }`;
    await must(s, w.owner.token, GRANT, {
      i: {
        occasionId: w.occasionId,
        subjectId: helper.actorId,
        role: 'rsvp_viewer',
        scope: { type: 'MODULE_ENABLEMENT', enablementId: globalId('ModuleEnablement', en.id) },
      },
    });
    expect((await s.gql(RESPONSES, { id: w.eventIds[0] }, { token: helper.token })).body.data.event.rsvpResponses.totalCount).toBe(1);
    expect(errorCode(await s.gql(RESPONSES, { id: w.eventIds[1] }, { token: helper.token }))).toBe('FORBIDDEN');
    const o = await s.gql(
      OVERRIDE,
      { i: { invitationId: h.invitationId, reason: 'x', responses: [{ eventId: w.eventIds[0], status: 'DECLINED' }] } },
      { token: helper.token },
    );
    expect(errorCode(o)).toBe('FORBIDDEN');
    const c = await s.gql(
      CREATE_INVITATION,
      { i: { occasionId: w.occasionId, unitId: w.households[1]!.id, eventIds: [w.eventIds[0]] } },
      { token: helper.token },
    );
    expect(errorCode(c)).toBe('FORBIDDEN');
  });
});

describe('responses list', () => {
  it('filters by status, pending-only and tag, with totalCount', async () => {
    const w = await buildWorld(s, { events: 1, households: [1, 1, 1], tags: ['bride', 'groom'], modules: { rsvp: [0] } });
    const hs = await Promise.all(w.households.map((h) => invite(w, h.id, [0])));
    await submit(hs[0]!.token, [{ eventId: w.eventIds[0], status: 'ATTENDING' }]);
    await submit(hs[1]!.token, [{ eventId: w.eventIds[0], status: 'DECLINED' }]);
    const count = async (filter: object) => (await must(s, w.owner.token, RESPONSES, { id: w.eventIds[0], filter })).event.rsvpResponses.totalCount;
    expect(await count({})).toBe(3);
    expect(await count({ statuses: ['ATTENDING'] })).toBe(1);
    expect(await count({ pendingOnly: true })).toBe(1);
    // households are tagged round-robin: 1 → bride, 2 → groom, 3 → bride
    expect(await count({ tagIds: [w.tagIds[0]] })).toBe(2);
    expect(await count({ tagIds: [w.tagIds[0]], statuses: ['DECLINED'] })).toBe(0);
  });

  it('a page of responses with participants and units costs a fixed number of statements', async () => {
    const w = await buildWorld(s, { events: 1, households: [2, 2, 2, 2, 2, 2], modules: { rsvp: [0] } });
    await must(s, w.owner.token, BULK, { i: { occasionId: w.occasionId, eventIds: w.eventIds } });
    const statements = async (first: number) => {
      await quiet();
      const before = s.app.db.statements.count;
      const r = await s.gql(
        `query($id: ID!, $first: Int) { event(id: $id) { rsvpSummary { invited } rsvpResponses(first: $first) { totalCount edges { node { status unit { displayName } participants { displayName } } } } } }`,
        { id: w.eventIds[0], first },
        { token: w.owner.token },
      );
      expect(r.body.errors).toBeUndefined();
      return s.app.db.statements.count - before;
    };
    const two = await statements(2);
    const six = await statements(6);
    expect(six).toBe(two);
    expect(six).toBeLessThanOrEqual(12);
  });
});

describe('co-planner and collaborators', () => {
  it('a co-planner can invite and override (both in their role); nothing is leaked to a vendor through the guest link API', async () => {
    const w = await rsvpWorld();
    const co = await addCollaborator(s, w.owner, w.occasionId, 'co_planner');
    const r = await s.gql(
      CREATE_INVITATION,
      { i: { occasionId: w.occasionId, unitId: w.households[0]!.id, eventIds: [w.eventIds[0]] } },
      { token: co.token },
    );
    expect(r.body.data.createRsvpInvitation.__typename).toBe('CreateRsvpInvitationPayload');
    const vendor = await addCollaborator(s, w.owner, w.occasionId, 'vendor', [w.eventIds[0]!]);
    const list = await s.gql(
      `query($id: ID!) { occasion(id: $id) { guestAccesses(first: 5) { totalCount } } }`,
      { id: w.occasionId },
      { token: vendor.token },
    );
    expect(errorCode(list)).toBe('FORBIDDEN');
  });
});

describe('linked forms', () => {
  const INSTALL = `mutation($i: InstallModuleInput!) { installModule(input: $i) { __typename } }`;
  const UPDATE_FIELD = `mutation($i: UpdateFormFieldInput!) { updateFormField(input: $i) { __typename ... on Error { code message } } }`;

  /** RSVP on events 1–2; event 1 asks each attending person for a meal (required) and dietary needs. */
  async function formWorld() {
    const w = await rsvpWorld();
    await must(s, w.owner.token, INSTALL, { i: { occasionId: w.occasionId, moduleKey: 'forms' } });
    const mk = (title: string) => createDinnerForm(s, w.owner.token, w.occasionId, { dietary: true, title });
    const form = await mk('Dinner');
    const other = await mk('Brunch');
    await must(s, w.owner.token, ENABLE, { i: { eventId: w.eventIds[0], moduleKey: 'rsvp', config: { linkedFormId: rawId(form.id) } } });
    const h = await invite(w, w.households[0]!.id, [0, 1]);
    const field = (f: { fields: { id: string; key: string }[] }, key: string) => f.fields.find((x) => x.key === key)!.id;
    return { w, h, form, other, field };
  }

  it('the guest sees the questions inline and answers them with the RSVP; the summary counts answers of attending people', async () => {
    const { w, h, form, field } = await formWorld();
    const [a, b] = w.households[0]!.memberIds;
    const v = (await guest(h.token)).body.data.guestInvitation;
    expect(v.events[0].questions.map((q: { key: string }) => q.key)).toEqual(['meal', 'dietary']);
    expect(v.events[1].questions).toEqual([]);

    const r = await submit(h.token, [
      {
        eventId: w.eventIds[0],
        status: 'ATTENDING',
        participantIds: [a, b],
        answers: [
          { fieldId: field(form, 'meal'), actorId: a, value: 'fish' },
          { fieldId: field(form, 'meal'), actorId: b, value: 'vegan' },
          { fieldId: field(form, 'dietary'), actorId: b, value: ['gluten_free', 'nuts'] },
        ],
      },
      { eventId: w.eventIds[1], status: 'ATTENDING' },
    ]);
    expect(r.body.data.submitRsvp.__typename).toBe('SubmitRsvpPayload');
    const sum = await summary(w, 0);
    expect(sum.answers).toEqual(
      expect.arrayContaining([
        { fieldKey: 'meal', value: 'fish', count: 1 },
        { fieldKey: 'meal', value: 'vegan', count: 1 },
        { fieldKey: 'dietary', value: 'gluten_free', count: 1 },
        { fieldKey: 'dietary', value: 'nuts', count: 1 },
      ]),
    );
    const saved = (await guest(h.token)).body.data.guestInvitation.events[0].response.answers;
    expect(saved).toHaveLength(3);

    // declining later takes their answers out of the counts (kept, not deleted)
    await submit(h.token, [{ eventId: w.eventIds[0], status: 'DECLINED' }]);
    expect((await summary(w, 0)).answers).toEqual([]);
  });

  it('a plus-one named in the same answer answers a per-person form by name (no id yet); a name not among the plus-ones is refused', async () => {
    const { w, form, field } = await formWorld();
    const h = await invite(w, w.households[1]!.id, [0], { plusOnesAllowed: 1 });
    const [a] = w.households[1]!.memberIds;
    const base = { eventId: w.eventIds[0], status: 'ATTENDING', participantIds: [a], plusOnes: ['Dana Cohen'] };
    const wrong = await submit(h.token, [
      {
        ...base,
        answers: [
          { fieldId: field(form, 'meal'), actorId: a, value: 'fish' },
          { fieldId: field(form, 'meal'), plusOne: 'Someone Else', value: 'vegan' },
        ],
      },
    ]);
    expect(wrong.body.data.submitRsvp).toMatchObject({ __typename: 'ValidationError' });
    expect(await s.app.db.prisma.actor.count({ where: { occasionId: rawId(w.occasionId), displayName: 'Dana Cohen' } })).toBe(0);
    const r = await submit(h.token, [
      {
        ...base,
        answers: [
          { fieldId: field(form, 'meal'), actorId: a, value: 'fish' },
          { fieldId: field(form, 'meal'), plusOne: 'dana cohen', value: 'vegan' },
        ],
      },
    ]);
    expect(r.body.data.submitRsvp.__typename).toBe('SubmitRsvpPayload');
    const dana = r.body.data.submitRsvp.invitation.people.find((p: { displayName: string }) => p.displayName === 'Dana Cohen');
    const saved = (await guest(h.token)).body.data.guestInvitation.events[0].response.answers;
    expect(saved).toContainEqual({ questionId: field(form, 'meal'), actorId: dana.id, value: 'vegan' });
  });

  it('refuses a missing required answer, another form’s question, a wrong choice and a non-participant — nothing written', async () => {
    const { w, h, form, other, field } = await formWorld();
    const [a, b] = w.households[0]!.memberIds;
    const watch = await watchOccasion(s, w.occasionId);
    const attempt = async (answers: unknown[]) =>
      (await submit(h.token, [{ eventId: w.eventIds[0], status: 'ATTENDING', participantIds: [a], answers }])).body.data.submitRsvp;
    expect(await attempt([])).toMatchObject({ __typename: 'ValidationError' });
    expect(await attempt([{ fieldId: field(other, 'meal'), actorId: a, value: 'fish' }])).toMatchObject({ __typename: 'ValidationError' });
    expect(await attempt([{ fieldId: field(form, 'meal'), actorId: a, value: 'pizza' }])).toMatchObject({ __typename: 'ValidationError' });
    expect(await attempt([{ fieldId: field(form, 'meal'), actorId: b, value: 'fish' }])).toMatchObject({ __typename: 'ValidationError' });
    await watch.expectUnchanged();
  });

  it('editing a question later keeps earlier answers on the version they answered', async () => {
    const { w, h, form, field } = await formWorld();
    const [a] = w.households[0]!.memberIds;
    await submit(h.token, [
      { eventId: w.eventIds[0], status: 'ATTENDING', participantIds: [a], answers: [{ fieldId: field(form, 'meal'), actorId: a, value: 'fish' }] },
    ]);
    const r = await must(s, w.owner.token, UPDATE_FIELD, {
      i: { id: field(form, 'meal'), label: 'Main course (new menu)', options: [{ value: 'beef', label: 'Beef' }] },
    });
    expect(r.updateFormField.__typename).toBe('FormFieldPayload');
    // the old answer still points at version 1 and still counts
    const answer = (await guest(h.token)).body.data.guestInvitation.events[0].response.answers[0];
    expect(answer.questionId).toBe(field(form, 'meal'));
    expect((await summary(w, 0)).answers).toEqual([{ fieldKey: 'meal', value: 'fish', count: 1 }]);
    // and the guest now sees (and must answer) the new version
    const q = (await guest(h.token)).body.data.guestInvitation.events[0].questions.find((x: { key: string }) => x.key === 'meal');
    expect(q.id).not.toBe(field(form, 'meal'));
    expect(q.options).toEqual([{ value: 'beef' }]);
  });
});

describe('invitation units and their changes', () => {
  const UPDATE = `mutation($i: UpdateRsvpInvitationInput!) { updateRsvpInvitation(input: $i) { __typename
    ... on RsvpInvitationPayload { invitation { invitedEventIds plusOnesAllowed responses { event { id } status } } } ... on Error { code message } } }`;
  const DELETE = `mutation($i: DeleteRsvpInvitationInput!) { deleteRsvpInvitation(input: $i) { deletedId } }`;

  it('a group’s controller answers for its people and the people of its households; children are counted', async () => {
    const w = await rsvpWorld();
    const family = (
      await must(s, w.owner.token, CREATE_ACTOR, {
        i: {
          occasionId: w.occasionId,
          kind: 'HOUSEHOLD',
          displayName: 'The Kids',
          newMembers: [
            { displayName: 'Parent', role: 'HEAD' },
            { displayName: 'Kid', role: 'CHILD' },
          ],
        },
      })
    ).createActor.actor;
    const group = (
      await must(s, w.owner.token, CREATE_ACTOR, {
        i: { occasionId: w.occasionId, kind: 'GROUP', displayName: 'Choir', newMembers: [{ displayName: 'Singer' }] },
      })
    ).createActor.actor;
    await must(s, w.owner.token, `mutation($i: AddMembershipInput!) { addMembership(input: $i) { __typename } }`, {
      i: { groupId: group.id, memberId: family.id },
    });
    const h = await invite(w, group.id, [0]);
    const v = (await guest(h.token)).body.data.guestInvitation;
    expect(v.responseScope).toBe('GROUP');
    expect(v.people.map((p: { displayName: string; role: string }) => `${p.displayName}:${p.role}`).sort()).toEqual([
      'Kid:CHILD',
      'Parent:HEAD',
      'Singer:MEMBER',
    ]);
    await submit(h.token, [{ eventId: w.eventIds[0], status: 'ATTENDING' }]);
    expect(await summary(w, 0)).toMatchObject({ attending: 1, headcount: 3, children: 1, plusOnes: 0 });
  });

  it('changing the invited events adds pending responses and withdraws removed ones; deleting removes the invitation and its responses', async () => {
    const w = await rsvpWorld();
    const h = await invite(w, w.households[0]!.id, [0]);
    await submit(h.token, [{ eventId: w.eventIds[0], status: 'ATTENDING' }]);
    const watch = await watchOccasion(s, w.occasionId);
    const r = await must(s, w.owner.token, UPDATE, { i: { id: h.invitationId, eventIds: [w.eventIds[1]], plusOnesAllowed: 2 } });
    expect(r.updateRsvpInvitation.invitation).toMatchObject({
      invitedEventIds: [w.eventIds[1]],
      plusOnesAllowed: 2,
      responses: [{ event: { id: w.eventIds[1] }, status: 'PENDING' }],
    });
    expect((await watch.outbox()).map((o) => o.type)).toEqual(['rsvp_invitation.updated']);
    expect(await summary(w, 0)).toMatchObject({ invited: 0, attending: 0 });
    expect((await guest(h.token)).body.data.guestInvitation.events.map((e: { id: string }) => e.id)).toEqual([w.eventIds[1]]);

    const d = await must(s, w.owner.token, DELETE, { i: { id: h.invitationId } });
    expect(d.deleteRsvpInvitation.deletedId).toBe(h.invitationId);
    expect(await summary(w, 1)).toMatchObject({ invited: 0 });
    // the guest's link still opens but finds no invitation
    expect(errorCode(await guest(h.token))).toBe('NOT_FOUND');
  });

  it('refuses a primary actor from outside the unit and a scope that does not fit the unit', async () => {
    const w = await rsvpWorld();
    const outsider = w.households[1]!.memberIds[0];
    const r1 = await s.gql(
      CREATE_INVITATION,
      { i: { occasionId: w.occasionId, unitId: w.households[0]!.id, primaryActorId: outsider, eventIds: [w.eventIds[0]] } },
      { token: w.owner.token },
    );
    expect(r1.body.data.createRsvpInvitation).toMatchObject({ __typename: 'ValidationError', fields: [{ path: 'input.primaryActorId' }] });
    const r2 = await s.gql(
      CREATE_INVITATION,
      { i: { occasionId: w.occasionId, unitId: w.households[0]!.id, responseScope: 'ACTOR', eventIds: [w.eventIds[0]] } },
      { token: w.owner.token },
    );
    expect(r2.body.data.createRsvpInvitation).toMatchObject({ __typename: 'ValidationError', fields: [{ path: 'input.responseScope' }] });
  });
});

describe('answers that must stay consistent (review findings)', () => {
  it('concurrent answers of one invitation are serialised: the plus-one allowance holds and history has one row per real change', async () => {
    const w = await rsvpWorld();
    const h = await invite(w, w.households[0]!.id, [0], { plusOnesAllowed: 1 });
    const results = await Promise.all(
      ['Ann', 'Bob', 'Cat', 'Dov'].map((name) => submit(h.token, [{ eventId: w.eventIds[0], status: 'ATTENDING', plusOnes: [name] }])),
    );
    const kinds = results.map((r) => r.body.data.submitRsvp.__typename).sort();
    expect(kinds).toEqual(['SubmitRsvpPayload', 'ValidationError', 'ValidationError', 'ValidationError']);
    expect(await s.app.db.prisma.relationship.count({ where: { fromActorId: rawId(h.unitId), kind: 'plus_one' } })).toBe(1);
    const changes = await s.app.db.prisma.rsvpResponseChange.findMany({ where: { occasionId: rawId(w.occasionId) } });
    expect(changes.map((c) => `${c.fromStatus}→${c.toStatus}`)).toEqual(['PENDING→ATTENDING']);
  });

  it('lowering the plus-one allowance below the named plus-ones never locks the guest out', async () => {
    const w = await rsvpWorld();
    const h = await invite(w, w.households[0]!.id, [0], { plusOnesAllowed: 1 });
    await submit(h.token, [{ eventId: w.eventIds[0], status: 'ATTENDING', plusOnes: ['Sam'] }]);
    await must(s, w.owner.token, `mutation($i: UpdateRsvpInvitationInput!) { updateRsvpInvitation(input: $i) { __typename } }`, {
      i: { id: h.invitationId, plusOnesAllowed: 0 },
    });
    const r = await submit(h.token, [{ eventId: w.eventIds[0], status: 'DECLINED' }]);
    expect(r.body.data.submitRsvp.__typename).toBe('SubmitRsvpPayload');
    const again = await submit(h.token, [{ eventId: w.eventIds[0], status: 'ATTENDING', plusOnes: ['Sam'] }]);
    expect(again.body.data.submitRsvp.__typename).toBe('SubmitRsvpPayload');
  });

  it('an event-scoped overrider gets back the responses they changed; the guest’s note is never a planner’s', async () => {
    const w = await rsvpWorld({ helper: undefined });
    const h = await invite(w, w.households[0]!.id, [0, 1]);
    await submit(h.token, [{ eventId: w.eventIds[0], status: 'ATTENDING', notes: 'We may be late' }]);
    const en = await s.app.db.prisma.moduleEnablement.findFirstOrThrow({ where: { eventId: rawId(w.eventIds[0]!) } });
    await must(s, w.owner.token, `mutation($i: GrantAccessInput!) { grantAccess(input: $i) { __typename } }`, {
      i: {
        occasionId: w.occasionId,
        subjectId: w.people.helper!.actorId,
        role: 'rsvp_manager',
        scope: { type: 'MODULE_ENABLEMENT', enablementId: globalId('ModuleEnablement', en.id) },
      },
    });
    const o = await s.gql(
      OVERRIDE,
      { i: { invitationId: h.invitationId, reason: 'Called', responses: [{ eventId: w.eventIds[0], status: 'DECLINED' }] } },
      { token: w.people.helper!.token },
    );
    expect(o.body.errors).toBeUndefined();
    expect(o.body.data.overrideRsvpResponses).toMatchObject({ __typename: 'OverrideRsvpResponsesPayload', responses: [{ status: 'DECLINED' }] });
    // the other event stays out of reach
    const other = await s.gql(
      OVERRIDE,
      { i: { invitationId: h.invitationId, reason: 'x', responses: [{ eventId: w.eventIds[1], status: 'DECLINED' }] } },
      { token: w.people.helper!.token },
    );
    expect(errorCode(other)).toBe('FORBIDDEN');
    // overrides carry no note field: the guest still reads their own words
    const notes = (await guest(h.token)).body.data.guestInvitation.events[0].response.notes;
    expect(notes).toBe('We may be late');
  });

  it('a global id whose key is not a uuid is bad input, not a server error', async () => {
    const w = await rsvpWorld();
    const badTag = Buffer.from('Tag:abc').toString('base64url');
    const r = await s.gql(RESPONSES, { id: w.eventIds[0], filter: { tagIds: [badTag] } }, { token: w.owner.token });
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
  });
});

describe('linked-form answers stay consistent', () => {
  const INSTALL = `mutation($i: InstallModuleInput!) { installModule(input: $i) { __typename } }`;

  it('counts follow the people attending and the saved answers; answers left out are kept; an answer-only change is an update', async () => {
    const w = await rsvpWorld();
    await must(s, w.owner.token, INSTALL, { i: { occasionId: w.occasionId, moduleKey: 'forms' } });
    const form = await createDinnerForm(s, w.owner.token, w.occasionId, { required: false });
    const meal = form.fields[0]!.id;
    await must(s, w.owner.token, ENABLE, { i: { eventId: w.eventIds[0], moduleKey: 'rsvp', config: { linkedFormId: form.id } } });
    const h = await invite(w, w.households[0]!.id, [0]);
    const [a, b] = w.households[0]!.memberIds;
    await submit(h.token, [
      {
        eventId: w.eventIds[0],
        status: 'ATTENDING',
        participantIds: [a, b],
        answers: [
          { fieldId: meal, actorId: a, value: 'fish' },
          { fieldId: meal, actorId: b, value: 'fish' },
        ],
      },
    ]);
    expect((await summary(w, 0)).answers).toEqual([{ fieldKey: 'meal', value: 'fish', count: 2 }]);

    // a planner takes b off without touching answers: b's answer no longer counts
    await must(s, w.owner.token, OVERRIDE, {
      i: { invitationId: h.invitationId, reason: 'b cannot come', responses: [{ eventId: w.eventIds[0], status: 'ATTENDING', participantIds: [a] }] },
    });
    expect(await summary(w, 0)).toMatchObject({ headcount: 1, answers: [{ fieldKey: 'meal', value: 'fish', count: 1 }] });

    // the guest re-confirms without answers: a's answer is kept
    const watch = await watchOccasion(s, w.occasionId);
    await submit(h.token, [{ eventId: w.eventIds[0], status: 'ATTENDING', participantIds: [a] }]);
    expect((await summary(w, 0)).answers).toEqual([{ fieldKey: 'meal', value: 'fish', count: 1 }]);
    // and changing only the meal is an update subscribers hear about
    await submit(h.token, [
      { eventId: w.eventIds[0], status: 'ATTENDING', participantIds: [a], answers: [{ fieldId: meal, actorId: a, value: 'vegan' }] },
    ]);
    expect((await summary(w, 0)).answers).toEqual([{ fieldKey: 'meal', value: 'vegan', count: 1 }]);
    expect((await watch.outbox()).map((o) => o.type)).toEqual(['rsvp.updated']);
  });
});

describe('answers follow the guest list', () => {
  const DELETE_ACTOR = `mutation($i: DeleteActorInput!) { deleteActor(input: $i) { __typename } }`;
  const UPDATE_MEMBERSHIP = `mutation($i: UpdateMembershipInput!) { updateMembership(input: $i) { __typename } }`;

  it('deleting an attending person takes them out of the answer and the counts, with history and rsvp.updated', async () => {
    const w = await rsvpWorld();
    const h = await invite(w, w.households[1]!.id, [0]);
    const [a, b, c] = w.households[1]!.memberIds;
    await submit(h.token, [{ eventId: w.eventIds[0], status: 'ATTENDING', participantIds: [a, b, c] }]);
    const watch = await watchOccasion(s, w.occasionId);
    await must(s, w.owner.token, DELETE_ACTOR, { i: { id: c } });
    expect(await summary(w, 0)).toMatchObject({ attending: 1, headcount: 2 });
    const node = (await must(s, w.owner.token, RESPONSES, { id: w.eventIds[0] })).event.rsvpResponses.edges[0].node;
    expect(node.participants.map((p: { id: string }) => p.id)).toEqual([a, b]);
    expect(node.history.at(-1)).toMatchObject({ fromStatus: 'ATTENDING', toStatus: 'ATTENDING', reason: 'The guest list changed.' });
    expect((await watch.outbox()).map((o) => o.type)).toEqual(['actor.deleted', 'rsvp.updated']);
  });

  it('deleting the invitation’s primary person hands the invitation to the next person; deleting the last one withdraws it visibly', async () => {
    const w = await rsvpWorld();
    const h = await invite(w, w.households[0]!.id, [0]);
    const [head, other] = w.households[0]!.memberIds;
    await submit(h.token, [{ eventId: w.eventIds[0], status: 'ATTENDING' }]);
    await must(s, w.owner.token, DELETE_ACTOR, { i: { id: head } });
    const inv = await s.app.db.prisma.rsvpInvitation.findUniqueOrThrow({ where: { id: rawId(h.invitationId) } });
    expect(inv.primaryActorId).toBe(rawId(other!));
    expect(await summary(w, 0)).toMatchObject({ invited: 1, attending: 1, headcount: 1 });
    expect((await guest(h.token)).body.data.guestInvitation.people.map((p: { id: string }) => p.id)).toEqual([other]);

    const watch = await watchOccasion(s, w.occasionId);
    await must(s, w.owner.token, DELETE_ACTOR, { i: { id: other } });
    expect(await summary(w, 0)).toMatchObject({ invited: 0 });
    expect((await watch.outbox()).map((o) => o.type)).toEqual(['actor.deleted', 'rsvp_invitation.deleted']);
  });

  it('a role change (member → child) is counted at once', async () => {
    const w = await rsvpWorld();
    const h = await invite(w, w.households[1]!.id, [0]);
    await submit(h.token, [{ eventId: w.eventIds[0], status: 'ATTENDING' }]);
    expect(await summary(w, 0)).toMatchObject({ headcount: 3, children: 0 });
    const m = await s.app.db.prisma.membership.findFirstOrThrow({ where: { memberActorId: rawId(w.households[1]!.memberIds[2]!) } });
    await must(s, w.owner.token, UPDATE_MEMBERSHIP, { i: { id: globalId('Membership', m.id), role: 'CHILD' } });
    expect(await summary(w, 0)).toMatchObject({ headcount: 3, children: 1 });
  });
});

describe('the documented operations (docs/operations, typed by codegen)', () => {
  it('the guest page and the planner summary work as the SPA sends them', async () => {
    const w = await rsvpWorld();
    const h = await invite(w, w.households[0]!.id, [0, 1]);
    const page = await must(s, h.token, GuestInvitationDocument);
    expect(page.guestInvitation.events).toHaveLength(2);
    const sent = await must(s, h.token, SubmitRsvpDocument, {
      input: { responses: page.guestInvitation.events.map((e) => ({ eventId: e.id, status: 'ATTENDING' as const })) },
    });
    expect(sent.submitRsvp.__typename).toBe('SubmitRsvpPayload');
    const sum = await must(s, w.owner.token, RsvpEventSummaryDocument, { eventId: w.eventIds[0]! });
    expect(sum.event.rsvpSummary).toMatchObject({ invited: 1, attending: 1, headcount: 2 });
  });
});

describe('guest links for a whole guest list', () => {
  const LINKS = `mutation($i: IssueRsvpGuestLinksInput!) { issueRsvpGuestLinks(input: $i) { __typename
    ... on IssueRsvpGuestLinksPayload { links { invitationId unitId unitName token link } } } }`;

  it('issues one working link per invited unit that has none; running it again issues none', async () => {
    const w = await buildWorld(s, { events: 1, households: [1, 2, 3], modules: { rsvp: [0] } });
    const withLink = await invite(w, w.households[0]!.id, [0]);
    await must(s, w.owner.token, BULK, { i: { occasionId: w.occasionId, eventIds: w.eventIds } });
    const watch = await watchOccasion(s, w.occasionId);
    const first = (await must(s, w.owner.token, LINKS, { i: { occasionId: w.occasionId } })).issueRsvpGuestLinks.links;
    expect(first.map((l: { unitId: string }) => l.unitId).sort()).toEqual([w.households[1]!.id, w.households[2]!.id].sort());
    for (const l of first) {
      expect(l.link).toContain(l.token);
      const v = (await guest(l.token)).body.data.guestInvitation;
      expect(v.unitName).toBe(l.unitName);
    }
    expect((await watch.outbox()).map((o) => o.type)).toEqual(['guest_access.issued', 'guest_access.issued']);
    expect((await must(s, w.owner.token, LINKS, { i: { occasionId: w.occasionId } })).issueRsvpGuestLinks.links).toEqual([]);
    // the link issued with the first invitation still works
    expect((await guest(withLink.token)).body.data.guestInvitation.unitName).toBe('Household 1');
  });

  it('needs guest:invite', async () => {
    const w = await rsvpWorld({ viewer: undefined });
    await invite(w, w.households[0]!.id, [0], { issueGuestLink: false });
    expect(errorCode(await s.gql(LINKS, { i: { occasionId: w.occasionId } }, { token: w.people.viewer!.token }))).toBe('FORBIDDEN');
  });
});
