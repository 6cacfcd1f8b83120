import { describe, expect, it } from 'vitest';
import { MAX_JSON_BYTES, MAX_JSON_DEPTH } from '../../src/kit/json-value.js';
import { buildWorld } from '../support/factories.js';
import { errorCode, type GqlResult, startServer } from '../support/harness.js';
import { occasionRows } from '../support/rows.js';

/**
 * The DateTime and JSON scalars refuse what PostgreSQL cannot store (or what
 * would exhaust the server on the way there) as BAD_USER_INPUT, with the same
 * rules for variables and for literals in the query text, and nothing written.
 */
const s = await startServer();
const w = await buildWorld(s, { events: 1, households: [1] });
const eventId = w.eventIds[0]!;

function expectBadInput(r: GqlResult, what: string) {
  expect(r.status, `${what}: ${JSON.stringify(r.body)}`).toBeLessThan(500);
  expect(JSON.stringify(r.body), what).not.toContain('INTERNAL_SERVER_ERROR');
  expect(errorCode(r), `${what}: ${JSON.stringify(r.body)}`).toBe('BAD_USER_INPUT');
  expect(r.body.data?.updateEvent ?? null, what).toBeNull();
}

const UPDATE_VAR = `mutation($i: UpdateEventInput!) { updateEvent(input: $i) { __typename ... on EventPayload { event { startsAt settings } } } }`;
const updateLiteral = (fields: string) => `mutation { updateEvent(input: { id: "${eventId}", ${fields} }) { __typename } }`;
const asOwner = { token: () => ({ token: w.owner.token }) };

/**
 * POSTs variables given as JSON text: a value thousands of levels deep is
 * more than the test's own JSON.stringify can write, though not more than a
 * client can send.
 */
