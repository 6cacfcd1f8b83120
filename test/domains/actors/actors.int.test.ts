import { beforeAll, describe, expect, it } from 'vitest';
import { addCollaborator, buildWorld, must, type World } from '../../support/factories.js';
import { errorCode, startServer } from '../../support/harness.js';
import { globalId, newRequestId, rawId, watchOccasion } from '../../support/rows.js';

const s = await startServer();
const call = (token: string | undefined, query: string, variables?: Record<string, unknown>, requestId?: string) =>
  s.gql(query, variables, { token, headers: requestId ? { 'x-request-id': requestId } : {} });

const ERR = `... on Error { code message } ... on ValidationError { fields { path message } }`;
const ACTOR = `id kind displayName email phone notes attributes hasAccount tags { id name } members { id role member { id displayName email } }`;
const CREATE = `mutation($i: CreateActorInput!) { createActor(input: $i) { __typename ... on ActorPayload { actor { ${ACTOR} } } ${ERR} } }`;
const UPDATE = `mutation($i: UpdateActorInput!) { updateActor(input: $i) { __typename ... on ActorPayload { actor { ${ACTOR} } } ${ERR} } }`;
const DELETE = `mutation($i: DeleteActorInput!) { deleteActor(input: $i) { __typename ... on DeleteActorPayload { deletedId } ... on Error { code message } } }`;
const ADD_MEMBER = `mutation($i: AddMembershipInput!) { addMembership(input: $i) { __typename ... on MembershipPayload { membership { id role group { id } member { id } } } ${ERR} } }`;
const UPDATE_MEMBER = `mutation($i: UpdateMembershipInput!) { updateMembership(input: $i) { __typename ... on MembershipPayload { membership { id role } } ${ERR} } }`;
const REMOVE_MEMBER = `mutation($i: RemoveMembershipInput!) { removeMembership(input: $i) { deletedId } }`;
const ADD_REL = `mutation($i: AddRelationshipInput!) { addRelationship(input: $i) { __typename ... on RelationshipPayload { relationship { id kind from { id } to { id } } } ${ERR} } }`;
const REMOVE_REL = `mutation($i: RemoveRelationshipInput!) { removeRelationship(input: $i) { deletedId } }`;
const CREATE_TAG = `mutation($i: CreateTagInput!) { createTag(input: $i) { __typename ... on TagPayload { tag { id name color } } ${ERR} } }`;
const DELETE_TAG = `mutation($i: DeleteTagInput!) { deleteTag(input: $i) { deletedId } }`;

const newPerson = async (w: World, displayName: string, extra: Record<string, unknown> = {}) =>
  (await must(s, w.owner.token, CREATE, { i: { occasionId: w.occasionId, kind: 'PERSON', displayName, ...extra } })).createActor.actor as {
    id: string;
  };
const newActor = async (w: World, kind: string, displayName: string, extra: Record<string, unknown> = {}) =>
  (await must(s, w.owner.token, CREATE, { i: { occasionId: w.occasionId, kind, displayName, ...extra } })).createActor.actor as {
    id: string;
    members: { id: string; member: { id: string } }[];
  };

let w: World;
let other: World;
beforeAll(async () => {
  w = await buildWorld(s, {
    events: 1,
    households: [2, 2],
    tags: ['family', 'friends'],
    collaborators: { viewer: undefined, vendor: [0], helper: undefined },
  });
  other = await buildWorld(s, { events: 0, households: [1], tags: ['theirs'] });
});

