import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { CreateEventDocument, CreateOccasionDocument } from '../../../src/generated/graphql/graphql.js';
import { PRELOADED_OCCASIONS } from '../../../src/domains/permissions/authorizer.js';
import { buildWorld, must, payload, type World } from '../../support/factories.js';
import { startServer } from '../../support/harness.js';
import { rawId } from '../../support/rows.js';

const s = await startServer();

const OVERVIEW = `query Overview($id: ID!, $n: Int!) { occasion(id: $id) {
  events(first: 10) { edges { node { name startsAt modules { installation { moduleKey } } } } }
  actors(first: $n, filter: { kinds: [HOUSEHOLD] }) { totalCount edges { node {
    displayName tags { name } members { role member { displayName email } } } } }
  tags { name }
} }`;

const HOUSEHOLDS = 30;
let w: World;

/** Statements Prisma sent for one request (tests in this file run one at a time). */
async function statementsFor(token: string, variables: Record<string, unknown>) {
  const before = s.app.db.statements.count;
  const r = await s.gql(OVERVIEW, variables, { token });
  expect(r.body.errors).toBeUndefined();
  return { count: s.app.db.statements.count - before, data: r.body.data };
}

beforeAll(async () => {
  // given an occasion with 3 events (rsvp on two), a planner, and 30 tagged households of 3 people each,
  // seeded straight into the tables: the API path is covered elsewhere and this keeps the file fast.
  w = await buildWorld(s, {
    events: 3,
    households: [],
    tags: ['family', 'friends', 'work'],
    modules: { rsvp: [0, 2] },
    collaborators: { planner: undefined },
  });
  const occasionId = rawId(w.occasionId);
  const tagIds = w.tagIds.map(rawId);
  const p = s.app.db.prisma;
  const households = Array.from({ length: HOUSEHOLDS }, (_, i) => ({
    id: randomUUID(),
    occasionId,
    kind: 'HOUSEHOLD' as const,
    displayName: `Household ${String(i).padStart(2, '0')}`,
  }));
  const people = households.flatMap((h, i) =>
    [0, 1, 2].map((k) => ({
      id: randomUUID(),
      occasionId,
      kind: 'PERSON' as const,
      displayName: `Guest ${i}.${k}`,
      email: `g${i}.${k}@example.com`,
      household: h.id,
      role: k === 0 ? ('HEAD' as const) : ('MEMBER' as const),
    })),
  );
  await p.actor.createMany({ data: [...households, ...people.map(({ household: _h, role: _r, ...a }) => a)] });
  await p.membership.createMany({ data: people.map((m) => ({ occasionId, groupActorId: m.household, memberActorId: m.id, role: m.role })) });
  await p.actorTag.createMany({
    data: households.flatMap((h, i) => [
      { actorId: h.id, tagId: tagIds[i % 3]! },
      ...(i % 2 ? [{ actorId: h.id, tagId: tagIds[(i + 1) % 3]! }] : []),
    ]),
  });
});

describe('planner occasion overview', () => {
  it('costs the same number of SQL statements for 5 and for 30 households (no N+1)', async () => {
    const token = w.people.planner!.token;
    // warm-up: the first request of a process may prepare things once
    await statementsFor(token, { id: w.occasionId, n: 1 });

    // when the overview is read with a small and a large page
    const small = await statementsFor(token, { id: w.occasionId, n: 5 });
    const large = await statementsFor(token, { id: w.occasionId, n: HOUSEHOLDS });

    // then both returned what was asked for
    expect(small.data.occasion.actors.totalCount).toBe(HOUSEHOLDS);
    expect(small.data.occasion.actors.edges).toHaveLength(5);
    expect(large.data.occasion.actors.edges).toHaveLength(HOUSEHOLDS);
    const first = large.data.occasion.actors.edges[0].node;
    expect(first.displayName).toBe('Household 00');
    expect(first.tags).toEqual([{ name: 'family' }]);
    expect(first.members.map((m: { role: string; member: { email: string } }) => [m.role, m.member.email])).toEqual([
      ['HEAD', 'g0.0@example.com'],
      ['MEMBER', 'g0.1@example.com'],
      ['MEMBER', 'g0.2@example.com'],
    ]);
    expect(large.data.occasion.actors.edges[1].node.tags).toHaveLength(2);
    expect(large.data.occasion.events.edges.map((e: { node: { modules: unknown[] } }) => e.node.modules.length)).toEqual([1, 0, 1]);
    expect(large.data.occasion.tags.map((t: { name: string }) => t.name)).toEqual(['family', 'friends', 'work']);

    // and the statement count does not grow with the page size
    expect(large.count).toBe(small.count);
    // 16 before Prisma relation joins and the one-statement grant load, then 6. Now 2: the token's user
    // read brings the caller's grants, and the occasion is read with its events, their modules, its
    // tags, the households page with tags and members, and both totals, in one statement.
    expect(large.count, `statements: ${large.count}`).toBe(2);
  });

  it('is the same for the owner and does not depend on how many households carry tags', async () => {
    const a = await statementsFor(w.owner.token, { id: w.occasionId, n: 5 });
    const b = await statementsFor(w.owner.token, { id: w.occasionId, n: 20 });
    expect(b.count).toBe(a.count);
  });
});

