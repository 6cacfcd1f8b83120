import { describe, expect, it } from 'vitest';
import { buildWorld } from '../../support/factories.js';
import { startServer } from '../../support/harness.js';

const s = await startServer();

describe('smoke', () => {
  it('a planner builds an occasion and reads it back', async () => {
    const w = await buildWorld(s, { events: 2, households: [3, 2], collaborators: { co_planner: undefined, vendor: [0] } });
    const r = await s.gql(
      `query($id: ID!) { occasion(id: $id) { name events(first: 10) { totalCount } actors(first: 50) { totalCount } } }`,
      { id: w.occasionId },
      { token: w.owner.token },
    );
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.occasion.events.totalCount).toBe(2);
    // owner + 2 households + 5 members + 2 collaborators
    expect(r.body.data.occasion.actors.totalCount).toBe(10);
    const v = await s.gql(
      `query($id: ID!) { occasion(id: $id) { events(first: 10) { totalCount edges { node { id } } } } }`,
      { id: w.occasionId },
      { token: w.people.vendor!.token },
    );
    expect(v.body.errors).toBeUndefined();
    expect(v.body.data.occasion.events.totalCount).toBe(1);
    expect(v.body.data.occasion.events.edges[0].node.id).toBe(w.eventIds[0]);
  });
});