describe('createActor', () => {
  it('creates a household with new members, tags and attributes; one audit row and actor.created', async () => {
    const watch = await watchOccasion(s, w.occasionId);
    const requestId = newRequestId('actor-create');
    const r = await call(
      w.owner.token,
      CREATE,
      {
        i: {
          occasionId: w.occasionId,
          kind: 'HOUSEHOLD',
          displayName: 'The Lovelaces',
          email: ' Home@Lovelace.example ',
          notes: 'Seat near the front',
          attributes: { table: 4, vegetarian: true, 'diet.note': 'no nuts' },
          tagIds: [w.tagIds[0]],
          newMembers: [
            { displayName: 'Ada', email: 'ada@lovelace.example', role: 'HEAD' },
            { displayName: 'Byron', role: 'CHILD', phone: '+44 20 7946 0000' },
            { displayName: 'Guest of Ada', role: 'PLUS_ONE' },
          ],
        },
      },
      requestId,
    );
    expect(r.body.errors).toBeUndefined();
    const a = r.body.data.createActor.actor;
    expect(a).toMatchObject({
      kind: 'HOUSEHOLD',
      displayName: 'The Lovelaces',
      email: 'home@lovelace.example',
      notes: 'Seat near the front',
      hasAccount: false,
      attributes: { table: 4, vegetarian: true, 'diet.note': 'no nuts' },
    });
    expect(a.tags).toEqual([{ id: w.tagIds[0], name: 'family' }]);
    // members ordered by role (HEAD, MEMBER, PLUS_ONE, CHILD), then age
    expect(a.members.map((m: { role: string; member: { displayName: string } }) => [m.role, m.member.displayName])).toEqual([
      ['HEAD', 'Ada'],
      ['PLUS_ONE', 'Guest of Ada'],
      ['CHILD', 'Byron'],
    ]);

    await watch.expectDelta({ actors: 4, memberships: 3, actorTags: 1, audit: 1, outbox: 1 });
    const [audit] = await watch.audit();
    const id = rawId(a.id);
    expect(audit).toMatchObject({ action: 'actor:create', outcome: 'SUCCESS', userId: w.owner.userId, targetType: 'Actor', targetId: id, requestId });
    expect(audit!.actorId).toBe(
      (await s.app.db.prisma.actor.findFirstOrThrow({ where: { occasionId: watch.occasionId, userId: w.owner.userId } })).id,
    );
    expect(audit!.after).toMatchObject({ id, kind: 'HOUSEHOLD', tagIds: [rawId(w.tagIds[0]!)] });
    const [event] = await watch.outbox();
    expect(event).toMatchObject({ type: 'actor.created', requestId, payload: { occasionId: watch.occasionId, actorId: id, kind: 'HOUSEHOLD' } });
  });

  it.each(['viewer', 'vendor', 'helper'])('is FORBIDDEN for a %s, nothing written', async (role) => {
    const watch = await watchOccasion(s, w.occasionId);
    const r = await call(w.people[role]!.token, CREATE, { i: { occasionId: w.occasionId, kind: 'PERSON', displayName: 'Intruder' } });
    expect(errorCode(r)).toBe('FORBIDDEN');
    await watch.expectUnchanged();
  });

  it('is NOT_FOUND in another occasion, and with a tag of another occasion', async () => {
    const watch = await watchOccasion(s, w.occasionId);
    const r = await call(other.owner.token, CREATE, { i: { occasionId: w.occasionId, kind: 'PERSON', displayName: 'Intruder' } });
    expect(errorCode(r)).toBe('NOT_FOUND');
    const tag = await call(w.owner.token, CREATE, {
      i: { occasionId: w.occasionId, kind: 'PERSON', displayName: 'Tagged', tagIds: [other.tagIds[0]] },
    });
    expect(errorCode(tag)).toBe('NOT_FOUND');
    await watch.expectUnchanged();
  });

  it('refuses bad input with field issues and writes nothing', async () => {
    const watch = await watchOccasion(s, w.occasionId);
    const fields = async (i: Record<string, unknown>) => {
      const r = await call(w.owner.token, CREATE, { i: { occasionId: w.occasionId, ...i } });
      expect(r.body.data.createActor).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED' });
      return r.body.data.createActor.fields.map((f: { path: string }) => f.path).sort();
    };
    expect(await fields({ kind: 'PERSON', displayName: ' ', email: 'nope', phone: 'call me' })).toEqual([
      'input.displayName',
      'input.email',
      'input.phone',
    ]);
    expect(await fields({ kind: 'PERSON', displayName: 'A', attributes: { '1bad': 1, ok: { nested: 1 } } })).toEqual([
      'input.attributes.1bad',
      'input.attributes.ok',
    ]);
    expect(await fields({ kind: 'PERSON', displayName: 'Solo', newMembers: [{ displayName: 'Shadow' }] })).toEqual(['input.newMembers']);
    expect(await fields({ kind: 'HOUSEHOLD', displayName: 'H', newMembers: [{ displayName: 'X', email: 'bad' }] })).toEqual([
      'input.newMembers.0.email',
    ]);
    await watch.expectUnchanged();
  });
});

