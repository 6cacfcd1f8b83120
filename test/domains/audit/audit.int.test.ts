import { collaboratorInviteToken } from '../../support/messages.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildWorld, signUpUser, type TestUser, type World } from '../../support/factories.js';
import { errorCode, startServer } from '../../support/harness.js';
import { globalId, newRequestId, rawId, rowsOfRequest } from '../../support/rows.js';

const s = await startServer();

interface Step {
  name: string;
  query: string;
  vars: () => Record<string, unknown>;
  action: string;
  targetType: string;
  /** Raw id of the target, from the result (or known ids). */
  target: (data: any) => string;
  /** Updates carry both; creates only after; deletes only before. */
  snapshots: 'after' | 'both' | 'before';
  outbox: string[];
  as?: () => TestUser;
  /** Keep ids for later steps. */
  keep?: (data: any) => void | Promise<void>;
}

const ids: Record<string, string> = {};
let w: World;
let invitee: TestUser;
let ownerActorId: string;

const m = (name: string, input: string, select: string) =>
  `mutation($i: ${input}!) { ${name}(input: $i) { __typename ${select} ... on Error { code message } } }`;

const STEPS: Step[] = [
  {
    name: 'createEvent',
    query: m('createEvent', 'CreateEventInput', '... on EventPayload { event { id } }'),
    vars: () => ({ i: { occasionId: w.occasionId, name: 'Ceremony', startsAt: '2027-06-01T15:00:00Z' } }),
    action: 'event:create',
    targetType: 'Event',
    snapshots: 'after',
    outbox: ['event.created'],
    target: (d) => rawId(d.createEvent.event.id),
    keep: (d) => (ids.event = d.createEvent.event.id),
  },
  {
    name: 'updateEvent',
    query: m('updateEvent', 'UpdateEventInput', '... on EventPayload { event { id } }'),
    vars: () => ({ i: { id: ids.event, location: 'Chapel' } }),
    action: 'event:update',
    targetType: 'Event',
    snapshots: 'both',
    outbox: ['event.updated'],
    target: () => rawId(ids.event!),
  },
  {
    name: 'createTag',
    query: m('createTag', 'CreateTagInput', '... on TagPayload { tag { id } }'),
    vars: () => ({ i: { occasionId: w.occasionId, name: 'VIP' } }),
    action: 'actor:update',
    targetType: 'Tag',
    snapshots: 'after',
    outbox: [],
    target: (d) => rawId(d.createTag.tag.id),
    keep: (d) => (ids.tag = d.createTag.tag.id),
  },
  {
    name: 'createActor',
    query: m('createActor', 'CreateActorInput', '... on ActorPayload { actor { id } }'),
    vars: () => ({ i: { occasionId: w.occasionId, kind: 'HOUSEHOLD', displayName: 'Audited household' } }),
    action: 'actor:create',
    targetType: 'Actor',
    snapshots: 'after',
    outbox: ['actor.created'],
    target: (d) => rawId(d.createActor.actor.id),
    keep: (d) => (ids.household = d.createActor.actor.id),
  },
  {
    name: 'createActor (person)',
    query: m('createActor', 'CreateActorInput', '... on ActorPayload { actor { id } }'),
    vars: () => ({ i: { occasionId: w.occasionId, kind: 'PERSON', displayName: 'Audited person' } }),
    action: 'actor:create',
    targetType: 'Actor',
    snapshots: 'after',
    outbox: ['actor.created'],
    target: (d) => rawId(d.createActor.actor.id),
    keep: (d) => (ids.person = d.createActor.actor.id),
  },
  {
    name: 'updateActor',
    query: m('updateActor', 'UpdateActorInput', '... on ActorPayload { actor { id } }'),
    vars: () => ({ i: { id: ids.person, displayName: 'Audited person (renamed)', tagIds: [ids.tag] } }),
    action: 'actor:update',
    targetType: 'Actor',
    snapshots: 'both',
    outbox: ['actor.updated'],
    target: () => rawId(ids.person!),
  },
  {
    name: 'addMembership',
    query: m('addMembership', 'AddMembershipInput', '... on MembershipPayload { membership { id } }'),
    vars: () => ({ i: { groupId: ids.household, memberId: ids.person } }),
    action: 'actor:update',
    targetType: 'Membership',
    snapshots: 'after',
    outbox: ['actor.updated'],
    target: (d) => rawId(d.addMembership.membership.id),
    keep: (d) => (ids.membership = d.addMembership.membership.id),
  },
  {
    name: 'updateMembership',
    query: m('updateMembership', 'UpdateMembershipInput', '... on MembershipPayload { membership { id } }'),
    vars: () => ({ i: { id: ids.membership, role: 'HEAD' } }),
    action: 'actor:update',
    targetType: 'Membership',
    snapshots: 'both',
    outbox: ['actor.updated'],
    target: () => rawId(ids.membership!),
  },
  {
    name: 'addRelationship',
    query: m('addRelationship', 'AddRelationshipInput', '... on RelationshipPayload { relationship { id } }'),
    vars: () => ({ i: { fromId: ids.person, toId: w.households[0]!.memberIds[0], kind: 'sibling' } }),
    action: 'actor:update',
    targetType: 'Relationship',
    snapshots: 'after',
    outbox: ['actor.updated'],
    target: (d) => rawId(d.addRelationship.relationship.id),
    keep: (d) => (ids.relationship = d.addRelationship.relationship.id),
  },
  {
    name: 'removeRelationship',
    query: `mutation($i: RemoveRelationshipInput!) { removeRelationship(input: $i) { deletedId } }`,
    vars: () => ({ i: { id: ids.relationship } }),
    action: 'actor:update',
    targetType: 'Relationship',
    snapshots: 'before',
    outbox: ['actor.updated'],
    target: () => rawId(ids.relationship!),
  },
  {
    name: 'removeMembership',
    query: `mutation($i: RemoveMembershipInput!) { removeMembership(input: $i) { deletedId } }`,
    vars: () => ({ i: { id: ids.membership } }),
    action: 'actor:update',
    targetType: 'Membership',
    snapshots: 'before',
    outbox: ['actor.updated'],
    target: () => rawId(ids.membership!),
  },
  {
    name: 'installModule',
    query: m('installModule', 'InstallModuleInput', '... on ModuleInstallationPayload { installation { id } }'),
    vars: () => ({ i: { occasionId: w.occasionId, moduleKey: 'rsvp' } }),
    action: 'module:install',
    targetType: 'ModuleInstallation',
    snapshots: 'after',
    outbox: ['module.installed'],
    target: (d) => rawId(d.installModule.installation.id),
    keep: (d) => (ids.installation = d.installModule.installation.id),
  },
  {
    name: 'configureModule',
    query: m('configureModule', 'ConfigureModuleInput', '... on ModuleInstallationPayload { installation { id } }'),
    vars: () => ({ i: { installationId: ids.installation, config: { defaultPlusOnes: 1 } } }),
    action: 'module:configure',
    targetType: 'ModuleInstallation',
    snapshots: 'both',
    outbox: ['module.configured'],
    target: () => rawId(ids.installation!),
  },
  {
    name: 'enableModule',
    query: m('enableModule', 'EnableModuleInput', '... on ModuleEnablementPayload { enablement { id } }'),
    vars: () => ({ i: { eventId: ids.event, moduleKey: 'rsvp' } }),
    action: 'module:enable',
    targetType: 'ModuleEnablement',
    snapshots: 'after',
    outbox: ['module.enabled'],
    target: (d) => rawId(d.enableModule.enablement.id),
    keep: (d) => (ids.enablement = d.enableModule.enablement.id),
  },
  {
    name: 'disableModule',
    query: `mutation($i: DisableModuleInput!) { disableModule(input: $i) { deletedId } }`,
    vars: () => ({ i: { eventId: ids.event, moduleKey: 'rsvp' } }),
    action: 'module:disable',
    targetType: 'ModuleEnablement',
    snapshots: 'before',
    outbox: ['module.disabled'],
    target: () => rawId(ids.enablement!),
  },
  {
    name: 'uninstallModule',
    query: `mutation($i: UninstallModuleInput!) { uninstallModule(input: $i) { __typename ... on UninstallModulePayload { deletedId } } }`,
    vars: () => ({ i: { installationId: ids.installation } }),
    action: 'module:uninstall',
    targetType: 'ModuleInstallation',
    snapshots: 'before',
    outbox: ['module.uninstalled'],
    target: () => rawId(ids.installation!),
  },
  {
    name: 'grantAccess',
    query: m('grantAccess', 'GrantAccessInput', '... on GrantPayload { grant { id } }'),
    vars: () => ({ i: { occasionId: w.occasionId, subjectId: ids.person, role: 'viewer', scope: { type: 'EVENT', eventId: ids.event } } }),
    action: 'access:grant',
    targetType: 'Grant',
    snapshots: 'after',
    outbox: ['access.granted'],
    target: (d) => rawId(d.grantAccess.grant.id),
    keep: (d) => (ids.grant = d.grantAccess.grant.id),
  },
  {
    name: 'revokeAccess',
    query: m('revokeAccess', 'RevokeAccessInput', '... on GrantPayload { grant { id } }'),
    vars: () => ({ i: { grantId: ids.grant } }),
    action: 'access:revoke',
    targetType: 'Grant',
    snapshots: 'both',
    outbox: ['access.revoked'],
    target: () => rawId(ids.grant!),
  },
  {
    name: 'inviteCollaborator',
    query: m('inviteCollaborator', 'InviteCollaboratorInput', '... on InviteCollaboratorPayload { invitation { id } }'),
    vars: () => ({ i: { occasionId: w.occasionId, email: invitee.email, role: 'helper', displayName: 'Helper' } }),
    action: 'access:invite',
    targetType: 'CollaboratorInvitation',
    snapshots: 'after',
    outbox: ['collaborator.invited'],
    target: (d) => rawId(d.inviteCollaborator.invitation.id),
    keep: async (d) => {
      ids.invitation = d.inviteCollaborator.invitation.id;
      // The invitee's token is in the email, never in the response.
      ids.inviteToken = await collaboratorInviteToken(s, d.inviteCollaborator.invitation.id);
    },
  },
  {
    name: 'acceptCollaboratorInvitation',
    query: m('acceptCollaboratorInvitation', 'AcceptCollaboratorInvitationInput', '... on AcceptCollaboratorInvitationPayload { actor { id } }'),
    vars: () => ({ i: { token: ids.inviteToken } }),
    action: 'access:accept_invitation',
    targetType: 'CollaboratorInvitation',
    snapshots: 'after',
    outbox: ['collaborator.joined'],
    target: () => rawId(ids.invitation!),
    as: () => invitee,
  },
  {
    name: 'inviteCollaborator (second)',
    query: m('inviteCollaborator', 'InviteCollaboratorInput', '... on InviteCollaboratorPayload { invitation { id } }'),
    vars: () => ({ i: { occasionId: w.occasionId, email: 'later@example.com', role: 'viewer', displayName: 'Later' } }),
    action: 'access:invite',
    targetType: 'CollaboratorInvitation',
    snapshots: 'after',
    outbox: ['collaborator.invited'],
    target: (d) => rawId(d.inviteCollaborator.invitation.id),
    keep: (d) => (ids.invitation2 = d.inviteCollaborator.invitation.id),
  },
  {
    name: 'revokeCollaboratorInvitation',
    query: m('revokeCollaboratorInvitation', 'RevokeCollaboratorInvitationInput', '... on CollaboratorInvitationPayload { invitation { id } }'),
    vars: () => ({ i: { id: ids.invitation2 } }),
    action: 'access:revoke_invitation',
    targetType: 'CollaboratorInvitation',
    snapshots: 'both',
    outbox: [],
    target: () => rawId(ids.invitation2!),
  },
  {
    name: 'updateOccasion',
    query: m('updateOccasion', 'UpdateOccasionInput', '... on OccasionPayload { occasion { id } }'),
    vars: () => ({ i: { id: w.occasionId, name: 'Audited occasion' } }),
    action: 'occasion:update',
    targetType: 'Occasion',
    snapshots: 'both',
    outbox: ['occasion.updated'],
    target: () => rawId(w.occasionId),
  },
  {
    name: 'deleteTag',
    query: `mutation($i: DeleteTagInput!) { deleteTag(input: $i) { deletedId } }`,
    vars: () => ({ i: { id: ids.tag } }),
    action: 'actor:update',
    targetType: 'Tag',
    snapshots: 'before',
    outbox: [],
    target: () => rawId(ids.tag!),
  },
  {
    name: 'deleteActor',
    query: `mutation($i: DeleteActorInput!) { deleteActor(input: $i) { __typename ... on DeleteActorPayload { deletedId } } }`,
    vars: () => ({ i: { id: ids.household } }),
    action: 'actor:delete',
    targetType: 'Actor',
    snapshots: 'before',
    outbox: ['actor.deleted'],
    target: () => rawId(ids.household!),
  },
  {
    name: 'deleteEvent',
    query: `mutation($i: DeleteEventInput!) { deleteEvent(input: $i) { deletedId } }`,
    vars: () => ({ i: { id: ids.event } }),
    action: 'event:delete',
    targetType: 'Event',
    snapshots: 'before',
    outbox: ['event.deleted'],
    target: () => rawId(ids.event!),
  },
];

