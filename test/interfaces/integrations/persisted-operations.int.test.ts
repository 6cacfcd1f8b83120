import { describe, expect, it } from 'vitest';
import { loadPersistedManifest } from '../../../src/interfaces/integrations/persisted-operations.js';
import { sha256 } from '../../../src/platform/crypto.js';
import { buildWorld } from '../../support/factories.js';
import { startServer } from '../../support/harness.js';

const s = await startServer();
const manifest = loadPersistedManifest();
const idOf = (name: string) => [...manifest.entries()].find(([, doc]) => doc.startsWith(`query ${name}(`))![0];

const post = async (body: unknown, token?: string) => {
  const res = await s.fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] } };
};

describe('persisted operations (trusted documents)', () => {
  it('the manifest holds the partner operations, each keyed by the sha256 of its document', () => {
    expect([...manifest.keys()].length).toBeGreaterThanOrEqual(2);
    for (const [id, doc] of manifest) expect(id).toBe(`sha256:${sha256(doc)}`);
    expect(idOf('CateringSummary')).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('runs a document by documentId or by the APQ hash, through the same rules as any query', async () => {
    const w = await buildWorld(s, { events: 1, households: [] });
    const id = idOf('VenueEvent');
    const byId = await post({ documentId: id, variables: { eventId: w.eventIds[0] } }, w.owner.token);
    expect(byId.body.errors).toBeUndefined();
    expect(byId.body.data.event.id).toBe(w.eventIds[0]);
    const byHash = await post(
      { extensions: { persistedQuery: { version: 1, sha256Hash: id.slice('sha256:'.length) } }, variables: { eventId: w.eventIds[0] } },
      w.owner.token,
    );
    expect(byHash.body.data.event.name).toBe('Event 1');
    // and the field rules still apply: another occasion's owner gets NOT_FOUND
    const other = await buildWorld(s, { events: 0, households: [] });
    const foreign = await post({ documentId: id, variables: { eventId: w.eventIds[0] } }, other.owner.token);
    expect(foreign.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('an unknown id is PERSISTED_QUERY_NOT_FOUND; an id with query text beside it is refused', async () => {
    const w = await buildWorld(s, { events: 1, households: [] });
    const unknown = await post({ documentId: `sha256:${'0'.repeat(64)}` }, w.owner.token);
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const smuggled = await post({ documentId: idOf('VenueEvent'), query: '{ me { email } }', variables: { eventId: w.eventIds[0] } }, w.owner.token);
    expect(smuggled.status).toBe(400);
    expect(smuggled.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_WITH_TEXT');
    expect(smuggled.body.data ?? null).toBeNull();
  });

  it('planners keep sending query text', async () => {
    const w = await buildWorld(s, { events: 1, households: [] });
    const r = await post({ query: '{ me { email } }' }, w.owner.token);
    expect(r.body.data.me.email).toBe(w.owner.email);
  });
});