describe('updateActor', () => {
  it('patches details, replaces attributes and tags; audit before/after; actor.updated lists the changes', async () => {
    const person = await newPerson(w, 'Charles', { attributes: { table: 1 }, tagIds: [w.tagIds[0]] });
    const watch = await watchOccasion(s, w.occasionId);
    const requestId = newRequestId('actor-update');
    // A helper holds actor:update.
    const r = await call(
      w.people.helper!.token,
      `mutation($i: UpdateActorInput!) { updateActor(input: $i) { __typename ... on ActorPayload { actor { id displayName } } } }`,
      { i: { id: person.id, displayName: 'Charles B.', attributes: { seat: 'A3' }, tagIds: [w.tagIds[1]] } },
      requestId,
    );
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.updateActor).toEqual({ __typename: 'ActorPayload', actor: { id: person.id, displayName: 'Charles B.' } });
    // the helper may not read notes/contact, so read back as the owner
    const back = await must(s, w.owner.token, `query($id: ID!) { actor(id: $id) { ${ACTOR} } }`, { id: person.id });
    expect(back.actor).toMatchObject({ displayName: 'Charles B.', attributes: { seat: 'A3' }, tags: [{ id: w.tagIds[1], name: 'friends' }] });

    await watch.expectDelta({ audit: 1, outbox: 1 });
    const [audit] = await watch.audit();
    expect(audit).toMatchObject({
      action: 'actor:update',
      targetType: 'Actor',
      targetId: rawId(person.id),
      requestId,
      userId: w.people.helper!.userId,
      actorId: rawId(w.people.helper!.actorId),
    });
    expect(audit!.before).toMatchObject({ displayName: 'Charles', attributes: { table: 1 }, tagIds: [rawId(w.tagIds[0]!)] });
    expect(audit!.after).toMatchObject({ displayName: 'Charles B.', attributes: { seat: 'A3' }, tagIds: [rawId(w.tagIds[1]!)] });
    const [event] = await watch.outbox();
    expect(event).toMatchObject({
      type: 'actor.updated',
      payload: { occasionId: watch.occasionId, actorId: rawId(person.id), changed: ['displayName', 'attributes', 'tagIds'] },
    });
  });

  it('is FORBIDDEN for a viewer and a vendor, nothing changes', async () => {
    const person = await newPerson(w, 'Unchanged');
    for (const role of ['viewer', 'vendor']) {
      const watch = await watchOccasion(s, w.occasionId);
      const r = await call(w.people[role]!.token, UPDATE, { i: { id: person.id, displayName: 'Changed' } });
      expect(errorCode(r)).toBe('FORBIDDEN');
      await watch.expectUnchanged();
    }
    expect((await s.app.db.prisma.actor.findUniqueOrThrow({ where: { id: rawId(person.id) } })).displayName).toBe('Unchanged');
  });

  it('refuses bad input and a foreign tag, writing nothing', async () => {
    const person = await newPerson(w, 'Dora', { tagIds: [w.tagIds[0]] });
    const watch = await watchOccasion(s, w.occasionId);
    const r = await call(w.owner.token, UPDATE, { i: { id: person.id, email: 'not-an-email', displayName: '' } });
    expect(r.body.data.updateActor).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED' });
    expect(r.body.data.updateActor.fields.map((f: { path: string }) => f.path).sort()).toEqual(['input.displayName', 'input.email']);
    // A foreign tag fails after the old tags were deleted inside the transaction: the rollback must restore them.
    const foreign = await call(w.owner.token, UPDATE, { i: { id: person.id, tagIds: [other.tagIds[0]] } });
    expect(errorCode(foreign)).toBe('NOT_FOUND');
    await watch.expectUnchanged();
    expect(await s.app.db.prisma.actorTag.findMany({ where: { actorId: rawId(person.id) } })).toEqual([
      { actorId: rawId(person.id), tagId: rawId(w.tagIds[0]!) },
    ]);
  });

  it('is NOT_FOUND for an actor of another occasion', async () => {
    const r = await call(w.owner.token, UPDATE, { i: { id: other.households[0]!.id, displayName: 'Mine now' } });
    expect(errorCode(r)).toBe('NOT_FOUND');
  });
});

