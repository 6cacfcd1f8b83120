import { beforeAll, describe, expect, it } from 'vitest';
import { actionRegistry } from '../../../src/modules/registry.js';
import { addCollaborator, buildWorld, must, signUpUser, type World } from '../../support/factories.js';
import { errorCode, type GqlResult, startServer } from '../../support/harness.js';
import { globalId, rawId, watchOccasion } from '../../support/rows.js';

/**
 * The permission model end to end, over real HTTP: roles, event-limited
 * collaborators, granting and revoking, expiry, explanations, team grants and
 * module scopes. Every test builds its own occasion.
 */

const s = await startServer();

// ─── Operations ───────────────────────────────────────────────────────────────

const OCCASION = `query($id: ID!) { occasion(id: $id) { id name myActions } }`;
const OCCASION_EVENTS = `query($id: ID!) { occasion(id: $id) { events(first: 20) { totalCount edges { node { id name } } } } }`;
const EVENT = `query($id: ID!) { event(id: $id) { id name } }`;
const EVENT_RSVP = `query($id: ID!) { event(id: $id) { id rsvp { config } } }`;
const ACTOR = `query($id: ID!) { actor(id: $id) { id displayName } }`;
const ACTOR_EMAIL = `query($id: ID!) { actor(id: $id) { id email } }`;
const GRANTS = `query($id: ID!, $filter: GrantFilter) { grants(occasionId: $id, first: 50, filter: $filter) { totalCount edges { node { id role actions isLive expiresAt revokedAt subject { id } scope { type eventId } } } } }`;
const AUDIT = `query($id: ID!) { auditLog(occasionId: $id, first: 1) { totalCount } }`;
const EXPLAIN = `query($subjectId: ID!, $action: String!, $target: AccessTargetInput!) {
  explainAccess(subjectId: $subjectId, action: $action, target: $target) { allowed action reason detail grant { id role subject { id } scope { type } } }
}`;
const CREATE_EVENT = `mutation($i: CreateEventInput!) { createEvent(input: $i) { __typename ... on EventPayload { event { id } } ... on Error { code message } } }`;
const UPDATE_EVENT = `mutation($i: UpdateEventInput!) { updateEvent(input: $i) { __typename ... on EventPayload { event { id name } } ... on Error { code message } } }`;
const UPDATE_ACTOR = `mutation($i: UpdateActorInput!) { updateActor(input: $i) { __typename ... on ActorPayload { actor { id displayName } } ... on Error { code message } } }`;
const CREATE_ACTOR = `mutation($i: CreateActorInput!) { createActor(input: $i) { __typename ... on ActorPayload { actor { id } } ... on Error { code message } } }`;
const ADD_MEMBERSHIP = `mutation($i: AddMembershipInput!) { addMembership(input: $i) { __typename ... on MembershipPayload { membership { id } } ... on Error { code message } } }`;
const REMOVE_MEMBERSHIP = `mutation($i: RemoveMembershipInput!) { removeMembership(input: $i) { deletedId } }`;
const INSTALL = `mutation($i: InstallModuleInput!) { installModule(input: $i) { __typename ... on ModuleInstallationPayload { installation { id } } ... on Error { code message } } }`;
const CONFIGURE = `mutation($i: ConfigureModuleInput!) { configureModule(input: $i) { __typename ... on ModuleInstallationPayload { installation { id config } } ... on Error { code message } } }`;
const ENABLE = `mutation($i: EnableModuleInput!) { enableModule(input: $i) { __typename ... on ModuleEnablementPayload { enablement { id } } ... on Error { code message } } }`;
const INVITE = `mutation($i: InviteCollaboratorInput!) { inviteCollaborator(input: $i) { __typename ... on InviteCollaboratorPayload { invitation { id role } } ... on Error { code message } } }`;
const DELETE_OCCASION = `mutation($i: DeleteOccasionInput!) { deleteOccasion(input: $i) { deletedId } }`;
const GRANT = `mutation($i: GrantAccessInput!) {
  grantAccess(input: $i) {
    __typename
    ... on GrantPayload { grant { id role actions effectiveActions isLive expiresAt subject { id } scope { type eventId installationId enablementId resourceId } } }
    ... on ValidationError { code message fields { path message } }
    ... on Error { code message }
  }
}`;
const REVOKE = `mutation($i: RevokeAccessInput!) {
  revokeAccess(input: $i) { __typename ... on GrantPayload { grant { id isLive revokedAt } } ... on Error { code message } }
}`;

// ─── Helpers ──────────────────────────────────────────────────────────────────

const ROLES = ['owner', 'planner', 'co_planner', 'helper', 'vendor', 'viewer'] as const;
type Role = (typeof ROLES)[number];
const tokenOf = (w: World, role: Role) => (role === 'owner' ? w.owner.token : w.people[role]!.token);

/**
 * What a caller got, in one word: the thrown error's code, a typed error's
 * code, or the value `pick` reads from the data.
 */
function outcome(r: GqlResult, pick: (data: any) => unknown): unknown {
  if (r.body.errors?.length) return errorCode(r);
  const first = Object.values(r.body.data ?? {})[0] as { __typename?: string; code?: string } | undefined;
  if (first && typeof first === 'object' && first.code) return first.code;
  return pick(r.body.data);
}

async function ownGrantId(w: World, token: string, subjectActorId: string, role?: string): Promise<string> {
  const d = await must(s, token, GRANTS, { id: w.occasionId, filter: { subjectId: subjectActorId, ...(role ? { role } : {}) } });
  const edges = d.grants.edges as { node: { id: string } }[];
  if (edges.length !== 1) throw new Error(`expected one grant of ${subjectActorId}, got ${edges.length}`);
  return edges[0]!.node.id;
}

async function ownerActorId(w: World): Promise<string> {
  const a = await s.app.db.prisma.actor.findFirstOrThrow({ where: { occasionId: rawId(w.occasionId), userId: w.owner.userId } });
  return globalId('Actor', a.id);
}

const rowCounts = async (occasionId: string) => ({
  grants: await s.app.db.prisma.grant.count({ where: { occasionId: rawId(occasionId) } }),
  outbox: await s.app.db.prisma.outboxEvent.count({ where: { occasionId: rawId(occasionId) } }),
});