beforeAll(async () => {
  w = await buildWorld(s, { events: 1, households: [1], collaborators: { planner: undefined } });
  invitee = await signUpUser(s, 'audited-invitee');
  ownerActorId = (await s.app.db.prisma.actor.findFirstOrThrow({ where: { occasionId: rawId(w.occasionId), userId: w.owner.userId } })).id;
});

describe('every mutation writes exactly one SUCCESS audit row', () => {
  // The steps build on each other, so they run in order in one test each.
  for (const step of STEPS) {
    it(`${step.name} → ${step.action} on ${step.targetType}`, async () => {
      const as = step.as?.() ?? w.owner;
      const requestId = newRequestId(step.name.replace(/[^A-Za-z]/g, '').slice(0, 20));
      const r = await s.gql(step.query, step.vars(), { token: as.token, headers: { 'x-request-id': requestId } });
      expect(r.body.errors).toBeUndefined();
      const first = Object.values(r.body.data)[0] as { code?: string };
      expect(first.code).toBeUndefined();
      expect(r.headers.get('x-request-id')).toBe(requestId);
      await step.keep?.(r.body.data);

      const { audit, outbox } = await rowsOfRequest(s, requestId);
      expect(audit).toHaveLength(1);
      const row = audit[0]!;
      const actorId =
        as === w.owner
          ? ownerActorId
          : (await s.app.db.prisma.actor.findFirstOrThrow({ where: { occasionId: rawId(w.occasionId), userId: as.userId } })).id;
      expect(row).toMatchObject({
        occasionId: rawId(w.occasionId),
        outcome: 'SUCCESS',
        principalType: 'user',
        principalId: as.userId,
        userId: as.userId,
        actorId,
        action: step.action,
        targetType: step.targetType,
        targetId: step.target(r.body.data),
        requestId,
        reason: null,
      });
      if (step.snapshots !== 'before') expect(row.after).not.toBeNull();
      else expect(row.after).toBeNull();
      if (step.snapshots !== 'after') expect(row.before).not.toBeNull();
      else expect(row.before).toBeNull();
      if (step.snapshots === 'both') expect(row.before).not.toEqual(row.after);
      // Secrets never reach the audit trail.
      expect(JSON.stringify([row.before, row.after])).not.toMatch(/tokenHash|passwordHash|tovinv_/);

      expect(outbox.map((o) => o.type)).toEqual(step.outbox);
      for (const o of outbox) expect(o.occasionId).toBe(rawId(w.occasionId));
    });
  }
});