describe('deleteActor', () => {
  it('deletes a household: its memberships go, its people stay; audit and actor.deleted', async () => {
    const h = await newActor(w, 'HOUSEHOLD', 'Short-lived', { newMembers: [{ displayName: 'Stays' }] });
    const watch = await watchOccasion(s, w.occasionId);
    const requestId = newRequestId('actor-delete');
    const r = await call(w.owner.token, DELETE, { i: { id: h.id } }, requestId);
    expect(r.body.data.deleteActor).toEqual({ __typename: 'DeleteActorPayload', deletedId: h.id });
    await watch.expectDelta({ actors: -1, memberships: -1, audit: 1, outbox: 1 });
    expect(await s.app.db.prisma.actor.count({ where: { id: rawId(h.members[0]!.member.id) } })).toBe(1);
    const [audit] = await watch.audit();
    expect(audit).toMatchObject({ action: 'actor:delete', targetId: rawId(h.id), requestId });
    expect(audit!.before).toMatchObject({ displayName: 'Short-lived' });
    const [event] = await watch.outbox();
    expect(event).toMatchObject({ type: 'actor.deleted', payload: { occasionId: watch.occasionId, actorId: rawId(h.id) } });
  });

  it('refuses to delete the owner’s actor (ConflictError), nothing changes', async () => {
    const owner = await s.app.db.prisma.actor.findFirstOrThrow({ where: { occasionId: rawId(w.occasionId), userId: w.owner.userId } });
    const watch = await watchOccasion(s, w.occasionId);
    const r = await call(w.owner.token, DELETE, { i: { id: globalId('Actor', owner.id) } });
    expect(r.body.data.deleteActor).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
    await watch.expectUnchanged();
  });

  it.each(['viewer', 'vendor', 'helper'])('is FORBIDDEN for a %s', async (role) => {
    const watch = await watchOccasion(s, w.occasionId);
    const r = await call(w.people[role]!.token, DELETE, { i: { id: w.households[0]!.id } });
    expect(errorCode(r)).toBe('FORBIDDEN');
    await watch.expectUnchanged();
  });

  it('is NOT_FOUND for an actor of another occasion', async () => {
    const r = await call(w.owner.token, DELETE, { i: { id: other.households[0]!.id } });
    expect(errorCode(r)).toBe('NOT_FOUND');
    expect(await s.app.db.prisma.actor.count({ where: { id: rawId(other.households[0]!.id) } })).toBe(1);
  });
});