const GUEST_PAGE = `query GuestPage($id: ID!, $after: String) { occasion(id: $id) {
  actors(first: 10, after: $after, filter: { kinds: [PERSON] }) { pageInfo { endCursor } edges { cursor node {
    id displayName email tags { name } memberOf { group { displayName } } } } }
} }`;

describe('other planner reads', () => {
  it('a page of guests after a cursor is three statements: the token with its grants, the cursor row, and the page', async () => {
    const first = await s.gql(GUEST_PAGE, { id: w.occasionId, after: null }, { token: w.owner.token });
    const after = first.body.data.occasion.actors.pageInfo.endCursor as string;
    const before = s.app.db.statements.count;
    const r = await s.gql(GUEST_PAGE, { id: w.occasionId, after }, { token: w.owner.token });
    expect(r.body.errors).toBeUndefined();
    // (Prisma's own cursor would have split the page into one statement per level: see keysetCursors)
    expect(s.app.db.statements.count - before).toBe(3);
    // and it is the next page: guests 10–19 by name, each with their household
    const names = r.body.data.occasion.actors.edges.map((e: { node: { displayName: string } }) => e.node.displayName);
    expect(names).toHaveLength(10);
    expect(names[0] > first.body.data.occasion.actors.edges.at(-1).node.displayName).toBe(true);
    expect(r.body.data.occasion.actors.edges[0].node.memberOf).toHaveLength(1);

    // and paging back from its first row gives the first page again, in order
    const back = await s.gql(
      `query B($id: ID!, $before: String) { occasion(id: $id) { actors(last: 10, before: $before, filter: { kinds: [PERSON] }) {
        edges { node { displayName } } } } }`,
      { id: w.occasionId, before: r.body.data.occasion.actors.edges[0].cursor ?? null },
      { token: w.owner.token },
    );
    expect(back.body.errors).toBeUndefined();
    const firstNames = first.body.data.occasion.actors.edges.map((e: { node: { displayName: string } }) => e.node.displayName);
    expect(back.body.data.occasion.actors.edges.map((e: { node: { displayName: string } }) => e.node.displayName)).toEqual(firstNames);
  });

  it('an event’s RSVP summary is three statements: the token with its grants, the event with its enablement, the summary', async () => {
    const q = `query S($id: ID!) { event(id: $id) { name rsvpSummary { invited attending answers { value count } tags { tag count } } } }`;
    await s.gql(q, { id: w.eventIds[0] }, { token: w.people.planner!.token });
    const before = s.app.db.statements.count;
    const r = await s.gql(q, { id: w.eventIds[0] }, { token: w.people.planner!.token });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.event.rsvpSummary).toMatchObject({ invited: 0, attending: 0, answers: [], tags: [] });
    expect(s.app.db.statements.count - before).toBe(3);
  });

  it(`a user in more than ${PRELOADED_OCCASIONS} occasions reads the older ones right, with a few more statements`, async () => {
    // given a user who owns PRELOADED_OCCASIONS + 2 occasions, each with one event
    const user = w.owner;
    const ids: string[] = [];
    for (let i = 0; i < PRELOADED_OCCASIONS + 2; i++) {
      const o = await must(s, user.token, CreateOccasionDocument, { input: { name: `Many ${i}` } });
      const id = payload(o.createOccasion, 'OccasionPayload').occasion.id;
      await must(s, user.token, CreateEventDocument, { input: { occasionId: id, name: `Event of ${i}` } });
      ids.push(id);
    }
    const q = `query O($id: ID!) { occasion(id: $id) { name events(first: 5) { totalCount edges { node { name } } } } }`;
    const read = async (id: string) => {
      const before = s.app.db.statements.count;
      const r = await s.gql(q, { id }, { token: user.token });
      expect(r.body.errors).toBeUndefined();
      return { count: s.app.db.statements.count - before, occasion: r.body.data.occasion };
    };
    // when the newest (its standing read with the token) and the oldest (not among those) are read
    const newest = await read(ids.at(-1)!);
    const oldest = await read(ids[0]!);
    // then both list their own event
    expect(newest.occasion).toMatchObject({
      name: `Many ${ids.length - 1}`,
      events: { totalCount: 1, edges: [{ node: { name: `Event of ${ids.length - 1}` } }] },
    });
    expect(oldest.occasion).toMatchObject({ name: 'Many 0', events: { totalCount: 1, edges: [{ node: { name: 'Event of 0' } }] } });
    // and each costs one statement more than for most users: the events filter needs every standing of
    // the user, and the token's read holds only the newest; the oldest also loads its own for the check
    expect(newest.count).toBe(3);
    expect(oldest.count).toBe(4);
  });
});
