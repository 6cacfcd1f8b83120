import { describe, expect, it } from 'vitest';
import { addCollaborator, buildWorld, must, signUpUser, type TestUser, type World } from '../../support/factories.js';
import { collaboratorInviteToken } from '../../support/messages.js';
import { errorCode, startServer } from '../../support/harness.js';
import { newRequestId, rawId, watchOccasion } from '../../support/rows.js';

/**
 * Writes that move access without going through grantAccess/revokeAccess:
 * linking a user to an actor that holds grants, team membership, deleting an
 * actor, deleting the thing a grant is scoped to. Each follows the grant rules:
 * access:manage, and nobody moves access they do not hold themselves.
 */

const s = await startServer();

const GRANT = `mutation($i: GrantAccessInput!) { grantAccess(input: $i) { __typename ... on GrantPayload { grant { id } } ... on Error { code message } } }`;
const REVOKE = `mutation($i: RevokeAccessInput!) { revokeAccess(input: $i) { __typename ... on GrantPayload { grant { id isLive } } ... on Error { code message } } }`;
const CREATE_ACTOR = `mutation($i: CreateActorInput!) { createActor(input: $i) { __typename ... on ActorPayload { actor { id } } ... on Error { code message } } }`;
const DELETE_ACTOR = `mutation($i: DeleteActorInput!) { deleteActor(input: $i) { __typename ... on DeleteActorPayload { deletedId } ... on Error { code message } } }`;
const DELETE_EVENT = `mutation($i: DeleteEventInput!) { deleteEvent(input: $i) { deletedId } }`;
const ADD_MEMBERSHIP = `mutation($i: AddMembershipInput!) { addMembership(input: $i) { __typename ... on MembershipPayload { membership { id } } ... on Error { code message } } }`;
const REMOVE_MEMBERSHIP = `mutation($i: RemoveMembershipInput!) { removeMembership(input: $i) { deletedId } }`;
const INVITE = `mutation($i: InviteCollaboratorInput!) { inviteCollaborator(input: $i) { __typename
  ... on InviteCollaboratorPayload { invitation { id } } ... on Error { code message } } }`;
const ACCEPT = `mutation($i: AcceptCollaboratorInvitationInput!) { acceptCollaboratorInvitation(input: $i) { __typename
  ... on AcceptCollaboratorInvitationPayload { actor { id } } ... on Error { code message } } }`;
const INVITATIONS = `query($id: ID!) { occasion(id: $id) { collaboratorInvitations { id status } } }`;

const createActor = async (w: World, kind: string, displayName: string) =>
  (await must(s, w.owner.token, CREATE_ACTOR, { i: { occasionId: w.occasionId, kind, displayName } })).createActor.actor.id as string;
const grant = async (w: World, subjectId: string, extra: Record<string, unknown>, as: TestUser = w.owner) =>
  (await must(s, as.token, GRANT, { i: { occasionId: w.occasionId, subjectId, scope: { type: 'OCCASION' }, ...extra } })).grantAccess.grant
    .id as string;
const liveGrantsOf = (actorId: string) => s.app.db.prisma.grant.count({ where: { subjectActorId: rawId(actorId), revokedAt: null } });

describe('inviting a user onto an existing actor that holds grants', () => {
  it('a planner cannot hand over an actor holding owner-only access; the owner can', async () => {
    // given an actor holding audit:read, which only owners hold
    const w = await buildWorld(s, { events: 1, households: [], collaborators: { planner: undefined } });
    const auditor = await createActor(w, 'PERSON', 'Auditor');
    await grant(w, auditor, { actions: ['audit:read'] });
    const watch = await watchOccasion(s, w.occasionId);
    const requestId = newRequestId('handover');

    // when the planner invites someone onto that actor
    const r = await s.gql(
      INVITE,
      { i: { occasionId: w.occasionId, email: 'x@example.com', role: 'viewer', actorId: auditor } },
      { token: w.people.planner!.token, headers: { 'x-request-id': requestId } },
    );

    // then FORBIDDEN, nothing written, and the refusal names the action they lack
    expect(errorCode(r)).toBe('FORBIDDEN');
    await watch.expectUnchanged();
    const [refusal] = await watch.refusals();
    expect(refusal).toMatchObject({ outcome: 'DENIED', action: 'audit:read', requestId });
    expect(refusal!.reason).toContain('inviteCollaborator');

    // and the owner, who holds audit:read, may
    const ok = await s.gql(
      INVITE,
      { i: { occasionId: w.occasionId, email: 'x@example.com', role: 'viewer', actorId: auditor } },
      { token: w.owner.token },
    );
    expect(ok.body.data.inviteCollaborator.__typename).toBe('InviteCollaboratorPayload');
  });

  it('counts what the actor would receive through a team', async () => {
    const w = await buildWorld(s, { events: 1, households: [], collaborators: { planner: undefined } });
    const team = await createActor(w, 'TEAM', 'Auditors');
    await grant(w, team, { actions: ['audit:read'] });
    const person = await createActor(w, 'PERSON', 'Team member');
    await must(s, w.owner.token, ADD_MEMBERSHIP, { i: { groupId: team, memberId: person } });

    const r = await s.gql(
      INVITE,
      { i: { occasionId: w.occasionId, email: 'y@example.com', role: 'viewer', actorId: person } },
      { token: w.people.planner!.token },
    );
    expect(errorCode(r)).toBe('FORBIDDEN');
  });
});