describe('memberships', () => {
  it('adds, re-roles and removes a member; each writes one audit row and actor.updated for the group', async () => {
    const h = await newActor(w, 'HOUSEHOLD', 'Growing');
    const p = await newPerson(w, 'Newcomer');
    let watch = await watchOccasion(s, w.occasionId);
    const add = await call(w.owner.token, ADD_MEMBER, { i: { groupId: h.id, memberId: p.id } }, newRequestId('m-add'));
    const m = add.body.data.addMembership.membership;
    expect(m).toMatchObject({ role: 'MEMBER', group: { id: h.id }, member: { id: p.id } });
    await watch.expectDelta({ memberships: 1, audit: 1, outbox: 1 });
    expect((await watch.audit())[0]).toMatchObject({ action: 'actor:update', targetType: 'Membership', targetId: rawId(m.id) });
    expect((await watch.outbox())[0]).toMatchObject({ type: 'actor.updated', payload: { actorId: rawId(h.id), changed: ['members'] } });

    watch = await watchOccasion(s, w.occasionId);
    const upd = await call(w.owner.token, UPDATE_MEMBER, { i: { id: m.id, role: 'HEAD' } });
    expect(upd.body.data.updateMembership.membership.role).toBe('HEAD');
    await watch.expectDelta({ audit: 1, outbox: 1 });
    const [ua] = await watch.audit();
    expect(ua!.before).toMatchObject({ role: 'MEMBER' });
    expect(ua!.after).toMatchObject({ role: 'HEAD' });
    expect((await watch.outbox())[0]).toMatchObject({ type: 'actor.updated', payload: { actorId: rawId(h.id), changed: ['members'] } });

    watch = await watchOccasion(s, w.occasionId);
    const rm = await call(w.owner.token, REMOVE_MEMBER, { i: { id: m.id } });
    expect(rm.body.data.removeMembership.deletedId).toBe(m.id);
    await watch.expectDelta({ memberships: -1, audit: 1, outbox: 1 });
    expect((await watch.outbox())[0]).toMatchObject({ type: 'actor.updated', payload: { actorId: rawId(h.id), changed: ['members'] } });
  });

  it('keeps a person in one household: adding them to a second is a ConflictError', async () => {
    const [first, second] = w.households;
    const person = first!.memberIds[0]!;
    const watch = await watchOccasion(s, w.occasionId);
    const r = await call(w.owner.token, ADD_MEMBER, { i: { groupId: second!.id, memberId: person } });
    expect(r.body.data.addMembership).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
    // Adding them again to their own household is a conflict too.
    const again = await call(w.owner.token, ADD_MEMBER, { i: { groupId: first!.id, memberId: person } });
    expect(again.body.data.addMembership).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
    await watch.expectUnchanged();
    // A group (not a household) may hold a person who already has a household.
    const g = await newActor(w, 'GROUP', 'College friends');
    const ok = await call(w.owner.token, ADD_MEMBER, { i: { groupId: g.id, memberId: person } });
    expect(ok.body.data.addMembership.__typename).toBe('MembershipPayload');
  });

  it('enforces which kinds may contain which', async () => {
    const household = await newActor(w, 'HOUSEHOLD', 'Kinds household');
    const group = await newActor(w, 'GROUP', 'Kinds group');
    const team = await newActor(w, 'TEAM', 'Kinds team');
    const vendor = await newActor(w, 'VENDOR', 'Kinds vendor');
    const person = await newPerson(w, 'Kinds person');
    const tryAdd = async (groupId: string, memberId: string) =>
      (await call(w.owner.token, ADD_MEMBER, { i: { groupId, memberId } })).body.data.addMembership;

    const watch = await watchOccasion(s, w.occasionId);
    for (const [g, m] of [
      [household, group],
      [household, w.households[1]!],
      [team, household],
      [vendor, team],
      [person, household],
      [group, group],
    ] as const) {
      const r = await tryAdd(g.id, m.id);
      expect(r).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED', fields: [{ path: 'input.memberId' }] });
    }
    await watch.expectUnchanged();

    for (const [g, m] of [
      [group, household],
      [team, person],
      [vendor, person],
    ] as const) {
      expect((await tryAdd(g.id, m.id)).__typename).toBe('MembershipPayload');
    }
  });

  it('is FORBIDDEN for a viewer and NOT_FOUND across occasions', async () => {
    const p = await newPerson(w, 'Loner');
    const watch = await watchOccasion(s, w.occasionId);
    const viewer = await call(w.people.viewer!.token, ADD_MEMBER, { i: { groupId: w.households[0]!.id, memberId: p.id } });
    expect(errorCode(viewer)).toBe('FORBIDDEN');
    const membership = await s.app.db.prisma.membership.findFirstOrThrow({ where: { groupActorId: rawId(w.households[0]!.id) } });
    const mid = globalId('Membership', membership.id);
    expect(errorCode(await call(w.people.viewer!.token, UPDATE_MEMBER, { i: { id: mid, role: 'CHILD' } }))).toBe('FORBIDDEN');
    expect(errorCode(await call(w.people.vendor!.token, REMOVE_MEMBER, { i: { id: mid } }))).toBe('FORBIDDEN');
    // a member from another occasion does not exist here
    const foreign = await call(w.owner.token, ADD_MEMBER, { i: { groupId: w.households[0]!.id, memberId: other.households[0]!.memberIds[0] } });
    expect(errorCode(foreign)).toBe('NOT_FOUND');
    expect(errorCode(await call(other.owner.token, REMOVE_MEMBER, { i: { id: mid } }))).toBe('NOT_FOUND');
    await watch.expectUnchanged();
  });
});