const sorted = (xs: Iterable<string>) => [...xs].sort();
const roleActions = (role: string) => sorted(actionRegistry.roleActions(role) ?? []);

// ─── Roles ───────────────────────────────────────────────────────────────────

describe('roles: who may read and do what', () => {
  let w: World;
  let installationId: string;
  const people = { planner: undefined, co_planner: undefined, helper: undefined, vendor: [0], viewer: undefined };

  beforeAll(async () => {
    w = await buildWorld(s, { events: 2, households: [2], collaborators: people });
    const inst = await must(s, w.owner.token, INSTALL, { i: { occasionId: w.occasionId, moduleKey: 'rsvp' } });
    installationId = inst.installModule.installation.id;
  });

  /** Runs one operation as every role and returns role → outcome. */
  async function asEveryRole(query: string, vars: () => Record<string, unknown>, pick: (data: any) => unknown) {
    const out: Record<string, unknown> = {};
    for (const role of ROLES) out[role] = outcome(await s.gql(query, vars(), { token: tokenOf(w, role) }), pick);
    return out;
  }

  it('everyone with access reads the occasion; strangers get NOT_FOUND, anonymous UNAUTHENTICATED', async () => {
    expect(
      await asEveryRole(
        OCCASION,
        () => ({ id: w.occasionId }),
        (d) => d.occasion.id === w.occasionId,
      ),
    ).toEqual({
      owner: true,
      planner: true,
      co_planner: true,
      helper: true,
      vendor: true,
      viewer: true,
    });
    const stranger = await signUpUser(s, 'stranger');
    expect(errorCode(await s.gql(OCCASION, { id: w.occasionId }, { token: stranger.token }))).toBe('NOT_FOUND');
    expect(errorCode(await s.gql(OCCASION, { id: w.occasionId }))).toBe('UNAUTHENTICATED');
  });

  it('myActions lists exactly what each role holds on the occasion as a whole', async () => {
    const got = await asEveryRole(
      OCCASION,
      () => ({ id: w.occasionId }),
      (d) => d.occasion.myActions,
    );
    expect(got).toEqual({
      owner: roleActions('owner'),
      planner: roleActions('planner'),
      co_planner: roleActions('co_planner'),
      helper: roleActions('helper'),
      // The vendor's role sits on event 0; on the whole occasion it only holds occasion:read.
      vendor: ['occasion:read'],
      viewer: roleActions('viewer'),
    });
    expect(got.planner).not.toContain('audit:read');
    expect(got.co_planner).not.toContain('access:manage');
  });

  it('grants (access:read): owner, planner and co_planner; the rest FORBIDDEN', async () => {
    // owner, planner, co_planner, helper, viewer: one grant each; vendor: occasion:read + vendor on event 0.
    expect(
      await asEveryRole(
        GRANTS,
        () => ({ id: w.occasionId }),
        (d) => d.grants.totalCount,
      ),
    ).toEqual({
      owner: 7,
      planner: 7,
      co_planner: 7,
      helper: 'FORBIDDEN',
      vendor: 'FORBIDDEN',
      viewer: 'FORBIDDEN',
    });
  });

  it('auditLog (audit:read) is owner-only', async () => {
    const got = await asEveryRole(
      AUDIT,
      () => ({ id: w.occasionId }),
      (d) => d.auditLog.totalCount > 0,
    );
    expect(got).toEqual({
      owner: true,
      planner: 'FORBIDDEN',
      co_planner: 'FORBIDDEN',
      helper: 'FORBIDDEN',
      vendor: 'FORBIDDEN',
      viewer: 'FORBIDDEN',
    });
  });

  it('actors: the vendor cannot read them; contact details need actor:read_contact', async () => {
    const household = () => ({ id: w.households[0]!.id });
    expect(await asEveryRole(ACTOR, household, (d) => d.actor.displayName)).toEqual({
      owner: 'Household 1',
      planner: 'Household 1',
      co_planner: 'Household 1',
      helper: 'Household 1',
      vendor: 'FORBIDDEN',
      viewer: 'Household 1',
    });
    const member = () => ({ id: w.households[0]!.memberIds[0] });
    const email = await asEveryRole(ACTOR_EMAIL, member, (d) =>
      typeof d.actor.email === 'string' && d.actor.email.includes('@') ? 'email' : d.actor.email,
    );
    expect(email).toEqual({ owner: 'email', planner: 'email', co_planner: 'email', helper: 'FORBIDDEN', vendor: 'FORBIDDEN', viewer: 'FORBIDDEN' });
    // A guarded nullable field fails alone: the rest of the actor still arrives.
    const r = await s.gql(ACTOR_EMAIL, member(), { token: tokenOf(w, 'helper') });
    expect(r.body.data.actor).toEqual({ id: w.households[0]!.memberIds[0], email: null });
    expect(r.body.errors?.[0]?.path).toEqual(['actor', 'email']);
  });

  it('events: the vendor reads only its own event', async () => {
    const read = (i: number) =>
      asEveryRole(
        EVENT,
        () => ({ id: w.eventIds[i] }),
        (d) => d.event.name,
      );
    expect(await read(0)).toEqual({
      owner: 'Event 1',
      planner: 'Event 1',
      co_planner: 'Event 1',
      helper: 'Event 1',
      vendor: 'Event 1',
      viewer: 'Event 1',
    });
    expect(await read(1)).toEqual({
      owner: 'Event 2',
      planner: 'Event 2',
      co_planner: 'Event 2',
      helper: 'Event 2',
      vendor: 'FORBIDDEN',
      viewer: 'Event 2',
    });
  });

  it('createEvent (event:create): planners only', async () => {
    const before = await s.app.db.prisma.event.count({ where: { occasionId: rawId(w.occasionId) } });
    const got = await asEveryRole(
      CREATE_EVENT,
      () => ({ i: { occasionId: w.occasionId, name: 'Extra' } }),
      (d) => d.createEvent.__typename,
    );
    expect(got).toEqual({
      owner: 'EventPayload',
      planner: 'EventPayload',
      co_planner: 'EventPayload',
      helper: 'FORBIDDEN',
      vendor: 'FORBIDDEN',
      viewer: 'FORBIDDEN',
    });
    expect(await s.app.db.prisma.event.count({ where: { occasionId: rawId(w.occasionId) } })).toBe(before + 3);
  });

  it('updateEvent (event:update): planners only, the vendor not even on its own event', async () => {
    const got = await asEveryRole(
      UPDATE_EVENT,
      () => ({ i: { id: w.eventIds[0], name: 'Event 1' } }),
      (d) => d.updateEvent.__typename,
    );
    expect(got).toEqual({
      owner: 'EventPayload',
      planner: 'EventPayload',
      co_planner: 'EventPayload',
      helper: 'FORBIDDEN',
      vendor: 'FORBIDDEN',
      viewer: 'FORBIDDEN',
    });
  });

  it('updateActor (actor:update): planners and the helper', async () => {
    const got = await asEveryRole(
      UPDATE_ACTOR,
      () => ({ i: { id: w.households[0]!.id, displayName: 'Household 1' } }),
      (d) => d.updateActor.__typename,
    );
    expect(got).toEqual({
      owner: 'ActorPayload',
      planner: 'ActorPayload',
      co_planner: 'ActorPayload',
      helper: 'ActorPayload',
      vendor: 'FORBIDDEN',
      viewer: 'FORBIDDEN',
    });
  });

  it('configureModule (module:manage): owner and planner; co_planner is FORBIDDEN', async () => {
    const got = await asEveryRole(
      CONFIGURE,
      () => ({ i: { installationId, config: { defaultPlusOnes: 1 } } }),
      (d) => d.configureModule.installation.config.defaultPlusOnes,
    );
    expect(got).toEqual({ owner: 1, planner: 1, co_planner: 'FORBIDDEN', helper: 'FORBIDDEN', vendor: 'FORBIDDEN', viewer: 'FORBIDDEN' });
  });

  it('inviteCollaborator (access:manage): owner and planner; co_planner is FORBIDDEN', async () => {
    let n = 0;
    const got = await asEveryRole(
      INVITE,
      () => ({ i: { occasionId: w.occasionId, email: `invitee-${++n}-${Date.now()}@example.com`, role: 'viewer', displayName: 'Invitee' } }),
      (d) => d.inviteCollaborator.invitation.role,
    );
    expect(got).toEqual({
      owner: 'viewer',
      planner: 'viewer',
      co_planner: 'FORBIDDEN',
      helper: 'FORBIDDEN',
      vendor: 'FORBIDDEN',
      viewer: 'FORBIDDEN',
    });
  });

  it('deleteOccasion (occasion:delete) is owner-only', async () => {
    // given a throwaway occasion with a planner
    const x = await buildWorld(s, { events: 1, households: [1], collaborators: { planner: undefined } });
    // when the planner tries, then FORBIDDEN and the occasion stays
    expect(errorCode(await s.gql(DELETE_OCCASION, { i: { id: x.occasionId } }, { token: x.people.planner!.token }))).toBe('FORBIDDEN');
    expect(await s.app.db.prisma.occasion.count({ where: { id: rawId(x.occasionId) } })).toBe(1);
    // when the owner does, then it is gone
    const r = await s.gql(DELETE_OCCASION, { i: { id: x.occasionId } }, { token: x.owner.token });
    expect(r.body.errors).toBeUndefined();
    expect(await s.app.db.prisma.occasion.count({ where: { id: rawId(x.occasionId) } })).toBe(0);
  });
});

