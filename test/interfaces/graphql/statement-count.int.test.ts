import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildWorld, type World } from '../../support/factories.js';
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
    // Observed: 16, every one batched (user, occasion target, caller's actor, their memberships, grants,
    // occasion, occasion tags, events, enablements, installations, actors page, actor_tags, tags,
    // memberships, member actors, count). The bound keeps any per-row query visible.
    // 16 before Prisma relation joins and the one-statement grant load; 6 now (token user and grants included).
    expect(large.count, `statements: ${large.count}`).toBeLessThanOrEqual(6);
  });

  it('is the same for the owner and does not depend on how many households carry tags', async () => {
    const a = await statementsFor(w.owner.token, { id: w.occasionId, n: 5 });
    const b = await statementsFor(w.owner.token, { id: w.occasionId, n: 20 });
    expect(b.count).toBe(a.count);
  });
});