describe('relationships', () => {
  it('adds and removes a relationship, visible from both ends; audit and actor.updated', async () => {
    const a = await newPerson(w, 'Romeo');
    const b = await newPerson(w, 'Juliet');
    const watch = await watchOccasion(s, w.occasionId);
    const r = await call(w.owner.token, ADD_REL, { i: { fromId: a.id, toId: b.id, kind: ' Spouse ' } });
    const rel = r.body.data.addRelationship.relationship;
    expect(rel).toMatchObject({ kind: 'spouse', from: { id: a.id }, to: { id: b.id } });
    await watch.expectDelta({ relationships: 1, audit: 1, outbox: 1 });
    expect((await watch.audit())[0]).toMatchObject({ action: 'actor:update', targetType: 'Relationship', targetId: rawId(rel.id) });
    expect((await watch.outbox())[0]).toMatchObject({ type: 'actor.updated', payload: { actorId: rawId(a.id), changed: ['relationships'] } });
    const read = await must(
      s,
      w.owner.token,
      `query($a: ID!, $b: ID!) { a: actor(id: $a) { relationships { kind to { id } } } b: actor(id: $b) { relatedFrom { kind from { id } } } }`,
      { a: a.id, b: b.id },
    );
    expect(read.a.relationships).toEqual([{ kind: 'spouse', to: { id: b.id } }]);
    expect(read.b.relatedFrom).toEqual([{ kind: 'spouse', from: { id: a.id } }]);

    // duplicates, self-relations and odd kinds are refused, writing nothing
    const w2 = await watchOccasion(s, w.occasionId);
    expect((await call(w.owner.token, ADD_REL, { i: { fromId: a.id, toId: b.id, kind: 'spouse' } })).body.data.addRelationship).toMatchObject({
      __typename: 'ConflictError',
      code: 'CONFLICT',
    });
    expect((await call(w.owner.token, ADD_REL, { i: { fromId: a.id, toId: a.id, kind: 'friend' } })).body.data.addRelationship).toMatchObject({
      __typename: 'ValidationError',
      fields: [{ path: 'input.toId' }],
    });
    expect((await call(w.owner.token, ADD_REL, { i: { fromId: a.id, toId: b.id, kind: '<script>' } })).body.data.addRelationship).toMatchObject({
      __typename: 'ValidationError',
      fields: [{ path: 'input.kind' }],
    });
    expect(errorCode(await call(w.people.viewer!.token, ADD_REL, { i: { fromId: a.id, toId: b.id, kind: 'friend' } }))).toBe('FORBIDDEN');
    expect(errorCode(await call(w.people.viewer!.token, REMOVE_REL, { i: { id: rel.id } }))).toBe('FORBIDDEN');
    expect(errorCode(await call(w.owner.token, ADD_REL, { i: { fromId: a.id, toId: other.households[0]!.id, kind: 'friend' } }))).toBe('NOT_FOUND');
    await w2.expectUnchanged();

    const w3 = await watchOccasion(s, w.occasionId);
    const rm = await call(w.owner.token, REMOVE_REL, { i: { id: rel.id } });
    expect(rm.body.data.removeRelationship.deletedId).toBe(rel.id);
    await w3.expectDelta({ relationships: -1, audit: 1, outbox: 1 });
    expect((await w3.outbox())[0]).toMatchObject({ type: 'actor.updated', payload: { actorId: rawId(a.id), changed: ['relationships'] } });
  });
});