// ─── A vendor limited to one event ──────────────────────────────────────────

describe('a vendor limited to one event', () => {
  let w: World;
  let other: World;

  beforeAll(async () => {
    w = await buildWorld(s, { events: 3, households: [1], collaborators: { vendor: [1] } });
    other = await buildWorld(s, { events: 1, households: [1] });
  });

  it('sees only that event in the list, and totalCount counts only it', async () => {
    const d = await must(s, w.people.vendor!.token, OCCASION_EVENTS, { id: w.occasionId });
    expect(d.occasion.events.totalCount).toBe(1);
    expect(d.occasion.events.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([w.eventIds[1]]);
    // the owner sees all three
    const o = await must(s, w.owner.token, OCCASION_EVENTS, { id: w.occasionId });
    expect(o.occasion.events.totalCount).toBe(3);
  });

  it('reads its event, is FORBIDDEN the others of the occasion, and gets NOT_FOUND for another occasion', async () => {
    const t = w.people.vendor!.token;
    expect((await must(s, t, EVENT, { id: w.eventIds[1] })).event.name).toBe('Event 2');
    const sibling = await s.gql(EVENT, { id: w.eventIds[0] }, { token: t });
    expect(errorCode(sibling)).toBe('FORBIDDEN');
    expect(sibling.body.errors?.[0]?.message).toContain('event:read');
    expect(errorCode(await s.gql(EVENT, { id: other.eventIds[0] }, { token: t }))).toBe('NOT_FOUND');
    expect(errorCode(await s.gql(OCCASION, { id: other.occasionId }, { token: t }))).toBe('NOT_FOUND');
  });

  it('reads its own actor, contact included, but no one else', async () => {
    const vendor = w.people.vendor!;
    const own = await s.gql(ACTOR_EMAIL, { id: vendor.actorId }, { token: vendor.token });
    expect(own.body.errors).toBeUndefined();
    expect(own.body.data.actor).toEqual({ id: vendor.actorId, email: vendor.email });
    expect(errorCode(await s.gql(ACTOR, { id: w.households[0]!.id }, { token: vendor.token }))).toBe('FORBIDDEN');
  });

  it('cannot change its own event: FORBIDDEN and nothing written', async () => {
    const watch = await watchOccasion(s, w.occasionId);
    const r = await s.gql(UPDATE_EVENT, { i: { id: w.eventIds[1], name: 'Renamed by vendor' } }, { token: w.people.vendor!.token });
    expect(errorCode(r)).toBe('FORBIDDEN');
    await watch.expectUnchanged();
    expect((await s.app.db.prisma.event.findUniqueOrThrow({ where: { id: rawId(w.eventIds[1]!) } })).name).toBe('Event 2');
  });
});

// ─── grantAccess ───────────────────────────────────────────────────────────────

describe('grantAccess', () => {
  let w: World;
  let other: World;

  beforeAll(async () => {
    w = await buildWorld(s, { events: 2, households: [2], collaborators: { planner: undefined, co_planner: undefined, vendor: [0] } });
    other = await buildWorld(s, { events: 1, households: [1] });
  });

  it('happy path: the owner gives the vendor a second event; the vendor sees it on the next request', async () => {
    // given the vendor sees only event 1
    const vendor = w.people.vendor!;
    expect((await must(s, vendor.token, OCCASION_EVENTS, { id: w.occasionId })).occasion.events.totalCount).toBe(1);
    const watch = await watchOccasion(s, w.occasionId);

    // when the owner grants vendor on event 2
    const r = await s.gql(
      GRANT,
      { i: { occasionId: w.occasionId, subjectId: vendor.actorId, role: 'vendor', scope: { type: 'EVENT', eventId: w.eventIds[1] } } },
      { token: w.owner.token },
    );

    // then the payload shows the grant
    expect(r.body.errors).toBeUndefined();
    const g = r.body.data.grantAccess;
    expect(g.__typename).toBe('GrantPayload');
    expect(g.grant).toMatchObject({
      role: 'vendor',
      actions: [],
      effectiveActions: ['event:read', 'occasion:read'],
      isLive: true,
      expiresAt: null,
      subject: { id: vendor.actorId },
      scope: { type: 'EVENT', eventId: w.eventIds[1], installationId: null, enablementId: null, resourceId: null },
    });
    // and one grant, one audit row and one outbox row were written
    await watch.expectDelta({ grants: 1, liveGrants: 1, audit: 1, outbox: 1 });
    const [ev] = await watch.outbox();
    expect(ev).toMatchObject({
      type: 'access.granted',
      payload: { grantId: rawId(g.grant.id), subjectActorId: rawId(vendor.actorId), role: 'vendor', actions: [], scopeType: 'EVENT' },
    });
    expect((await watch.audit()).map((a) => a.action)).toEqual(['access:grant']);
    const row = await s.app.db.prisma.grant.findUniqueOrThrow({ where: { id: rawId(g.grant.id) } });
    expect(row).toMatchObject({ scopeEventId: rawId(w.eventIds[1]!), grantedByUserId: w.owner.userId, subjectType: 'ACTOR' });

    // and the vendor sees both events now
    const after = await must(s, vendor.token, OCCASION_EVENTS, { id: w.occasionId });
    expect(after.occasion.events.totalCount).toBe(2);
    expect((await must(s, vendor.token, EVENT, { id: w.eventIds[1] })).event.name).toBe('Event 2');
  });

  it('a RESOURCE grant of actor:update lets the subject change that one actor only', async () => {
    const viewer = await addCollaborator(s, w.owner, w.occasionId, 'viewer');
    const [h1, h2] = [w.households[0]!.memberIds[0]!, w.households[0]!.memberIds[1]!];
    expect(errorCode(await s.gql(UPDATE_ACTOR, { i: { id: h1, displayName: 'Renamed' } }, { token: viewer.token }))).toBe('FORBIDDEN');

    await must(s, w.owner.token, GRANT, {
      i: { occasionId: w.occasionId, subjectId: viewer.actorId, actions: ['actor:update'], scope: { type: 'RESOURCE', resourceId: h1 } },
    });

    const ok = await s.gql(UPDATE_ACTOR, { i: { id: h1, displayName: 'Renamed' } }, { token: viewer.token });
    expect(ok.body.data?.updateActor).toEqual({ __typename: 'ActorPayload', actor: { id: h1, displayName: 'Renamed' } });
    expect(errorCode(await s.gql(UPDATE_ACTOR, { i: { id: h2, displayName: 'Renamed' } }, { token: viewer.token }))).toBe('FORBIDDEN');
  });

  it('a planner may hand out what they hold (planner role)', async () => {
    const x = await addCollaborator(s, w.owner, w.occasionId, 'viewer');
    const r = await s.gql(
      GRANT,
      { i: { occasionId: w.occasionId, subjectId: x.actorId, role: 'planner', scope: { type: 'OCCASION' } } },
      { token: w.people.planner!.token },
    );
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.grantAccess.grant.effectiveActions).toEqual(roleActions('planner'));
  });

  it('escalation refused: a planner cannot grant owner, nor owner-only actions; nothing is written', async () => {
    const planner = w.people.planner!;
    const subjectId = w.households[0]!.memberIds[0];
    const before = await rowCounts(w.occasionId);
    const watch = await watchOccasion(s, w.occasionId);

    const asOwner = await s.gql(
      GRANT,
      { i: { occasionId: w.occasionId, subjectId, role: 'owner', scope: { type: 'OCCASION' } } },
      { token: planner.token },
    );
    expect(errorCode(asOwner)).toBe('FORBIDDEN');
    expect(asOwner.body.errors?.[0]?.message).toContain('occasion:delete');
    expect(asOwner.body.errors?.[0]?.message).toContain('audit:read');

    const auditRead = await s.gql(
      GRANT,
      { i: { occasionId: w.occasionId, subjectId, actions: ['audit:read'], scope: { type: 'OCCASION' } } },
      { token: planner.token },
    );
    expect(errorCode(auditRead)).toBe('FORBIDDEN');
    expect(auditRead.body.errors?.[0]?.message).toMatch(/audit:read\.$/);

    // The same refusal at a narrower scope: holding it nowhere means granting it nowhere.
    const onEvent = await s.gql(
      GRANT,
      { i: { occasionId: w.occasionId, subjectId, actions: ['occasion:delete'], scope: { type: 'EVENT', eventId: w.eventIds[0] } } },
      { token: planner.token },
    );
    expect(errorCode(onEvent)).toBe('FORBIDDEN');

    expect(await rowCounts(w.occasionId)).toEqual(before);
    await watch.expectUnchanged();
  });

  it('a co_planner cannot grant at all: FORBIDDEN, no grant row and no outbox row', async () => {
    const before = await rowCounts(w.occasionId);
    const watch = await watchOccasion(s, w.occasionId);
    const r = await s.gql(
      GRANT,
      { i: { occasionId: w.occasionId, subjectId: w.households[0]!.memberIds[1], role: 'viewer', scope: { type: 'OCCASION' } } },
      { token: w.people.co_planner!.token },
    );
    expect(errorCode(r)).toBe('FORBIDDEN');
    expect(r.body.data?.grantAccess ?? null).toBeNull();
    expect(await rowCounts(w.occasionId)).toEqual(before);
    await watch.expectUnchanged();
  });

  it('bad input is a ValidationError and writes nothing', async () => {
    const subjectId = w.households[0]!.memberIds[1];
    const watch = await watchOccasion(s, w.occasionId);
    const grant = async (extra: Record<string, unknown>) =>
      (await s.gql(GRANT, { i: { occasionId: w.occasionId, subjectId, scope: { type: 'OCCASION' }, ...extra } }, { token: w.owner.token })).body.data
        .grantAccess;

    expect(await grant({ role: 'superuser' })).toMatchObject({
      __typename: 'ValidationError',
      code: 'VALIDATION_FAILED',
      fields: [{ path: 'input.role' }],
    });
    expect(await grant({ actions: ['occasion:teleport'] })).toMatchObject({ __typename: 'ValidationError', fields: [{ path: 'input.actions' }] });
    expect(await grant({})).toMatchObject({ __typename: 'ValidationError', fields: [{ path: 'input.role' }] });
    expect(await grant({ role: 'viewer', expiresAt: '2020-01-01T00:00:00Z' })).toMatchObject({
      __typename: 'ValidationError',
      fields: [{ path: 'input.expiresAt' }],
    });
    expect(await grant({ role: 'viewer', scope: { type: 'PLATFORM' } })).toMatchObject({
      __typename: 'ValidationError',
      fields: [{ path: 'input.scope.type' }],
    });
    expect(await grant({ role: 'viewer', scope: { type: 'EVENT' } })).toMatchObject({
      __typename: 'ValidationError',
      fields: [{ path: 'input.scope.eventId' }],
    });
    await watch.expectUnchanged();
  });

  it('ids of another occasion are NOT_FOUND and write nothing', async () => {
    const watch = await watchOccasion(s, w.occasionId);
    const foreignSubject = await s.gql(
      GRANT,
      { i: { occasionId: w.occasionId, subjectId: other.households[0]!.id, role: 'viewer', scope: { type: 'OCCASION' } } },
      { token: w.owner.token },
    );
    expect(errorCode(foreignSubject)).toBe('NOT_FOUND');
    const foreignEvent = await s.gql(
      GRANT,
      { i: { occasionId: w.occasionId, subjectId: w.households[0]!.id, role: 'viewer', scope: { type: 'EVENT', eventId: other.eventIds[0] } } },
      { token: w.owner.token },
    );
    expect(errorCode(foreignEvent)).toBe('NOT_FOUND');
    // and granting inside another occasion is NOT_FOUND, not FORBIDDEN
    const intoOther = await s.gql(
      GRANT,
      { i: { occasionId: other.occasionId, subjectId: other.households[0]!.id, role: 'viewer', scope: { type: 'OCCASION' } } },
      { token: w.owner.token },
    );
    expect(errorCode(intoOther)).toBe('NOT_FOUND');
    await watch.expectUnchanged();
    expect(await rowCounts(other.occasionId)).toEqual({ grants: 1, outbox: expect.any(Number) });
  });
});

