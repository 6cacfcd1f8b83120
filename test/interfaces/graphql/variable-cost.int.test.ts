import { describe, expect, it } from 'vitest';
import { buildWorld } from '../../support/factories.js';
import { errorCode, startServer } from '../../support/harness.js';

/**
 * The cost limit sees page sizes sent as variables: the same query costs the
 * same whether `first` is written in the text or passed as `$n`.
 */
const s = await startServer();
const w = await buildWorld(s, { events: 1, households: [2] });

// occasions × events × actors × memberships: 100 × 100 × … is far over MAX_QUERY_COST (50,000).
const QUERY = (n: string, defs = '') => `query${defs} { occasions(first: ${n}) { edges { node { id name
  events(first: ${n}) { edges { node { id name startsAt } } }
  actors(first: ${n}) { edges { node { id displayName members { role member { id displayName } } } } } } } } }`;

describe('cost limit with variables', () => {
  it('control: as literals the query is refused (QUERY_TOO_COMPLEX, 400)', async () => {
    const r = await s.gql(QUERY('100'), undefined, { token: w.owner.token });
    expect(r.status).toBe(400);
    expect(errorCode(r)).toBe('QUERY_TOO_COMPLEX');
  });

  it('the same query with `first: $n` is refused the same way, before any field runs', async () => {
    const r = await s.gql(QUERY('$n', '($n: Int)'), { n: 100 }, { token: w.owner.token });
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(errorCode(r)).toBe('QUERY_TOO_COMPLEX');
    expect(r.body.errors![0]!.message).toMatch(/Query Cost limit of 50000 exceeded, found \d+/);
    expect(r.body.data ?? null).toBeNull();
  });

  it('and with a variable default (`$n: Int = 100`) sent without a value', async () => {
    const r = await s.gql(QUERY('$n', '($n: Int = 100)'), {}, { token: w.owner.token });
    expect(r.status).toBe(400);
    expect(errorCode(r)).toBe('QUERY_TOO_COMPLEX');
  });

  it('`last: $n` counts too', async () => {
    const r = await s.gql(QUERY('$n', '($n: Int)').replaceAll('first:', 'last:'), { n: 100 }, { token: w.owner.token });
    expect(errorCode(r)).toBe('QUERY_TOO_COMPLEX');
  });

  it('a small page through a variable is still served', async () => {
    const r = await s.gql(QUERY('$n', '($n: Int)'), { n: 2 }, { token: w.owner.token });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.occasions.edges).toHaveLength(1);
  });
});