describe('tags', () => {
  it('creates and deletes a tag (deleting unlinks it from actors); one audit row each', async () => {
    const watch = await watchOccasion(s, w.occasionId);
    const requestId = newRequestId('tag-create');
    const r = await call(w.people.helper!.token, CREATE_TAG, { i: { occasionId: w.occasionId, name: ' Vegetarian ', color: '#00aa00' } }, requestId);
    const tag = r.body.data.createTag.tag;
    expect(tag).toMatchObject({ name: 'Vegetarian', color: '#00aa00' });
    await watch.expectDelta({ tags: 1, audit: 1 });
    expect((await watch.audit())[0]).toMatchObject({ action: 'actor:update', targetType: 'Tag', targetId: rawId(tag.id), requestId });

    await newPerson(w, 'Veggie', { tagIds: [tag.id] });
    const w2 = await watchOccasion(s, w.occasionId);
    const d = await call(w.owner.token, DELETE_TAG, { i: { id: tag.id } });
    expect(d.body.data.deleteTag.deletedId).toBe(tag.id);
    await w2.expectDelta({ tags: -1, actorTags: -1, audit: 1 });
    expect((await w2.audit())[0]).toMatchObject({ action: 'actor:update', targetType: 'Tag', targetId: rawId(tag.id) });
  });

  it('refuses a duplicate name, a bad colour, a viewer and another occasion, writing nothing', async () => {
    const watch = await watchOccasion(s, w.occasionId);
    expect((await call(w.owner.token, CREATE_TAG, { i: { occasionId: w.occasionId, name: 'family' } })).body.data.createTag).toMatchObject({
      __typename: 'ConflictError',
      code: 'CONFLICT',
    });
    expect((await call(w.owner.token, CREATE_TAG, { i: { occasionId: w.occasionId, name: 'x', color: 'green' } })).body.data.createTag).toMatchObject(
      { __typename: 'ValidationError', fields: [{ path: 'input.color' }] },
    );
    expect(errorCode(await call(w.people.viewer!.token, CREATE_TAG, { i: { occasionId: w.occasionId, name: 'viewer tag' } }))).toBe('FORBIDDEN');
    expect(errorCode(await call(w.people.vendor!.token, DELETE_TAG, { i: { id: w.tagIds[0] } }))).toBe('FORBIDDEN');
    expect(errorCode(await call(other.owner.token, DELETE_TAG, { i: { id: w.tagIds[0] } }))).toBe('NOT_FOUND');
    await watch.expectUnchanged();
  });
});