// ─── revokeAccess ──────────────────────────────────────────────────────────────

describe('revokeAccess', () => {
  let w: World;

  beforeAll(async () => {
    w = await buildWorld(s, { events: 1, households: [1], collaborators: { planner: undefined, viewer: undefined } });
  });

  it('the last owner cannot be revoked: ConflictError, the grant stays live, nothing written', async () => {
    const ownerGrant = await ownGrantId(w, w.owner.token, await ownerActorId(w), 'owner');
    const watch = await watchOccasion(s, w.occasionId);
    const r = await s.gql(REVOKE, { i: { grantId: ownerGrant } }, { token: w.owner.token });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.revokeAccess).toMatchObject({
      __typename: 'ConflictError',
      code: 'CONFLICT',
      message: expect.stringContaining('at least one owner'),
    });
    expect((await s.app.db.prisma.grant.findUniqueOrThrow({ where: { id: rawId(ownerGrant) } })).revokedAt).toBeNull();
    await watch.expectUnchanged();
    expect((await must(s, w.owner.token, OCCASION, { id: w.occasionId })).occasion.id).toBe(w.occasionId);
  });

  it('a planner cannot revoke the owner (it would take away what the planner does not hold)', async () => {
    const ownerGrant = await ownGrantId(w, w.owner.token, await ownerActorId(w), 'owner');
    const watch = await watchOccasion(s, w.occasionId);
    const r = await s.gql(REVOKE, { i: { grantId: ownerGrant } }, { token: w.people.planner!.token });
    expect(errorCode(r)).toBe('FORBIDDEN');
    await watch.expectUnchanged();
  });

  it('a revoked grant stops access on the very next request', async () => {
    // given the viewer reads the occasion
    const viewer = w.people.viewer!;
    expect((await must(s, viewer.token, OCCASION, { id: w.occasionId })).occasion.id).toBe(w.occasionId);
    const grantId = await ownGrantId(w, w.owner.token, viewer.actorId);
    const watch = await watchOccasion(s, w.occasionId);

    // when the owner revokes the viewer's grant
    const r = await s.gql(REVOKE, { i: { grantId } }, { token: w.owner.token });

    // then the grant is revoked, with one audit and one outbox row
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.revokeAccess).toMatchObject({
      __typename: 'GrantPayload',
      grant: { id: grantId, isLive: false, revokedAt: expect.any(String) },
    });
    await watch.expectDelta({ liveGrants: -1, audit: 1, outbox: 1 });
    expect((await watch.outbox()).map((e) => [e.type, (e.payload as { grantId: string }).grantId])).toEqual([['access.revoked', rawId(grantId)]]);
    expect((await s.app.db.prisma.grant.findUniqueOrThrow({ where: { id: rawId(grantId) } })).revokedByUserId).toBe(w.owner.userId);

    // and the viewer no longer sees the occasion at all (NOT_FOUND, not FORBIDDEN) nor lists it
    expect(errorCode(await s.gql(OCCASION, { id: w.occasionId }, { token: viewer.token }))).toBe('NOT_FOUND');
    expect(errorCode(await s.gql(EVENT, { id: w.eventIds[0] }, { token: viewer.token }))).toBe('NOT_FOUND');
    const mine = await must(s, viewer.token, `{ occasions(first: 10) { totalCount } }`);
    expect(mine.occasions.totalCount).toBe(0);

    // and revoking it again is a conflict that writes nothing
    const watch2 = await watchOccasion(s, w.occasionId);
    const again = await s.gql(REVOKE, { i: { grantId } }, { token: w.owner.token });
    expect(again.body.data.revokeAccess).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
    await watch2.expectUnchanged();
  });

  it('with a second owner, the first owner grant can go; the remaining one then cannot', async () => {
    // given the owner makes the planner an owner too
    const planner = w.people.planner!;
    const second = await must(s, w.owner.token, GRANT, {
      i: { occasionId: w.occasionId, subjectId: planner.actorId, role: 'owner', scope: { type: 'OCCASION' } },
    });
    const secondId = second.grantAccess.grant.id;
    const firstId = await ownGrantId(w, w.owner.token, await ownerActorId(w), 'owner');

    // when the new owner revokes the original owner's grant, then it works
    const r = await s.gql(REVOKE, { i: { grantId: firstId } }, { token: planner.token });
    expect(r.body.data?.revokeAccess).toMatchObject({ __typename: 'GrantPayload', grant: { isLive: false } });
    expect(errorCode(await s.gql(OCCASION, { id: w.occasionId }, { token: w.owner.token }))).toBe('NOT_FOUND');

    // and the last owner grant cannot be revoked, even by its holder
    const last = await s.gql(REVOKE, { i: { grantId: secondId } }, { token: planner.token });
    expect(last.body.data?.revokeAccess).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
  });

  it('an expired owner grant does not count as an owner: the last live owner still cannot be revoked', async () => {
    // given a second owner grant that has since expired
    const x = await buildWorld(s, { events: 1, households: [1], collaborators: { planner: undefined } });
    const planner = x.people.planner!;
    const g = await must(s, x.owner.token, GRANT, {
      i: {
        occasionId: x.occasionId,
        subjectId: planner.actorId,
        role: 'owner',
        scope: { type: 'OCCASION' },
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
    });
    await s.app.db.prisma.grant.update({ where: { id: rawId(g.grantAccess.grant.id) }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const firstId = await ownGrantId(x, x.owner.token, await ownerActorId(x), 'owner');

    // when the owner revokes their own (the only live) owner grant
    const r = await s.gql(REVOKE, { i: { grantId: firstId } }, { token: x.owner.token });

    // then it is refused and the occasion keeps a live owner
    expect(r.body.data?.revokeAccess).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
    expect((await s.app.db.prisma.grant.findUniqueOrThrow({ where: { id: rawId(firstId) } })).revokedAt).toBeNull();
    expect((await must(s, x.owner.token, OCCASION, { id: x.occasionId })).occasion.id).toBe(x.occasionId);
  });
});

// ─── Expiry ────────────────────────────────────────────────────────────────────

describe('expired grants', () => {
  let w: World;

  beforeAll(async () => {
    w = await buildWorld(s, { events: 1, households: [2], collaborators: { viewer: undefined, helper: undefined } });
  });

  it('an expired extra grant adds nothing, a live one does', async () => {
    // given the viewer has an extra actor:update grant on a member, inserted as already expired
    const viewer = w.people.viewer!;
    const member = w.households[0]!.memberIds[0]!;
    const base = {
      occasionId: rawId(w.occasionId),
      subjectType: 'ACTOR' as const,
      subjectActorId: rawId(viewer.actorId),
      actions: ['actor:update'],
      scopeType: 'RESOURCE' as const,
      resourceType: 'Actor',
      resourceId: rawId(member),
    };
    const expired = await s.app.db.prisma.grant.create({ data: { ...base, expiresAt: new Date(Date.now() - 60_000) } });

    // when the viewer updates that member, then FORBIDDEN
    expect(errorCode(await s.gql(UPDATE_ACTOR, { i: { id: member, displayName: 'X' } }, { token: viewer.token }))).toBe('FORBIDDEN');
    // and the owner sees it listed as not live
    const listed = await must(s, w.owner.token, GRANTS, { id: w.occasionId, filter: { subjectId: viewer.actorId } });
    const expiredNode = listed.grants.edges.find((e: { node: { id: string } }) => e.node.id === globalId('Grant', expired.id)).node;
    expect(expiredNode).toMatchObject({ isLive: false, revokedAt: null, actions: ['actor:update'] });

    // when the same grant is live (expiring in an hour), then allowed
    await s.app.db.prisma.grant.create({ data: { ...base, expiresAt: new Date(Date.now() + 3_600_000) } });
    const ok = await s.gql(UPDATE_ACTOR, { i: { id: member, displayName: 'X' } }, { token: viewer.token });
    expect(ok.body.data?.updateActor).toMatchObject({ __typename: 'ActorPayload', actor: { displayName: 'X' } });
  });

  it('when a collaborator’s only grant expires, the occasion disappears for them', async () => {
    const helper = w.people.helper!;
    expect((await must(s, helper.token, OCCASION, { id: w.occasionId })).occasion.id).toBe(w.occasionId);
    await s.app.db.prisma.grant.updateMany({ where: { subjectActorId: rawId(helper.actorId) }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(errorCode(await s.gql(OCCASION, { id: w.occasionId }, { token: helper.token }))).toBe('NOT_FOUND');
    expect(errorCode(await s.gql(ACTOR, { id: w.households[0]!.id }, { token: helper.token }))).toBe('NOT_FOUND');
    // and it is no longer among their occasions
    const mine = await s.gql(`{ occasions(first: 10) { totalCount edges { node { id } } } }`, undefined, { token: helper.token });
    expect(mine.body.errors).toBeUndefined();
    expect(mine.body.data.occasions).toEqual({ totalCount: 0, edges: [] });
    const explained = await must(s, w.owner.token, EXPLAIN, {
      subjectId: helper.actorId,
      action: 'occasion:read',
      target: { occasionId: w.occasionId },
    });
    expect(explained.explainAccess).toMatchObject({ allowed: false, reason: 'NO_ACCESS_TO_OCCASION', grant: null });
  });
});

// ─── explainAccess ─────────────────────────────────────────────────────────────

describe('explainAccess', () => {
  let w: World;
  let other: World;

  beforeAll(async () => {
    w = await buildWorld(s, { events: 2, households: [1], collaborators: { helper: undefined, vendor: [0] } });
    other = await buildWorld(s, { events: 1, households: [1] });
  });

  const explain = (subjectId: string, action: string, target: Record<string, unknown>, token = w.owner.token) =>
    s.gql(EXPLAIN, { subjectId, action, target: { occasionId: w.occasionId, ...target } }, { token });

  it('allowed: names the grant behind the decision', async () => {
    const helper = w.people.helper!;
    const r = await explain(helper.actorId, 'event:read', { eventId: w.eventIds[1] });
    expect(r.body.errors).toBeUndefined();
    const grantId = await ownGrantId(w, w.owner.token, helper.actorId);
    expect(r.body.data.explainAccess).toEqual({
      allowed: true,
      action: 'event:read',
      reason: 'ALLOWED',
      detail: `Allowed by grant ${rawId(grantId)} (helper at OCCASION).`,
      grant: { id: grantId, role: 'helper', subject: { id: helper.actorId }, scope: { type: 'OCCASION' } },
    });
  });

  it('denied: an action the subject does not hold', async () => {
    const r = await explain(w.people.helper!.actorId, 'event:update', { eventId: w.eventIds[0] });
    expect(r.body.data.explainAccess).toEqual({
      allowed: false,
      action: 'event:update',
      reason: 'NO_MATCHING_GRANT',
      detail: 'No live grant includes event:update.',
      grant: null,
    });
  });

  it('denied: held only at a scope that does not contain the target', async () => {
    const vendor = w.people.vendor!;
    expect((await explain(vendor.actorId, 'event:read', { eventId: w.eventIds[0] })).body.data.explainAccess).toMatchObject({ allowed: true });
    const r = await explain(vendor.actorId, 'event:read', { eventId: w.eventIds[1] });
    expect(r.body.data.explainAccess).toMatchObject({ allowed: false, reason: 'NO_MATCHING_GRANT', grant: null });
    expect(r.body.data.explainAccess.detail).toContain('(EVENT)');
  });

  it('agrees with the engine on the implicit right to read one’s own actor', async () => {
    const vendor = w.people.vendor!;
    // the engine lets the vendor read its own actor and contact, though no grant holds actor:read
    expect((await must(s, vendor.token, ACTOR_EMAIL, { id: vendor.actorId })).actor.email).toBe(vendor.email);
    const own = (await explain(vendor.actorId, 'actor:read_contact', { actorId: vendor.actorId })).body.data.explainAccess;
    expect(own).toMatchObject({ allowed: true, reason: 'ALLOWED' });
    const other = (await explain(vendor.actorId, 'actor:read', { actorId: w.households[0]!.id })).body.data.explainAccess;
    expect(other).toMatchObject({ allowed: false, reason: 'NO_MATCHING_GRANT' });
  });

  it('denied: an actor with no grants at all, and an unknown action', async () => {
    const guest = w.households[0]!.memberIds[0]!;
    expect((await explain(guest, 'occasion:read', {})).body.data.explainAccess).toMatchObject({ allowed: false, reason: 'NO_ACCESS_TO_OCCASION' });
    expect((await explain(w.people.helper!.actorId, 'occasion:teleport', {})).body.data.explainAccess).toMatchObject({
      allowed: false,
      reason: 'UNKNOWN_ACTION',
    });
  });

  it('needs access:read; ids of another occasion are NOT_FOUND', async () => {
    expect(errorCode(await explain(w.people.helper!.actorId, 'event:read', {}, w.people.helper!.token))).toBe('FORBIDDEN');
    expect(errorCode(await explain(other.households[0]!.id, 'event:read', {}))).toBe('NOT_FOUND');
    expect(errorCode(await explain(w.people.helper!.actorId, 'event:read', { eventId: other.eventIds[0] }))).toBe('NOT_FOUND');
  });
});

// ─── Teams ─────────────────────────────────────────────────────────────────────

describe('a grant to a team applies to its members', () => {
  it('the vendor gains the team’s access while a member, and loses it when removed', async () => {
    // given a vendor limited to event 1 and a team it belongs to
    const w = await buildWorld(s, { events: 2, households: [1], collaborators: { vendor: [0] } });
    const vendor = w.people.vendor!;
    const team = await must(s, w.owner.token, CREATE_ACTOR, { i: { occasionId: w.occasionId, kind: 'TEAM', displayName: 'Catering crew' } });
    const teamId: string = team.createActor.actor.id;
    const m = await must(s, w.owner.token, ADD_MEMBERSHIP, { i: { groupId: teamId, memberId: vendor.actorId } });
    expect(errorCode(await s.gql(EVENT, { id: w.eventIds[1] }, { token: vendor.token }))).toBe('FORBIDDEN');
    expect(errorCode(await s.gql(ACTOR, { id: w.households[0]!.id }, { token: vendor.token }))).toBe('FORBIDDEN');

    // when the team is granted viewer on the whole occasion
    const g = await must(s, w.owner.token, GRANT, {
      i: { occasionId: w.occasionId, subjectId: teamId, role: 'viewer', scope: { type: 'OCCASION' } },
    });

    // then the vendor's user reads what a viewer reads
    expect((await must(s, vendor.token, OCCASION_EVENTS, { id: w.occasionId })).occasion.events.totalCount).toBe(2);
    expect((await must(s, vendor.token, EVENT, { id: w.eventIds[1] })).event.name).toBe('Event 2');
    expect((await must(s, vendor.token, ACTOR, { id: w.households[0]!.id })).actor.displayName).toBe('Household 1');
    // but nothing more
    expect(errorCode(await s.gql(UPDATE_ACTOR, { i: { id: w.households[0]!.id, displayName: 'x' } }, { token: vendor.token }))).toBe('FORBIDDEN');
    // and explainAccess names the team's grant
    const ex = await must(s, w.owner.token, EXPLAIN, { subjectId: vendor.actorId, action: 'actor:read', target: { occasionId: w.occasionId } });
    expect(ex.explainAccess).toMatchObject({ allowed: true, grant: { id: g.grantAccess.grant.id, role: 'viewer', subject: { id: teamId } } });

    // and when the vendor's own grants go, the team's grant alone still lets them in, and lists the occasion
    await s.app.db.prisma.grant.updateMany({ where: { subjectActorId: rawId(vendor.actorId) }, data: { revokedAt: new Date() } });
    expect((await must(s, vendor.token, OCCASION, { id: w.occasionId })).occasion.myActions).toEqual(roleActions('viewer'));
    const mine = await s.gql(`{ occasions(first: 10) { totalCount edges { node { id } } } }`, undefined, { token: vendor.token });
    expect(mine.body.errors).toBeUndefined();
    expect(mine.body.data.occasions).toEqual({ totalCount: 1, edges: [{ node: { id: w.occasionId } }] });

    // when the vendor leaves the team, then the access goes with it
    await must(s, w.owner.token, REMOVE_MEMBERSHIP, { i: { id: m.addMembership.membership.id } });
    expect(errorCode(await s.gql(EVENT, { id: w.eventIds[1] }, { token: vendor.token }))).toBe('NOT_FOUND');
    expect(errorCode(await s.gql(OCCASION, { id: w.occasionId }, { token: vendor.token }))).toBe('NOT_FOUND');
  });
});

// ─── Module scopes ─────────────────────────────────────────────────────────────

describe('grants at module installation and enablement scope (Event.rsvp needs rsvp:view)', () => {
  let w: World;
  let installationId: string;
  let enablementIds: string[];

  beforeAll(async () => {
    // RSVP installed, enabled on events 1 and 2, not on event 3.
    w = await buildWorld(s, { events: 3, households: [1], collaborators: { helper: undefined, viewer: undefined } });
    installationId = (await must(s, w.owner.token, INSTALL, { i: { occasionId: w.occasionId, moduleKey: 'rsvp' } })).installModule.installation.id;
    enablementIds = [];
    for (const eventId of w.eventIds.slice(0, 2)) {
      enablementIds.push((await must(s, w.owner.token, ENABLE, { i: { eventId, moduleKey: 'rsvp' } })).enableModule.enablement.id);
    }
  });

  const readRsvp = (token: string, i: number) => s.gql(EVENT_RSVP, { id: w.eventIds[i] }, { token });
  /** 'ok' when rsvp arrived, else the error code on the rsvp field (the event itself must still arrive). */
  function rsvpOutcome(r: GqlResult, i: number) {
    expect(r.body.data?.event?.id).toBe(w.eventIds[i]);
    if (!r.body.errors?.length) return r.body.data.event.rsvp ? 'ok' : 'null';
    expect(r.body.errors[0]!.path).toEqual(['event', 'rsvp']);
    expect(r.body.data.event.rsvp).toBeNull();
    return errorCode(r);
  }
  const outcomes = async (token: string) => Promise.all([0, 1, 2].map(async (i) => rsvpOutcome(await readRsvp(token, i), i)));

  it('the owner reads rsvp where enabled; where it is not enabled: MODULE_NOT_ENABLED', async () => {
    expect(await outcomes(w.owner.token)).toEqual(['ok', 'ok', 'MODULE_NOT_ENABLED']);
    const r = await readRsvp(w.owner.token, 2);
    expect(r.body.errors?.[0]?.extensions).toMatchObject({ code: 'MODULE_NOT_ENABLED', moduleKey: 'rsvp' });
  });

  it('a helper without rsvp:view is FORBIDDEN rsvp; an enablement-scoped rsvp_viewer grant opens that one event only', async () => {
    const helper = w.people.helper!;
    // (where RSVP is off, they are not even told so: that too is RSVP information)
    expect(await outcomes(helper.token)).toEqual(['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN']);

    const g = await s.gql(
      GRANT,
      {
        i: {
          occasionId: w.occasionId,
          subjectId: helper.actorId,
          role: 'rsvp_viewer',
          scope: { type: 'MODULE_ENABLEMENT', enablementId: enablementIds[0] },
        },
      },
      { token: w.owner.token },
    );
    expect(g.body.data?.grantAccess?.grant?.scope).toEqual({
      type: 'MODULE_ENABLEMENT',
      eventId: null,
      installationId: null,
      enablementId: enablementIds[0],
      resourceId: null,
    });

    expect(await outcomes(helper.token)).toEqual(['ok', 'FORBIDDEN', 'FORBIDDEN']);
    // explainAccess agrees, naming the scope that does not reach event 2
    const ex = await must(s, w.owner.token, EXPLAIN, {
      subjectId: helper.actorId,
      action: 'rsvp:view',
      target: { occasionId: w.occasionId, enablementId: enablementIds[1] },
    });
    expect(ex.explainAccess).toMatchObject({ allowed: false, reason: 'NO_MATCHING_GRANT' });
    expect(ex.explainAccess.detail).toContain('MODULE_ENABLEMENT');
  });

  it('an event-scoped rsvp:view reaches the module enabled on that event', async () => {
    const helper = w.people.helper!;
    await must(s, w.owner.token, GRANT, {
      i: { occasionId: w.occasionId, subjectId: helper.actorId, actions: ['rsvp:view'], scope: { type: 'EVENT', eventId: w.eventIds[1] } },
    });
    expect(await outcomes(helper.token)).toEqual(['ok', 'ok', 'FORBIDDEN']);
  });

  it('an installation-scoped rsvp_viewer grant opens rsvp on every event it is enabled on', async () => {
    const viewer = w.people.viewer!;
    expect(await outcomes(viewer.token)).toEqual(['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN']);
    await must(s, w.owner.token, GRANT, {
      i: { occasionId: w.occasionId, subjectId: viewer.actorId, role: 'rsvp_viewer', scope: { type: 'MODULE_INSTALLATION', installationId } },
    });
    expect(await outcomes(viewer.token)).toEqual(['ok', 'ok', 'MODULE_NOT_ENABLED']);
  });
});