async function gqlRawVariables(query: string, variablesJson: string): Promise<GqlResult> {
  const res = await s.fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${w.owner.token}` },
    body: `{"query": ${JSON.stringify(query)}, "variables": ${variablesJson}}`,
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}
const deepJson = (depth: number, open = '{"a":', close = '}') => open.repeat(depth) + '1' + close.repeat(depth);

/** A JSON object nested `depth` levels, with `leaf` at the bottom. */
function nested(depth: number, leaf: unknown = 1): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}
/** The same as a GraphQL object literal. */
const nestedLiteral = (depth: number, leaf = '1') => '{a: '.repeat(depth) + leaf + '}'.repeat(depth);

describe('DateTime', () => {
  const OUT_OF_RANGE = [
    '0000-01-01T00:00:00Z',
    '-100000-01-01T00:00:00Z',
    '+275760-09-13T00:00:00Z',
    '10000-01-01T00:00:00Z',
    '0001-01-01T00:00:00+01:00', // year 0 in UTC
    '9999-12-31T23:30:00-01:00', // year 10000 in UTC
    '2027-02-30T10:00:00Z', // no 30 February (Date would roll it into March)
    '2027-06-01T24:00:00Z',
    '2027-06-01T17:00:00', // no offset: which timezone?
    '2027-06-01T17:00:00+25:00',
    '2027-06-01',
  ];

  it('refuses years PostgreSQL cannot store and impossible dates, in variables: BAD_USER_INPUT, nothing written', async () => {
    const before = await occasionRows(s, w.occasionId);
    for (const startsAt of OUT_OF_RANGE) {
      expectBadInput(await s.gql(UPDATE_VAR, { i: { id: eventId, startsAt } }, asOwner.token()), startsAt);
    }
    expect(await occasionRows(s, w.occasionId)).toEqual(before);
  });

  it('refuses the same values as literals (parseLiteral applies parseValue’s rules)', async () => {
    const before = await occasionRows(s, w.occasionId);
    for (const startsAt of OUT_OF_RANGE) {
      expectBadInput(await s.gql(updateLiteral(`startsAt: ${JSON.stringify(startsAt)}`), undefined, asOwner.token()), startsAt);
    }
    expectBadInput(await s.gql(updateLiteral('startsAt: 1700000000'), undefined, asOwner.token()), 'a number literal');
    expect(await occasionRows(s, w.occasionId)).toEqual(before);
  });

  it('refuses them in filter arguments too, literal and variable', async () => {
    for (const since of ['0000-01-01T00:00:00Z', '+275760-09-13T00:00:00Z']) {
      const lit = await s.gql(
        `{ auditLog(occasionId: "${w.occasionId}", first: 1, filter: { since: ${JSON.stringify(since)} }) { totalCount } }`,
        undefined,
        asOwner.token(),
      );
      expectBadInput(lit, `literal ${since}`);
      const v = await s.gql(
        `query($f: AuditLogFilter) { auditLog(occasionId: "${w.occasionId}", first: 1, filter: $f) { totalCount } }`,
        { f: { since } },
        asOwner.token(),
      );
      expectBadInput(v, `variable ${since}`);
    }
  });

  it('accepts the edges of the range and any offset, and gives the instant back in UTC', async () => {
    for (const [sent, stored] of [
      ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
      ['9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z'],
      ['2027-06-01T19:00:00+02:00', '2027-06-01T17:00:00.000Z'],
      ['2028-02-29T12:00:00.5Z', '2028-02-29T12:00:00.500Z'],
    ] as const) {
      const r = await s.gql(UPDATE_VAR, { i: { id: eventId, startsAt: sent } }, asOwner.token());
      expect(r.body.errors, sent).toBeUndefined();
      expect(r.body.data.updateEvent.event.startsAt, sent).toBe(stored);
      const lit = await s.gql(updateLiteral(`startsAt: ${JSON.stringify(sent)}`), undefined, asOwner.token());
      expect(lit.body.errors, sent).toBeUndefined();
    }
  });
});

describe('JSON', () => {
  it(`refuses nesting deeper than ${MAX_JSON_DEPTH} levels (5,000 overflowed the stack), as variables and literals`, async () => {
    const before = await occasionRows(s, w.occasionId);
    expectBadInput(await s.gql(UPDATE_VAR, { i: { id: eventId, settings: nested(MAX_JSON_DEPTH + 1) } }, asOwner.token()), 'one level too deep');
    for (const depth of [5_000, 50_000]) {
      expectBadInput(await gqlRawVariables(UPDATE_VAR, `{"i": {"id": "${eventId}", "settings": ${deepJson(depth)}}}`), `variable depth ${depth}`);
      // Deep lists as well as objects.
      expectBadInput(
        await gqlRawVariables(UPDATE_VAR, `{"i": {"id": "${eventId}", "settings": ${deepJson(depth, '[', ']')}}}`),
        `list depth ${depth}`,
      );
    }
    expectBadInput(await s.gql(updateLiteral(`settings: ${nestedLiteral(MAX_JSON_DEPTH + 1)}`), undefined, asOwner.token()), 'literal');
    expect(await occasionRows(s, w.occasionId)).toEqual(before);
  });

  it('refuses a NUL at any depth (one at depth 70 reached PostgreSQL), in values and keys, variables and literals', async () => {
    const before = await occasionRows(s, w.occasionId);
    for (const depth of [0, 1, 20, MAX_JSON_DEPTH - 1]) {
      expectBadInput(await s.gql(UPDATE_VAR, { i: { id: eventId, settings: nested(depth, 'a\u0000b') } }, asOwner.token()), `value at ${depth}`);
      expectBadInput(await s.gql(UPDATE_VAR, { i: { id: eventId, settings: nested(depth, { 'k\u0000': 1 }) } }, asOwner.token()), `key at ${depth}`);
      expectBadInput(
        await s.gql(updateLiteral(`settings: ${nestedLiteral(depth, '"a\\u0000b"')}`), undefined, asOwner.token()),
        `literal at ${depth}`,
      );
    }
    // Past the depth limit the NUL is refused all the same (the old guard stopped looking at 64 levels).
    expectBadInput(await s.gql(UPDATE_VAR, { i: { id: eventId, settings: nested(70, 'a\u0000b') } }, asOwner.token()), 'value at 70');
    expect(await occasionRows(s, w.occasionId)).toEqual(before);
  });

  it(`refuses a value over ${MAX_JSON_BYTES / 1024} KiB`, async () => {
    const before = await occasionRows(s, w.occasionId);
    expectBadInput(
      await s.gql(UPDATE_VAR, { i: { id: eventId, settings: { note: 'x'.repeat(MAX_JSON_BYTES) } } }, asOwner.token()),
      'one long string',
    );
    expectBadInput(
      await s.gql(UPDATE_VAR, { i: { id: eventId, settings: { list: Array.from({ length: 20_000 }, (_, i) => i) } } }, asOwner.token()),
      'a long list',
    );
    expectBadInput(
      await s.gql(UPDATE_VAR, { i: { id: eventId, settings: { note: 'é'.repeat(MAX_JSON_BYTES / 2) } } }, asOwner.token()),
      'UTF-8 bytes, not characters',
    );
    expect(await occasionRows(s, w.occasionId)).toEqual(before);
  });

  it('applies to every JSON input (actor attributes, occasion branding), not only event settings', async () => {
    const r1 = await gqlRawVariables(
      `mutation($i: CreateActorInput!) { createActor(input: $i) { __typename } }`,
      `{"i": {"occasionId": "${w.occasionId}", "kind": "PERSON", "displayName": "Deep", "attributes": ${deepJson(5_000)}}}`,
    );
    expect(errorCode(r1)).toBe('BAD_USER_INPUT');
    const r2 = await s.gql(
      `mutation { createOccasion(input: { name: "Deep", kind: WEDDING, branding: ${nestedLiteral(40)} }) { __typename } }`,
      undefined,
      asOwner.token(),
    );
    expect(errorCode(r2)).toBe('BAD_USER_INPUT');
  });

  it('keeps ordinary JSON as it was sent, literal and variable (a key named __proto__ replaces no prototype)', async () => {
    const settings = { theme: 'garden', seats: [1, 2.5, null, true], nested: nested(MAX_JSON_DEPTH - 2, 'ok') };
    const r = await s.gql(UPDATE_VAR, { i: { id: eventId, settings } }, asOwner.token());
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.updateEvent.event.settings).toEqual(settings);
    const lit = await s.gql(
      `mutation { updateEvent(input: { id: "${eventId}", settings: { theme: "tent", __proto__: { polluted: true }, n: [1, 2] } }) { ... on EventPayload { event { settings } } } }`,
      undefined,
      asOwner.token(),
    );
    expect(lit.body.errors).toBeUndefined();
    expect(lit.body.data.updateEvent.event.settings).toMatchObject({ theme: 'tent', n: [1, 2] });
    expect(Object.getPrototypeOf(lit.body.data.updateEvent.event.settings)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
