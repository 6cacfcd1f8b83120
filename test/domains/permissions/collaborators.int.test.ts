import { describe, expect, it } from 'vitest';
import { addCollaborator, buildWorld, must, signUpUser, type TestUser, type World } from '../../support/factories.js';
import { errorCode, startServer } from '../../support/harness.js';
import { collaboratorInviteToken } from '../../support/messages.js';
import { globalId, newRequestId, rawId, watchOccasion } from '../../support/rows.js';

const s = await startServer();
const call = (token: string | undefined, query: string, variables?: Record<string, unknown>, requestId?: string) =>
  s.gql(query, variables, { token, headers: requestId ? { 'x-request-id': requestId } : {} });

const INVITE = `mutation($i: InviteCollaboratorInput!) { inviteCollaborator(input: $i) { __typename
  ... on InviteCollaboratorPayload { sendId invitation { id email role eventIds actorId status expiresAt } }
  ... on Error { code message } ... on ValidationError { fields { path message } } } }`;
const ACCEPT = `mutation($i: AcceptCollaboratorInvitationInput!) { acceptCollaboratorInvitation(input: $i) { __typename
  ... on AcceptCollaboratorInvitationPayload { actor { id displayName hasAccount } occasion { id name myActions } }
  ... on Error { code message } } }`;
const REVOKE = `mutation($i: RevokeCollaboratorInvitationInput!) { revokeCollaboratorInvitation(input: $i) { __typename
  ... on CollaboratorInvitationPayload { invitation { id status revokedAt } } ... on Error { code message } } }`;
const EVENTS = `query($id: ID!) { occasion(id: $id) { events(first: 10) { totalCount edges { node { id } } } } }`;

interface Invite {
  /** From the invitee's email (collaboratorInviteToken), not from the API. */
  token: string;
  sendId: string;
  invitation: { id: string; email: string; role: string; eventIds: string[]; actorId: string; status: string; expiresAt: string };
}
const invite = async (w: World, i: Record<string, unknown>, as: TestUser = w.owner): Promise<Invite> => {
  const p = (await must(s, as.token, INVITE, { i: { occasionId: w.occasionId, ...i } })).inviteCollaborator as Omit<Invite, 'token'>;
  return { ...p, token: await collaboratorInviteToken(s, p.invitation.id) };
};

