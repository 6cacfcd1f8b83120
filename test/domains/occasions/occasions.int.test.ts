import { beforeAll, describe, expect, it } from 'vitest';
import { buildWorld, signUpUser, uniq, type World } from '../../support/factories.js';
import { errorCode, startServer } from '../../support/harness.js';
import { newRequestId, rawId, watchOccasion } from '../../support/rows.js';

const s = await startServer();
const call = (token: string | undefined, query: string, variables?: Record<string, unknown>, requestId?: string) =>
  s.gql(query, variables, { token, headers: requestId ? { 'x-request-id': requestId } : {} });

const CREATE = `mutation($i: CreateOccasionInput!) { createOccasion(input: $i) { __typename
  ... on OccasionPayload { occasion { id name kind timezone defaultLocale branding myActions } }
  ... on ValidationError { code message fields { path message } } } }`;
const UPDATE = `mutation($i: UpdateOccasionInput!) { updateOccasion(input: $i) { __typename
  ... on OccasionPayload { occasion { id name kind timezone defaultLocale branding } }
  ... on ValidationError { code message fields { path message } } } }`;
const DELETE = `mutation($i: DeleteOccasionInput!) { deleteOccasion(input: $i) { deletedId } }`;
const READ = `query($id: ID!) { occasion(id: $id) { id name timezone } }`;

describe('createOccasion', () => {
  it('creates the occasion with the caller as its owner, one audit row and an occasion.created event', async () => {
    const u = await signUpUser(s, 'creator');
    const requestId = newRequestId('occ-create');
    const name = `Wedding ${uniq()}`;
    const r = await call(
      u.token,
      CREATE,
      { i: { name: `  ${name} `, kind: 'WEDDING', timezone: 'Europe/London', branding: { primary: '#123456' } } },
      requestId,
    );
    expect(r.body.errors).toBeUndefined();
    const occ = r.body.data.createOccasion.occasion;
    expect(occ).toMatchObject({ name, kind: 'WEDDING', timezone: 'Europe/London', defaultLocale: 'en', branding: { primary: '#123456' } });
    expect(occ.myActions).toEqual(expect.arrayContaining(['occasion:delete', 'audit:read', 'access:manage', 'module:manage']));

    const id = rawId(occ.id);
    const p = s.app.db.prisma;
    const owner = await p.actor.findFirstOrThrow({ where: { occasionId: id } });
    expect(owner).toMatchObject({ kind: 'PERSON', userId: u.userId, email: u.email, displayName: 'creator' });
    const grants = await p.grant.findMany({ where: { occasionId: id } });
    expect(grants).toHaveLength(1);
    expect(grants[0]).toMatchObject({ role: 'owner', scopeType: 'OCCASION', subjectActorId: owner.id, revokedAt: null });

    const audit = await p.auditLog.findMany({ where: { occasionId: id } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'occasion:create',
      outcome: 'SUCCESS',
      userId: u.userId,
      actorId: owner.id,
      targetType: 'Occasion',
      targetId: id,
      requestId,
    });
    const outbox = await p.outboxEvent.findMany({ where: { occasionId: id } });
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({ type: 'occasion.created', requestId, eventId: null, payload: { occasionId: id, name, kind: 'WEDDING' } });
  });

  it('is for signed-in users only', async () => {
    const name = `Anon ${uniq()}`;
    const r = await call(undefined, CREATE, { i: { name } });
    expect(errorCode(r)).toBe('UNAUTHENTICATED');
    expect(await s.app.db.prisma.occasion.count({ where: { name } })).toBe(0);
  });

  it('refuses bad input with a ValidationError per field and writes nothing', async () => {
    const u = await signUpUser(s, 'badocc');
    const requestId = newRequestId('occ-bad');
    const r = await call(
      u.token,
      CREATE,
      { i: { name: '   ', timezone: 'Mars/Olympus', defaultLocale: 'english', branding: { logo: { nested: true } } } },
      requestId,
    );
    const e = r.body.data.createOccasion;
    expect(e).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED' });
    expect(e.fields.map((f: { path: string }) => f.path).sort()).toEqual([
      'input.branding.logo',
      'input.defaultLocale',
      'input.name',
      'input.timezone',
    ]);
    const p = s.app.db.prisma;
    expect(await p.occasion.count({ where: { createdByUserId: u.userId } })).toBe(0);
    expect(await p.actor.count({ where: { userId: u.userId } })).toBe(0);
    expect(await p.auditLog.count({ where: { requestId, outcome: 'SUCCESS' } })).toBe(0);
    expect(await p.auditLog.count({ where: { requestId, outcome: 'FAILED', action: 'createOccasion' } })).toBe(1);
    expect(await p.outboxEvent.count({ where: { requestId } })).toBe(0);
  });

  it('refuses an unknown kind at the GraphQL layer', async () => {
    const u = await signUpUser(s, 'badkind');
    const r = await call(u.token, CREATE, { i: { name: 'x', kind: 'FUNERAL' } });
    expect(r.body.errors?.length).toBeGreaterThan(0);
    expect(await s.app.db.prisma.occasion.count({ where: { createdByUserId: u.userId } })).toBe(0);
  });
});