describe('accepting invitations for one actor', () => {
  it('the first acceptance links the actor; the others are closed and cannot relink it', async () => {
    // given two invitations for the same actor, to two different people
    const w = await buildWorld(s, { events: 1, households: [] });
    const actor = await createActor(w, 'PERSON', 'Shared');
    const [a, b] = [await signUpUser(s, 'first'), await signUpUser(s, 'second')];
    const invA = (await must(s, w.owner.token, INVITE, { i: { occasionId: w.occasionId, email: a.email, role: 'viewer', actorId: actor } }))
      .inviteCollaborator;
    const invB = (await must(s, w.owner.token, INVITE, { i: { occasionId: w.occasionId, email: b.email, role: 'viewer', actorId: actor } }))
      .inviteCollaborator;

    // when both accept at the same moment (each with the token from their email)
    const [tokenA, tokenB] = [await collaboratorInviteToken(s, invA.invitation.id), await collaboratorInviteToken(s, invB.invitation.id)];
    const [ra, rb] = await Promise.all([
      s.gql(ACCEPT, { i: { token: tokenA } }, { token: a.token }),
      s.gql(ACCEPT, { i: { token: tokenB } }, { token: b.token }),
    ]);

    // then exactly one wins; the actor is linked to that user and holds one set of grants
    const results = [ra.body.data.acceptCollaboratorInvitation.__typename, rb.body.data.acceptCollaboratorInvitation.__typename];
    expect(results.filter((t) => t === 'AcceptCollaboratorInvitationPayload')).toHaveLength(1);
    const winner = results[0] === 'AcceptCollaboratorInvitationPayload' ? a : b;
    const row = await s.app.db.prisma.actor.findUniqueOrThrow({ where: { id: rawId(actor) } });
    expect(row.userId).toBe(winner.userId);
    expect(await liveGrantsOf(actor)).toBe(1);
    // and the losing invitation is no longer pending
    const statuses = (await must(s, w.owner.token, INVITATIONS, { id: w.occasionId })).occasion.collaboratorInvitations.map(
      (i: { status: string }) => i.status,
    );
    expect(statuses.sort()).toEqual(['ACCEPTED', 'REVOKED']);
  });
});

describe('team membership moves the team’s access', () => {
  it('adding or removing a member of a team holding grants needs access:manage and no escalation', async () => {
    // given a team holding owner-only access, a planner (access:manage, no audit:read) and a helper (actor:update only)
    const w = await buildWorld(s, { events: 1, households: [], collaborators: { planner: undefined, helper: undefined } });
    const team = await createActor(w, 'TEAM', 'Auditors');
    await grant(w, team, { actions: ['audit:read'] });
    const person = await createActor(w, 'PERSON', 'Newcomer');
    const watch = await watchOccasion(s, w.occasionId);

    // when the helper or the planner adds someone, it is refused
    const byHelper = await s.gql(ADD_MEMBERSHIP, { i: { groupId: team, memberId: person } }, { token: w.people.helper!.token });
    expect(errorCode(byHelper)).toBe('FORBIDDEN');
    const byPlanner = await s.gql(ADD_MEMBERSHIP, { i: { groupId: team, memberId: person } }, { token: w.people.planner!.token });
    expect(errorCode(byPlanner)).toBe('FORBIDDEN');
    await watch.expectUnchanged();

    // the owner may; removing the member back is refused to the planner too
    const m = (await must(s, w.owner.token, ADD_MEMBERSHIP, { i: { groupId: team, memberId: person } })).addMembership.membership.id;
    expect(errorCode(await s.gql(REMOVE_MEMBERSHIP, { i: { id: m } }, { token: w.people.planner!.token }))).toBe('FORBIDDEN');
    expect((await s.gql(REMOVE_MEMBERSHIP, { i: { id: m } }, { token: w.owner.token })).body.data.removeMembership.deletedId).toBe(m);
  });

  it('a team without grants is plain data: a helper may change its members', async () => {
    const w = await buildWorld(s, { events: 1, households: [], collaborators: { helper: undefined } });
    const team = await createActor(w, 'TEAM', 'Ushers');
    const person = await createActor(w, 'PERSON', 'Usher');
    const r = await s.gql(ADD_MEMBERSHIP, { i: { groupId: team, memberId: person } }, { token: w.people.helper!.token });
    expect(r.body.data.addMembership.__typename).toBe('MembershipPayload');
  });
});