describe('auditLog query', () => {
  const Q = `query($id: ID!, $first: Int, $after: String, $filter: AuditLogFilter) { auditLog(occasionId: $id, first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id at action outcome principalType actorId targetType targetId requestId before after } } } }`;

  it('pages newest first through every row of the occasion, for the owner', async () => {
    const total = await s.app.db.prisma.auditLog.count({ where: { occasionId: rawId(w.occasionId) } });
    expect(total).toBeGreaterThanOrEqual(STEPS.length);
    const seen: { id: string; at: string }[] = [];
    let after: string | undefined;
    for (let page = 0; page < 50; page++) {
      const r = await s.gql(Q, { id: w.occasionId, first: 7, after }, { token: w.owner.token });
      expect(r.body.errors).toBeUndefined();
      const c = r.body.data.auditLog;
      expect(c.totalCount).toBe(total);
      seen.push(...c.edges.map((e: { node: { id: string; at: string } }) => e.node));
      if (!c.pageInfo.hasNextPage) break;
      after = c.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(total);
    expect(new Set(seen.map((x) => x.id)).size).toBe(total);
    const times = seen.map((x) => new Date(x.at).getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('filters by action, target and actor', async () => {
    const r = await s.gql(Q, { id: w.occasionId, first: 50, filter: { action: 'module:enable' } }, { token: w.owner.token });
    expect(r.body.data.auditLog.totalCount).toBe(1);
    expect(r.body.data.auditLog.edges[0].node).toMatchObject({
      action: 'module:enable',
      targetType: 'ModuleEnablement',
      actorId: globalId('Actor', ownerActorId),
    });

    const updates = await s.gql(Q, { id: w.occasionId, first: 50, filter: { action: 'actor:update' } }, { token: w.owner.token });
    const expected = STEPS.filter((x) => x.action === 'actor:update').length;
    expect(updates.body.data.auditLog.totalCount).toBe(expected);
    expect(updates.body.data.auditLog.edges.every((e: { node: { action: string } }) => e.node.action === 'actor:update')).toBe(true);

    const byTarget = await s.gql(Q, { id: w.occasionId, first: 50, filter: { targetId: ids.event } }, { token: w.owner.token });
    expect(byTarget.body.data.auditLog.edges.map((e: { node: { action: string } }) => e.node.action)).toEqual([
      'event:delete',
      'event:update',
      'event:create',
    ]);

    const byInvitee = await s.gql(
      Q,
      {
        id: w.occasionId,
        first: 50,
        filter: { actorId: globalId('Actor', (await s.app.db.prisma.actor.findFirstOrThrow({ where: { userId: invitee.userId } })).id) },
      },
      { token: w.owner.token },
    );
    expect(byInvitee.body.data.auditLog.edges.map((e: { node: { action: string } }) => e.node.action)).toEqual(['access:accept_invitation']);

    const none = await s.gql(Q, { id: w.occasionId, first: 50, filter: { action: 'no:such' } }, { token: w.owner.token });
    expect(none.body.data.auditLog).toMatchObject({ totalCount: 0, edges: [] });
  });

  it('is FORBIDDEN for a planner (audit:read is owner-only) and NOT_FOUND for strangers', async () => {
    const planner = await s.gql(Q, { id: w.occasionId, first: 5 }, { token: w.people.planner!.token });
    expect(errorCode(planner)).toBe('FORBIDDEN');
    expect(planner.body.data).toBeNull();
    const stranger = await signUpUser(s, 'audit-stranger');
    expect(errorCode(await s.gql(Q, { id: w.occasionId, first: 5 }, { token: stranger.token }))).toBe('NOT_FOUND');
    expect(errorCode(await s.gql(Q, { id: w.occasionId, first: 5 }))).toBe('UNAUTHENTICATED');
  });

  it('does not show another occasion’s rows', async () => {
    const other = await buildWorld(s, { events: 1, households: [] });
    const r = await s.gql(Q, { id: other.occasionId, first: 50 }, { token: other.owner.token });
    const actions = r.body.data.auditLog.edges.map((e: { node: { action: string } }) => e.node.action);
    expect(actions).toEqual(['event:create', 'occasion:create']);
  });

  it('ignores an x-request-id that is not safe to log, using a fresh one instead', async () => {
    const r = await s.gql(
      STEPS[0]!.query,
      { i: { occasionId: w.occasionId, name: 'Header test' } },
      { token: w.owner.token, headers: { 'x-request-id': 'bad id with spaces' } },
    );
    expect(r.body.errors).toBeUndefined();
    const rid = r.headers.get('x-request-id');
    expect(rid).not.toBe('bad id with spaces');
    const { audit } = await rowsOfRequest(s, rid!);
    expect(audit.map((a) => a.action)).toEqual(['event:create']);
  });
});