describe('updateOccasion', () => {
  let w: World;
  let other: World;
  beforeAll(async () => {
    w = await buildWorld(s, { events: 1, households: [1], collaborators: { planner: undefined, viewer: undefined, vendor: [0], helper: undefined } });
    other = await buildWorld(s, { events: 0, households: [] });
  });

  it('lets the owner and a planner change settings; audit has before/after, outbox lists what changed', async () => {
    const watch = await watchOccasion(s, w.occasionId);
    const requestId = newRequestId('occ-update');
    const r = await call(w.people.planner!.token, UPDATE, { i: { id: w.occasionId, name: 'Renamed', timezone: 'America/New_York' } }, requestId);
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.updateOccasion.occasion).toMatchObject({ name: 'Renamed', timezone: 'America/New_York', kind: 'WEDDING' });

    await watch.expectDelta({ audit: 1, outbox: 1 });
    const [audit] = await watch.audit();
    expect(audit).toMatchObject({
      action: 'occasion:update',
      outcome: 'SUCCESS',
      userId: w.people.planner!.userId,
      actorId: rawId(w.people.planner!.actorId),
      targetType: 'Occasion',
      targetId: watch.occasionId,
      requestId,
    });
    expect(audit!.before).toMatchObject({ timezone: 'UTC', kind: 'WEDDING' });
    expect(audit!.after).toMatchObject({ name: 'Renamed', timezone: 'America/New_York' });
    const [event] = await watch.outbox();
    expect(event).toMatchObject({ type: 'occasion.updated', requestId, payload: { occasionId: watch.occasionId, changed: ['name', 'timezone'] } });

    const byOwner = await call(w.owner.token, UPDATE, { i: { id: w.occasionId, kind: 'GALA', name: null } });
    // null means "leave unchanged"
    expect(byOwner.body.data.updateOccasion.occasion).toMatchObject({ kind: 'GALA', name: 'Renamed' });
  });

  it.each(['viewer', 'vendor', 'helper'])('is FORBIDDEN for a %s, and nothing changes', async (role) => {
    const before = await s.app.db.prisma.occasion.findUniqueOrThrow({ where: { id: rawId(w.occasionId) } });
    const watch = await watchOccasion(s, w.occasionId);
    const r = await call(w.people[role]!.token, UPDATE, { i: { id: w.occasionId, name: 'Hijacked' } });
    expect(errorCode(r)).toBe('FORBIDDEN');
    expect(r.body.data).toBeNull();
    await watch.expectUnchanged();
    expect(await s.app.db.prisma.occasion.findUniqueOrThrow({ where: { id: rawId(w.occasionId) } })).toEqual(before);
  });

  it('is NOT_FOUND for the owner of another occasion (no existence leak)', async () => {
    const watch = await watchOccasion(s, w.occasionId);
    const r = await call(other.owner.token, UPDATE, { i: { id: w.occasionId, name: 'Hijacked' } });
    expect(errorCode(r)).toBe('NOT_FOUND');
    await watch.expectUnchanged();
    const read = await call(other.owner.token, READ, { id: w.occasionId });
    expect(errorCode(read)).toBe('NOT_FOUND');
  });

  it('refuses bad input with field issues and writes nothing', async () => {
    const watch = await watchOccasion(s, w.occasionId);
    const r = await call(w.owner.token, UPDATE, { i: { id: w.occasionId, name: '', timezone: 'Nowhere/Land' } });
    expect(r.body.data.updateOccasion).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED' });
    expect(r.body.data.updateOccasion.fields.map((f: { path: string }) => f.path).sort()).toEqual(['input.name', 'input.timezone']);
    await watch.expectUnchanged();
    expect((await s.app.db.prisma.occasion.findUniqueOrThrow({ where: { id: rawId(w.occasionId) } })).timezone).not.toBe('Nowhere/Land');
  });

  it('refuses an id that is not an Occasion id', async () => {
    const r = await call(w.owner.token, UPDATE, { i: { id: w.eventIds[0], name: 'x' } });
    expect(r.body.errors?.[0]?.extensions?.code).toBeDefined();
    expect(r.body.data).toBeNull();
  });
});