describe('Occasion.actors filters and paging', () => {
  let x: World;
  let unusedTag: string;
  const LIST = `query($id: ID!, $first: Int, $after: String, $filter: ActorFilter) { occasion(id: $id) { actors(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id displayName kind hasAccount } } } } }`;
  const list = async (filter?: object, first = 100, after?: string, token = x.owner.token) => {
    const r = await call(token, LIST, { id: x.occasionId, filter, first, after });
    expect(r.body.errors).toBeUndefined();
    return r.body.data.occasion.actors as {
      totalCount: number;
      pageInfo: { hasNextPage: boolean; endCursor: string };
      edges: { node: { id: string; displayName: string; kind: string; hasAccount: boolean } }[];
    };
  };
  const names = async (filter?: object) => (await list(filter)).edges.map((e) => e.node.displayName);

  beforeAll(async () => {
    // owner + 3 households (3 + 2 + 1 people) + a co-planner + a vendor contact = 1 + 3 + 6 + 2 = 12 actors
    x = await buildWorld(s, { events: 1, households: [3, 2, 1], tags: ['bride', 'groom'], collaborators: { co_planner: undefined, vendor: [0] } });
    await newActor(x, 'GROUP', 'Zumba club', { email: 'ZUMBA@club.example', tagIds: [x.tagIds[1]] });
    unusedTag = (await must(s, x.owner.token, CREATE_TAG, { i: { occasionId: x.occasionId, name: 'unused' } })).createTag.tag.id;
  });

  it('filters by kind, tags, search (name or email, any case) and account', async () => {
    expect(await names({ kinds: ['HOUSEHOLD'] })).toEqual(['Household 1', 'Household 2', 'Household 3']);
    expect(await names({ kinds: ['HOUSEHOLD', 'GROUP'] })).toEqual(['Household 1', 'Household 2', 'Household 3', 'Zumba club']);
    // households are tagged round-robin: 1 → bride, 2 → groom, 3 → bride
    expect(await names({ tagIds: [x.tagIds[0]] })).toEqual(['Household 1', 'Household 3']);
    expect(await names({ tagIds: [x.tagIds[0], x.tagIds[1]] })).toEqual(['Household 1', 'Household 2', 'Household 3', 'Zumba club']);
    expect(await names({ tagIds: [unusedTag] })).toEqual([]);
    expect(await names({ search: 'guest 1.' })).toEqual(['Guest 1.1', 'Guest 1.2', 'Guest 1.3']);
    expect(await names({ search: 'zumba@CLUB' })).toEqual(['Zumba club']);
    expect(await names({ hasAccount: true })).toEqual(['co_planner person', 'owner', 'vendor person']);
    expect((await list({ hasAccount: false })).totalCount).toBe(10);
    expect(await names({ kinds: ['PERSON'], hasAccount: true, search: 'vendor' })).toEqual(['vendor person']);
    expect(await names({ kinds: ['VENDOR'] })).toEqual([]);
  });

  it('searches email only for callers who may read contact details', async () => {
    // given a viewer (actor:read, not actor:read_contact)
    const viewer = await addCollaborator(s, x.owner, x.occasionId, 'viewer');
    try {
      // then a search by an email fragment finds nothing for them (the address stays hidden), but names still match
      expect((await list({ search: 'zumba@club' }, 100, undefined, viewer.token)).totalCount).toBe(0);
      expect((await list({ search: 'zumba' }, 100, undefined, viewer.token)).edges.map((e) => e.node.displayName)).toEqual(['Zumba club']);
      // and the owner's search still reaches the email
      expect(await names({ search: 'zumba@club' })).toEqual(['Zumba club']);
    } finally {
      await s.app.db.prisma.actor.delete({ where: { id: rawId(viewer.actorId) } });
    }
  });

  it('pages with first/after through every actor exactly once, with a steady totalCount', async () => {
    // given 13 actors
    const all = await list();
    expect(all.totalCount).toBe(13);
    expect(all.edges).toHaveLength(13);

    // when paging 4 at a time
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await list(undefined, 4, after);
      expect(page.totalCount).toBe(13);
      seen.push(...page.edges.map((e) => e.node.id));
      pages++;
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
      expect(pages).toBeLessThan(10);
    }

    // then every actor came once, in the same order as the full list (by name)
    expect(pages).toBe(4);
    expect(seen).toEqual(all.edges.map((e) => e.node.id));
    expect(new Set(seen).size).toBe(13);
    const sorted = [...all.edges.map((e) => e.node.displayName)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(all.edges.map((e) => e.node.displayName)).toEqual(sorted);

    // and paging a filtered list counts only the filtered rows
    const first = await list({ kinds: ['PERSON'] }, 5);
    expect(first.totalCount).toBe(9);
    const rest = await list({ kinds: ['PERSON'] }, 5, first.pageInfo.endCursor);
    expect(rest.edges).toHaveLength(4);
    expect(rest.pageInfo.hasNextPage).toBe(false);
    expect(new Set([...first.edges, ...rest.edges].map((e) => e.node.id)).size).toBe(9);
  });

  it('is FORBIDDEN for a vendor (no actor:read) and NOT_FOUND for strangers', async () => {
    const v = await call(x.people.vendor!.token, LIST, { id: x.occasionId, first: 5 });
    expect(errorCode(v)).toBe('FORBIDDEN');
    const o = await call(w.owner.token, LIST, { id: x.occasionId, first: 5 });
    expect(errorCode(o)).toBe('NOT_FOUND');
  });
});