describe('deleting what grants belong to', () => {
  it('deleting an actor holding grants needs what revoking them needs', async () => {
    const w = await buildWorld(s, { events: 1, households: [], collaborators: { planner: undefined, co_planner: undefined } });
    const auditor = await createActor(w, 'PERSON', 'Auditor');
    await grant(w, auditor, { actions: ['audit:read'] });
    const viewerish = await createActor(w, 'PERSON', 'Viewer-ish');
    await grant(w, viewerish, { role: 'viewer' });

    // a co-planner (actor:delete, no access:manage) cannot delete an actor holding any grant
    expect(errorCode(await s.gql(DELETE_ACTOR, { i: { id: viewerish } }, { token: w.people.co_planner!.token }))).toBe('FORBIDDEN');
    // a planner can delete the viewer, but not the holder of owner-only access
    expect((await s.gql(DELETE_ACTOR, { i: { id: viewerish } }, { token: w.people.planner!.token })).body.data.deleteActor.deletedId).toBe(viewerish);
    expect(errorCode(await s.gql(DELETE_ACTOR, { i: { id: auditor } }, { token: w.people.planner!.token }))).toBe('FORBIDDEN');
    expect(await liveGrantsOf(auditor)).toBe(1);
  });

  it('grants scoped to a deleted event or a deleted actor are revoked with it', async () => {
    // given grants on one event and on one actor as a resource
    const w = await buildWorld(s, { events: 2, households: [], collaborators: { viewer: undefined } });
    const subject = w.people.viewer!.actorId;
    const onEvent = await grant(w, subject, { role: 'helper', scope: { type: 'EVENT', eventId: w.eventIds[0] } });
    const guest = await createActor(w, 'PERSON', 'Guest');
    const onActor = await grant(w, subject, { actions: ['actor:update'], scope: { type: 'RESOURCE', resourceId: guest } });

    // when the event and the actor are deleted
    await must(s, w.owner.token, DELETE_EVENT, { i: { id: w.eventIds[0] } });
    await must(s, w.owner.token, DELETE_ACTOR, { i: { id: guest } });

    // then both grants are revoked, and revoking them again says so rather than NOT_FOUND
    const rows = await s.app.db.prisma.grant.findMany({ where: { id: { in: [rawId(onEvent), rawId(onActor)] } } });
    expect(rows.map((g) => g.revokedAt !== null)).toEqual([true, true]);
    const again = await s.gql(REVOKE, { i: { grantId: onEvent } }, { token: w.owner.token });
    expect(again.body.data.revokeAccess).toMatchObject({ __typename: 'ConflictError' });
  });

  it('a grant whose scope row vanished without the service (a direct SQL delete) can still be revoked', async () => {
    const w = await buildWorld(s, { events: 1, households: [], collaborators: { viewer: undefined } });
    const g = await grant(w, w.people.viewer!.actorId, { role: 'helper', scope: { type: 'EVENT', eventId: w.eventIds[0] } });
    await s.app.db.prisma.event.delete({ where: { id: rawId(w.eventIds[0]!) } });
    const r = await s.gql(REVOKE, { i: { grantId: g } }, { token: w.owner.token });
    expect(r.body.data.revokeAccess).toMatchObject({ __typename: 'GrantPayload', grant: { isLive: false } });
  });
});

describe('escalation refusals are audited', () => {
  it('a planner granting owner-only access gets FORBIDDEN and a DENIED row naming the action', async () => {
    const w = await buildWorld(s, { events: 1, households: [], collaborators: { planner: undefined } });
    const target = await addCollaborator(s, w.owner, w.occasionId, 'viewer');
    const watch = await watchOccasion(s, w.occasionId);
    const r = await s.gql(
      GRANT,
      { i: { occasionId: w.occasionId, subjectId: target.actorId, scope: { type: 'OCCASION' }, actions: ['audit:read'] } },
      { token: w.people.planner!.token },
    );
    expect(errorCode(r)).toBe('FORBIDDEN');
    await watch.expectUnchanged();
    const [row] = await watch.refusals();
    expect(row).toMatchObject({ outcome: 'DENIED', action: 'audit:read', occasionId: rawId(w.occasionId), userId: w.people.planner!.userId });
    expect(row!.reason).toMatch(/^grantAccess: /);
  });
});