describe('deleteOccasion', () => {
  it('is owner-only: FORBIDDEN for a planner and a co-planner, nothing deleted', async () => {
    const w = await buildWorld(s, { events: 1, households: [2], collaborators: { planner: undefined, co_planner: undefined } });
    for (const role of ['planner', 'co_planner']) {
      const watch = await watchOccasion(s, w.occasionId);
      const r = await call(w.people[role]!.token, DELETE, { i: { id: w.occasionId } });
      expect(errorCode(r)).toBe('FORBIDDEN');
      await watch.expectUnchanged();
    }
  });

  it('is NOT_FOUND for a stranger', async () => {
    const w = await buildWorld(s, { events: 0, households: [] });
    const stranger = await signUpUser(s, 'stranger');
    const watch = await watchOccasion(s, w.occasionId);
    const r = await call(stranger.token, DELETE, { i: { id: w.occasionId } });
    expect(errorCode(r)).toBe('NOT_FOUND');
    await watch.expectUnchanged();
  });

  it('deletes everything of the occasion; the audit row and occasion.deleted event remain', async () => {
    // given an occasion with events, households, tags, a module and collaborators
    const w = await buildWorld(s, { events: 2, households: [2, 1], tags: ['family'], collaborators: { vendor: [0] }, modules: { rsvp: [0] } });
    const id = rawId(w.occasionId);
    const requestId = newRequestId('occ-delete');

    // when the owner deletes it
    const r = await call(w.owner.token, DELETE, { i: { id: w.occasionId } }, requestId);

    // then
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.deleteOccasion.deletedId).toBe(w.occasionId);
    const p = s.app.db.prisma;
    for (const n of [
      await p.occasion.count({ where: { id } }),
      await p.event.count({ where: { occasionId: id } }),
      await p.actor.count({ where: { occasionId: id } }),
      await p.tag.count({ where: { occasionId: id } }),
      await p.membership.count({ where: { occasionId: id } }),
      await p.grant.count({ where: { occasionId: id } }),
      await p.moduleInstallation.count({ where: { occasionId: id } }),
      await p.moduleEnablement.count({ where: { occasionId: id } }),
      await p.collaboratorInvitation.count({ where: { occasionId: id } }),
    ]) {
      expect(n).toBe(0);
    }
    const audit = await p.auditLog.findMany({ where: { requestId } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'occasion:delete', occasionId: id, userId: w.owner.userId, targetId: id });
    expect(audit[0]!.actorId).not.toBeNull();
    expect(audit[0]!.before).toMatchObject({ id, name: expect.any(String) });
    const outbox = await p.outboxEvent.findMany({ where: { requestId } });
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({ type: 'occasion.deleted', occasionId: id, payload: { occasionId: id } });
    // Users survive; the vendor now simply has no such occasion.
    const v = await call(w.people.vendor!.token, READ, { id: w.occasionId });
    expect(errorCode(v)).toBe('NOT_FOUND');
  });
});

describe('occasion queries', () => {
  it('occasions lists only those the caller takes part in, with search and totalCount', async () => {
    const a = await buildWorld(s, { events: 0, households: [], collaborators: { viewer: undefined } });
    const b = await buildWorld(s, { events: 0, households: [] });
    const q = `query($search: String) { occasions(first: 10, search: $search) { totalCount edges { node { id name } } } }`;
    const mine = await call(a.owner.token, q);
    expect(mine.body.data.occasions.totalCount).toBe(1);
    expect(mine.body.data.occasions.edges[0].node.id).toBe(a.occasionId);
    const viewer = await call(a.people.viewer!.token, q);
    expect(viewer.body.data.occasions.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([a.occasionId]);
    const none = await call(a.owner.token, q, { search: 'no-such-name' });
    expect(none.body.data.occasions.totalCount).toBe(0);
    const readOther = await call(a.owner.token, READ, { id: b.occasionId });
    expect(errorCode(readOther)).toBe('NOT_FOUND');
    const anon = await call(undefined, READ, { id: a.occasionId });
    expect(errorCode(anon)).toBe('UNAUTHENTICATED');
  });

  it('occasions leaves out occasions the caller cannot open: only event-scoped or expired access', async () => {
    // given a vendor invited to one event (event-scoped vendor role + occasion-wide occasion:read)
    const w = await buildWorld(s, { events: 2, households: [], collaborators: { vendor: [0] } });
    const vendor = w.people.vendor!;
    const q = `query { occasions(first: 10) { totalCount edges { node { id } } } }`;
    expect((await call(vendor.token, q)).body.data.occasions.totalCount).toBe(1);

    // when the occasion-wide occasion:read is taken away, leaving only the event grant
    await s.app.db.prisma.grant.updateMany({
      where: { subjectActorId: rawId(vendor.actorId), scopeType: 'OCCASION' },
      data: { revokedAt: new Date() },
    });

    // then the occasion is neither listed nor counted (opening it would be NOT_FOUND/FORBIDDEN)
    expect((await call(vendor.token, q)).body.data.occasions).toEqual({ totalCount: 0, edges: [] });

    // and an occasion-wide grant that has expired does not list it either
    await s.app.db.prisma.grant.updateMany({
      where: { subjectActorId: rawId(vendor.actorId), scopeType: 'OCCASION' },
      data: { revokedAt: null, expiresAt: new Date(Date.now() - 1000) },
    });
    expect((await call(vendor.token, q)).body.data.occasions.totalCount).toBe(0);
  });
});