describe('inviteCollaborator + acceptCollaboratorInvitation', () => {
  it('invites a co-planner by email; accepting links the user to the new actor and grants the role occasion-wide', async () => {
    // given an occasion and a user who will be invited
    const w = await buildWorld(s, { events: 2, households: [] });
    const invitee = await signUpUser(s, 'coplanner');
    let watch = await watchOccasion(s, w.occasionId);
    const inviteReq = newRequestId('invite');

    // when the owner invites them
    const r = await call(
      w.owner.token,
      INVITE,
      { i: { occasionId: w.occasionId, email: invitee.email.toUpperCase(), role: 'co_planner', displayName: 'Co Planner' } },
      inviteReq,
    );

    // then an invitation with a one-time token exists (emailed to the invitee, never returned), and a not-yet-linked actor
    expect(r.body.errors).toBeUndefined();
    expect(JSON.stringify(r.body)).not.toContain('tovinv_');
    const inv = { ...(r.body.data.inviteCollaborator as Omit<Invite, 'token'>), token: '' };
    inv.token = await collaboratorInviteToken(s, inv.invitation.id);
    expect(inv.token).toMatch(/^tovinv_/);
    const email = await s.app.db.prisma.commDelivery.findFirstOrThrow({
      where: { idempotencyKey: `collaborator_invitation:${rawId(inv.invitation.id)}` },
    });
    expect(email).toMatchObject({ kind: 'COLLABORATOR_INVITATION', category: 'TRANSACTIONAL', address: invitee.email, status: 'QUEUED' });
    expect(JSON.stringify(email.context)).not.toContain('tovinv_');
    expect(inv.invitation).toMatchObject({ email: invitee.email, role: 'co_planner', eventIds: [], status: 'PENDING' });
    expect(new Date(inv.invitation.expiresAt).getTime() - Date.now()).toBeGreaterThan(13 * 86_400_000);
    await watch.expectDelta({ actors: 1, invitations: 1, audit: 1, outbox: 1 });
    const row = await s.app.db.prisma.collaboratorInvitation.findUniqueOrThrow({ where: { id: rawId(inv.invitation.id) } });
    expect(row.tokenHash).not.toContain(inv.token);
    const [ia] = await watch.audit();
    expect(ia).toMatchObject({
      action: 'access:invite',
      targetType: 'CollaboratorInvitation',
      targetId: row.id,
      requestId: inviteReq,
      userId: w.owner.userId,
    });
    expect(JSON.stringify(ia!.after)).not.toContain('tokenHash');
    expect((await watch.outbox()).find((o) => o.type === 'collaborator.invited')).toMatchObject({
      type: 'collaborator.invited',
      requestId: inviteReq,
      payload: { occasionId: watch.occasionId, invitationId: row.id, actorId: rawId(inv.invitation.actorId), role: 'co_planner' },
    });
    // the invitee sees nothing yet
    expect(errorCode(await call(invitee.token, EVENTS, { id: w.occasionId }))).toBe('NOT_FOUND');

    // when they accept
    watch = await watchOccasion(s, w.occasionId);
    const acceptReq = newRequestId('accept');
    const a = await call(invitee.token, ACCEPT, { i: { token: inv.token } }, acceptReq);

    // then they are linked to the invited actor and hold co_planner on the whole occasion
    expect(a.body.errors).toBeUndefined();
    const p = a.body.data.acceptCollaboratorInvitation;
    expect(p.actor).toMatchObject({ id: inv.invitation.actorId, displayName: 'Co Planner', hasAccount: true });
    expect(p.occasion.id).toBe(w.occasionId);
    expect(p.occasion.myActions).toEqual(expect.arrayContaining(['event:create', 'actor:update']));
    expect(p.occasion.myActions).not.toContain('access:manage');
    expect(p.occasion.myActions).not.toContain('audit:read');
    await watch.expectDelta({ linkedActors: 1, grants: 1, liveGrants: 1, acceptedInvitations: 1, audit: 1, outbox: 1 });
    const grant = await s.app.db.prisma.grant.findFirstOrThrow({ where: { subjectActorId: rawId(inv.invitation.actorId) } });
    expect(grant).toMatchObject({ role: 'co_planner', scopeType: 'OCCASION', scopeEventId: null });
    const [aa] = await watch.audit();
    expect(aa).toMatchObject({
      action: 'access:accept_invitation',
      targetId: row.id,
      requestId: acceptReq,
      userId: invitee.userId,
      actorId: rawId(inv.invitation.actorId),
    });
    expect((await watch.outbox())[0]).toMatchObject({
      type: 'collaborator.joined',
      payload: { occasionId: watch.occasionId, invitationId: row.id, actorId: rawId(inv.invitation.actorId), userId: invitee.userId },
    });
    expect((await must(s, invitee.token, EVENTS, { id: w.occasionId })).occasion.events.totalCount).toBe(2);
  });

  it('invites a vendor limited to one event: the vendor sees and reads only that event', async () => {
    const w = await buildWorld(s, { events: 3, households: [] });
    const vendorUser = await signUpUser(s, 'florist');
    const inv = await invite(w, { email: vendorUser.email, role: 'vendor', displayName: 'Florist Ltd', kind: 'VENDOR', eventIds: [w.eventIds[1]] });
    expect(inv.invitation.eventIds).toEqual([w.eventIds[1]]);
    const a = await must(s, vendorUser.token, ACCEPT, { i: { token: inv.token } });
    expect(a.acceptCollaboratorInvitation.actor.hasAccount).toBe(true);
    const actor = await s.app.db.prisma.actor.findUniqueOrThrow({ where: { id: rawId(inv.invitation.actorId) } });
    expect(actor).toMatchObject({ kind: 'VENDOR', userId: vendorUser.userId });
    const grants = await s.app.db.prisma.grant.findMany({ where: { subjectActorId: actor.id }, orderBy: { scopeType: 'asc' } });
    expect(grants.map((g) => [g.scopeType, g.role, g.actions, g.scopeEventId])).toEqual(
      expect.arrayContaining([
        ['OCCASION', null, ['occasion:read'], null],
        ['EVENT', 'vendor', [], rawId(w.eventIds[1]!)],
      ]),
    );
    expect(grants).toHaveLength(2);

    const events = (await must(s, vendorUser.token, EVENTS, { id: w.occasionId })).occasion.events;
    expect(events.totalCount).toBe(1);
    expect(events.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([w.eventIds[1]]);
    expect(errorCode(await call(vendorUser.token, `query($id: ID!) { event(id: $id) { name } }`, { id: w.eventIds[0] }))).toBe('FORBIDDEN');
    expect(
      errorCode(await call(vendorUser.token, `query($id: ID!) { occasion(id: $id) { actors(first: 5) { totalCount } } }`, { id: w.occasionId })),
    ).toBe('FORBIDDEN');
    expect((await must(s, vendorUser.token, `query($id: ID!) { event(id: $id) { name } }`, { id: w.eventIds[1] })).event.name).toBe('Event 2');
  });

  it('invites an existing actor (a household member) by actorId', async () => {
    const w = await buildWorld(s, { events: 1, households: [2] });
    const guest = await signUpUser(s, 'guest');
    const memberId = w.households[0]!.memberIds[1]!;
    const inv = await invite(w, { email: guest.email, role: 'viewer', actorId: memberId });
    expect(inv.invitation.actorId).toBe(memberId);
    const a = await must(s, guest.token, ACCEPT, { i: { token: inv.token } });
    expect(a.acceptCollaboratorInvitation.actor.id).toBe(memberId);
    // the already linked actor cannot be invited again
    const again = await call(w.owner.token, INVITE, { i: { occasionId: w.occasionId, email: 'x@example.com', role: 'viewer', actorId: memberId } });
    expect(again.body.data.inviteCollaborator).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
  });

  it('refuses bad invitations with typed errors and writes nothing', async () => {
    const w = await buildWorld(s, { events: 1, households: [] });
    const other = await buildWorld(s, { events: 1, households: [1] });
    const watch = await watchOccasion(s, w.occasionId);
    const res = async (i: Record<string, unknown>) =>
      call(w.owner.token, INVITE, { i: { occasionId: w.occasionId, displayName: 'X', email: 'x@example.com', role: 'viewer', ...i } });
    expect((await res({ role: 'owner' })).body.data.inviteCollaborator).toMatchObject({
      __typename: 'ValidationError',
      fields: [{ path: 'input.role' }],
    });
    expect((await res({ role: 'emperor' })).body.data.inviteCollaborator).toMatchObject({
      __typename: 'ValidationError',
      fields: [{ path: 'input.role' }],
    });
    expect((await res({ email: 'nope' })).body.data.inviteCollaborator).toMatchObject({
      __typename: 'ValidationError',
      fields: [{ path: 'input.email' }],
    });
    expect((await res({ displayName: null })).body.data.inviteCollaborator).toMatchObject({
      __typename: 'ValidationError',
      fields: [{ path: 'input.displayName' }],
    });
    expect((await res({ expiresInDays: 365 })).body.data.inviteCollaborator).toMatchObject({
      __typename: 'ValidationError',
      fields: [{ path: 'input.expiresInDays' }],
    });
    expect(errorCode(await res({ eventIds: [other.eventIds[0]] }))).toBe('NOT_FOUND');
    expect(errorCode(await res({ actorId: other.households[0]!.id }))).toBe('NOT_FOUND');
    await watch.expectUnchanged();
  });

  it('is FORBIDDEN for a co-planner, a viewer and a vendor (access:manage), and NOT_FOUND for strangers', async () => {
    const w = await buildWorld(s, { events: 1, households: [], collaborators: { co_planner: undefined, viewer: undefined, vendor: [0] } });
    const stranger = await signUpUser(s, 'stranger');
    const watch = await watchOccasion(s, w.occasionId);
    for (const role of ['co_planner', 'viewer', 'vendor']) {
      const r = await call(w.people[role]!.token, INVITE, {
        i: { occasionId: w.occasionId, email: 'x@example.com', role: 'viewer', displayName: 'X' },
      });
      expect(errorCode(r)).toBe('FORBIDDEN');
    }
    expect(
      errorCode(await call(stranger.token, INVITE, { i: { occasionId: w.occasionId, email: 'x@example.com', role: 'viewer', displayName: 'X' } })),
    ).toBe('NOT_FOUND');
    await watch.expectUnchanged();
  });

  it('nobody invites beyond their own access: a co-planner with access:manage cannot invite a planner', async () => {
    // given a co-planner who was also given access:manage
    const w = await buildWorld(s, { events: 1, households: [], collaborators: { planner: undefined, co_planner: undefined } });
    await must(s, w.owner.token, `mutation($i: GrantAccessInput!) { grantAccess(input: $i) { __typename ... on GrantPayload { grant { id } } } }`, {
      i: { occasionId: w.occasionId, subjectId: w.people.co_planner!.actorId, actions: ['access:manage'], scope: { type: 'OCCASION' } },
    });
    const watch = await watchOccasion(s, w.occasionId);

    // when they invite someone as planner (which holds module:manage, which they lack)
    const r = await call(w.people.co_planner!.token, INVITE, {
      i: { occasionId: w.occasionId, email: 'p@example.com', role: 'planner', displayName: 'P' },
    });

    // then it is refused and nothing is written
    expect(r.body.data.inviteCollaborator).toMatchObject({
      __typename: 'ValidationError',
      code: 'VALIDATION_FAILED',
      fields: [{ path: 'input.role', message: 'Beyond your own access.' }],
    });
    await watch.expectUnchanged();
    // while inviting a viewer is fine, and a planner may invite another planner
    expect(
      (await call(w.people.co_planner!.token, INVITE, { i: { occasionId: w.occasionId, email: 'v@example.com', role: 'viewer', displayName: 'V' } }))
        .body.data.inviteCollaborator.__typename,
    ).toBe('InviteCollaboratorPayload');
    expect(
      (await call(w.people.planner!.token, INVITE, { i: { occasionId: w.occasionId, email: 'p2@example.com', role: 'planner', displayName: 'P2' } }))
        .body.data.inviteCollaborator.__typename,
    ).toBe('InviteCollaboratorPayload');
  });
});

describe('invalid invitation tokens', () => {
  const setUp = async () => {
    const w = await buildWorld(s, { events: 1, households: [] });
    const invitee = await signUpUser(s, 'invitee');
    const inv = await invite(w, { email: invitee.email, role: 'helper', displayName: 'Helper' });
    return { w, invitee, inv };
  };
  const expectInvalid = async (token: string, user: TestUser, w: World) => {
    const watch = await watchOccasion(s, w.occasionId);
    const r = await call(user.token, ACCEPT, { i: { token } });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.acceptCollaboratorInvitation).toMatchObject({ __typename: 'InvalidTokenError', code: 'INVALID_TOKEN' });
    await watch.expectUnchanged();
  };

  it('refuses a user signed in with another email', async () => {
    const { w, inv } = await setUp();
    const someoneElse = await signUpUser(s, 'someone');
    await expectInvalid(inv.token, someoneElse, w);
    expect(errorCode(await call(someoneElse.token, EVENTS, { id: w.occasionId }))).toBe('NOT_FOUND');
  });

  it('refuses a revoked invitation; revoking twice is a ConflictError', async () => {
    const { w, invitee, inv } = await setUp();
    const watch = await watchOccasion(s, w.occasionId);
    const requestId = newRequestId('revoke');
    const r = await call(w.owner.token, REVOKE, { i: { id: inv.invitation.id } }, requestId);
    expect(r.body.data.revokeCollaboratorInvitation.invitation).toMatchObject({ id: inv.invitation.id, status: 'REVOKED' });
    await watch.expectDelta({ revokedInvitations: 1, audit: 1 });
    const [audit] = await watch.audit();
    expect(audit).toMatchObject({ action: 'access:revoke_invitation', targetId: rawId(inv.invitation.id), requestId });
    expect(audit!.before).toMatchObject({ revokedAt: null });
    expect((audit!.after as { revokedAt: string }).revokedAt).toEqual(expect.any(String));

    await expectInvalid(inv.token, invitee, w);
    const again = await call(w.owner.token, REVOKE, { i: { id: inv.invitation.id } });
    expect(again.body.data.revokeCollaboratorInvitation).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
  });

  it('refuses revoking for a helper (FORBIDDEN) and a stranger (NOT_FOUND)', async () => {
    const { w, inv } = await setUp();
    const helper = await addCollaborator(s, w.owner, w.occasionId, 'helper');
    const stranger = await signUpUser(s, 'stranger');
    const watch = await watchOccasion(s, w.occasionId);
    expect(errorCode(await call(helper.token, REVOKE, { i: { id: inv.invitation.id } }))).toBe('FORBIDDEN');
    expect(errorCode(await call(stranger.token, REVOKE, { i: { id: inv.invitation.id } }))).toBe('NOT_FOUND');
    await watch.expectUnchanged();
  });

  it('refuses an expired invitation', async () => {
    const { w, invitee, inv } = await setUp();
    await s.app.db.prisma.collaboratorInvitation.update({
      where: { id: rawId(inv.invitation.id) },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    await expectInvalid(inv.token, invitee, w);
    const list = await must(s, w.owner.token, `query($id: ID!) { occasion(id: $id) { collaboratorInvitations { id status } } }`, {
      id: w.occasionId,
    });
    expect(list.occasion.collaboratorInvitations).toEqual([{ id: inv.invitation.id, status: 'EXPIRED' }]);
  });

  it('refuses a token that was already used, and one that never existed', async () => {
    const { w, invitee, inv } = await setUp();
    await must(s, invitee.token, ACCEPT, { i: { token: inv.token } });
    await expectInvalid(inv.token, invitee, w);
    await expectInvalid('tovinv_made_up', invitee, w);
  });

  it('refuses someone who already takes part (ConflictError), and anonymous callers', async () => {
    const w = await buildWorld(s, { events: 1, households: [] });
    const inv = await invite(w, { email: w.owner.email, role: 'viewer', displayName: 'Me again' });
    const watch = await watchOccasion(s, w.occasionId);
    const r = await call(w.owner.token, ACCEPT, { i: { token: inv.token } });
    expect(r.body.data.acceptCollaboratorInvitation).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
    expect(errorCode(await call(undefined, ACCEPT, { i: { token: inv.token } }))).toBe('UNAUTHENTICATED');
    await watch.expectUnchanged();
    const mine = await s.app.db.prisma.collaboratorInvitation.findUniqueOrThrow({ where: { id: rawId(inv.invitation.id) } });
    expect(mine.acceptedAt).toBeNull();
    expect(globalId('CollaboratorInvitation', mine.id)).toBe(inv.invitation.id);
  });
});
