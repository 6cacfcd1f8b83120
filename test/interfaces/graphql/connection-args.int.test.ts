import { getNamedType, isNonNullType, isObjectType, type GraphQLField, type GraphQLObjectType } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { SignUpDocument } from '../../../src/generated/graphql/graphql.js';
import { MAX_PAGE_SIZE } from '../../../src/kit/pagination.js';
import { buildWorld, must, uniq } from '../../support/factories.js';
import { errorCode, type GqlResult, startServer, testSchema } from '../../support/harness.js';

/**
 * Every connection in the schema, found by walking it (so a new connection is
 * in this test the day it is added), reached from Query the shortest way, and
 * sent forged cursors and page sizes out of range, as literals and variables,
 * as `after` and `before`. Each must be BAD_USER_INPUT, never a 500; the
 * cursors the connection itself hands out must keep working.
 */

const OPERATOR_EMAIL = `operator-${uniq()}@ops.tovplus.test`;
const s = await startServer({ PLATFORM_OPERATORS: [OPERATOR_EMAIL] });
const w = await buildWorld(s, { events: 1, households: [2], modules: { rsvp: [0] }, collaborators: { vendor: [0] } });
const operator = (
  (await must(s, undefined, SignUpDocument, { input: { email: OPERATOR_EMAIL, password: `pw-${uniq()}-long-enough`, displayName: 'Operator' } }))
    .signUp as { accessToken: string }
).accessToken;

const b64 = (s: string) => Buffer.from(s).toString('base64');
const UUID = '0190a0b2-7c4e-7d1a-8f00-0123456789ab';
const FORGED = [
  'R1BDOlM6enp6', // GPC:S:zzz, the review's cursor
  b64('GPC:S:'),
  b64(`GPC:S:${UUID}x`),
  b64("GPC:S:1' OR '1'='1"),
  b64('GPC:N:1'),
  b64('GPC:N:NaN'),
  b64('GPC:I:99999999999999999999999'),
  b64('GPC:I:-1'),
  b64('GPC:D:not-a-date'),
  b64('GPC:O:{"id":{"gt":""}}'),
  b64('GPC:T:["a","b"]'),
  b64('GPC:J:[1'),
  b64('GPC:Z:'),
  b64('GPC:X:1'),
  b64(`OTHER:S:${UUID}`),
  b64('\u0000'),
  'not base64 at all!',
  '',
  'A'.repeat(10_000),
];

const schema = testSchema();
const ids: Record<string, string> = { Occasion: w.occasionId, Event: w.eventIds[0]! };
const ucfirst = (v: string) => v.charAt(0).toUpperCase() + v.slice(1);
const connectionNode = (t: unknown): GraphQLObjectType | null => {
  if (!isObjectType(t) || !t.getFields().edges || !t.getFields().pageInfo) return null;
  const edge = getNamedType(t.getFields().edges!.type);
  const node = isObjectType(edge) ? getNamedType(edge.getFields().node?.type) : null;
  return isObjectType(node) ? node : null;
};

/** Required arguments filled from the world's ids (`id` of the returned type, `occasionId`, `eventId`); null when one cannot be. */
function requiredArgs(field: GraphQLField<unknown, unknown>, returned: string): string[] | null {
  const out: string[] = [];
  for (const a of field.args) {
    if (!isNonNullType(a.type) || a.defaultValue !== undefined) continue;
    const key = a.name === 'id' ? returned : a.name.endsWith('Id') ? ucfirst(a.name.slice(0, -2)) : null;
    if (!key || !ids[key]) return null;
    out.push(`${a.name}: ${JSON.stringify(ids[key])}`);
  }
  return out;
}

interface Step {
  text: (inner: string) => string;
}
/** Shortest selection path from Query to each object type, through plain fields and connections' nodes. */
function pathsFromQuery(): Map<string, Step[]> {
  const paths = new Map<string, Step[]>([['Query', []]]);
  const queue = ['Query'];
  while (queue.length) {
    const type = schema.getType(queue.shift()!) as GraphQLObjectType;
    for (const field of Object.values(type.getFields())) {
      const ret = getNamedType(field.type);
      const node = connectionNode(ret);
      const next = node ?? (isObjectType(ret) ? ret : null);
      if (!next || paths.has(next.name)) continue;
      const args = requiredArgs(field, next.name);
      if (!args) continue;
      const all = node ? ['first: 1', ...args] : args;
      const head = `${field.name}${all.length ? `(${all.join(', ')})` : ''}`;
      const step: Step = { text: node ? (inner) => `${head} { edges { node { ${inner} } } }` : (inner) => `${head} { ${inner} }` };
      paths.set(next.name, [...paths.get(type.name)!, step]);
      queue.push(next.name);
    }
  }
  return paths;
}

interface ConnectionField {
  name: string;
  /** The query for this connection with these extra arguments and variable definitions. */
  query: (args: string[], variableDefs?: string) => string;
  /** Who can read it (the world's owner, or a platform operator for platform-wide lists). */
  token: string;
}

const paths = pathsFromQuery();
const connections: ConnectionField[] = [];
for (const type of Object.values(schema.getTypeMap())) {
  if (!isObjectType(type) || type.name.startsWith('__') || type.name === 'Mutation' || type.name === 'Subscription') continue;
  for (const field of Object.values(type.getFields())) {
    if (!connectionNode(getNamedType(field.type)) || !field.args.some((a) => a.name === 'after')) continue;
    const path = paths.get(type.name);
    const required = requiredArgs(field, '');
    const name = `${type.name}.${field.name}`;
    if (!path || !required) throw new Error(`no way to reach ${name} from Query with the test world's ids: extend requiredArgs/ids`);
    connections.push({
      name,
      token: w.owner.token,
      query: (args, defs = '') =>
        `query${defs ? `(${defs})` : ''} { ${path.reduceRight(
          (inner, step) => step.text(inner),
          `${field.name}(${[...required, ...args].join(', ')}) { pageInfo { endCursor startCursor } edges { cursor } }`,
        )} }`,
    });
  }
}

/** A guest link of the world's household, for the guest-only lists (a guest's own conversations). */
const guest = (
  await must(s, w.owner.token, `mutation($i: IssueGuestAccessInput!) { issueGuestAccess(input: $i) { ... on IssueGuestAccessPayload { token } } }`, {
    i: { occasionId: w.occasionId, unitId: w.households[0]!.id },
  })
).issueGuestAccess.token as string;

beforeAll(async () => {
  for (const c of connections) {
    // Whoever may read it: the owner; platform-wide lists belong to operators; a guest's or a vendor contact's own
    // conversations only to them.
    for (const token of [w.owner.token, operator, guest, w.people.vendor!.token]) {
      c.token = token;
      if (!(await s.gql(c.query(['first: 1']), undefined, { token })).body.errors) break;
    }
  }
});

function expectRefused(r: GqlResult, what: string) {
  expect(r.status, what).toBe(400);
  expect(JSON.stringify(r.body), what).not.toContain('INTERNAL_SERVER_ERROR');
  expect(errorCode(r), `${what}: ${JSON.stringify(r.body)}`).toBe('BAD_USER_INPUT');
}

/** The end cursor of the first page wherever it appears in the response. */
const endCursorIn = (body: unknown): string | null => JSON.stringify(body).match(/"endCursor":"([^"]+)"/)?.[1] ?? null;

describe('every connection in the schema', () => {
  it('finds them all (a sanity check on the walk)', () => {
    expect(connections.map((c) => c.name)).toEqual(
      expect.arrayContaining(['Query.occasions', 'Query.auditLog', 'Occasion.actors', 'Event.rsvpResponses', 'WebhookEndpoint.deliveries']),
    );
  });

  it('keeps serving the cursors it issues, forwards and backwards', async () => {
    let withCursor = 0;
    for (const c of connections) {
      const first = await s.gql(c.query(['first: 1']), undefined, { token: c.token });
      expect(first.body.errors, `${c.name}: ${JSON.stringify(first.body)}`).toBeUndefined();
      const cursor = endCursorIn(first.body.data);
      if (!cursor) continue;
      withCursor++;
      for (const args of [
        [`first: 1`, `after: ${JSON.stringify(cursor)}`],
        [`last: 1`, `before: ${JSON.stringify(cursor)}`],
      ]) {
        const r = await s.gql(c.query(args), undefined, { token: c.token });
        expect(r.body.errors, `${c.name} ${args.join(',')}: ${JSON.stringify(r.body)}`).toBeUndefined();
      }
      const viaVariable = await s.gql(
        c.query(['first: $n', 'after: $c'], '$n: Int, $c: String'),
        { n: MAX_PAGE_SIZE, c: cursor },
        { token: c.token },
      );
      expect(viaVariable.body.errors, c.name).toBeUndefined();
    }
    // The world has occasions, events, actors, grants, invitations and audit rows (a bigint key) to page through.
    expect(withCursor).toBeGreaterThanOrEqual(6);
  });

  // One test per connection: each sends a few dozen requests.
  it.for(connections.map((c) => [c.name, c] as const))(
    'refuses forged and garbled cursors on %s, as literals and variables, after and before: BAD_USER_INPUT',
    { timeout: 60_000 },
    async ([, c]) => {
      for (const cursor of FORGED) {
        for (const [dir, size] of [
          ['after', 'first'],
          ['before', 'last'],
        ] as const) {
          const what = `${c.name} ${dir}: ${JSON.stringify(cursor.slice(0, 40))}`;
          expectRefused(
            await s.gql(c.query([`${size}: 1`, `${dir}: ${JSON.stringify(cursor)}`]), undefined, { token: c.token }),
            `${what} (literal)`,
          );
          expectRefused(await s.gql(c.query([`${size}: 1`, `${dir}: $c`], '$c: String'), { c: cursor }, { token: c.token }), `${what} (variable)`);
        }
      }
      // A genuine-looking cursor of the wrong key type: a uuid where the key is a number, and the other way round.
      for (const cursor of [b64(`GPC:S:${UUID}`), b64('GPC:I:1')]) {
        const r = await s.gql(c.query(['first: 1', `after: ${JSON.stringify(cursor)}`]), undefined, { token: c.token });
        expect(r.status).toBeLessThan(500);
        expect(JSON.stringify(r.body), c.name).not.toContain('INTERNAL_SERVER_ERROR');
      }
    },
  );

  it(`refuses page sizes outside 0…${MAX_PAGE_SIZE}, as literals, variables and variable defaults: BAD_USER_INPUT`, async () => {
    for (const c of connections) {
      for (const size of ['first', 'last'] as const) {
        expectRefused(await s.gql(c.query([`${size}: ${MAX_PAGE_SIZE + 1}`]), undefined, { token: c.token }), `${c.name} ${size} literal`);
        expectRefused(await s.gql(c.query([`${size}: -1`]), undefined, { token: c.token }), `${c.name} ${size} negative`);
        expectRefused(await s.gql(c.query([`${size}: $n`], '$n: Int'), { n: 1_000_000 }, { token: c.token }), `${c.name} ${size} variable`);
        expectRefused(await s.gql(c.query([`${size}: $n`], '$n: Int = 5000'), {}, { token: c.token }), `${c.name} ${size} default`);
      }
      const max = await s.gql(c.query([`first: ${MAX_PAGE_SIZE}`]), undefined, { token: c.token });
      expect(max.body.errors, c.name).toBeUndefined();
    }
  }, 60_000);

  it('refuses a forged cursor before anything else, whoever asks (anonymous, a vendor, the owner)', async () => {
    const q = `query($c: String) { occasions(first: 1, after: $c) { totalCount } }`;
    for (const token of [undefined, w.people.vendor!.token, w.owner.token]) {
      expectRefused(await s.gql(q, { c: 'R1BDOlM6enp6' }, { token }), `token ${token?.slice(0, 8)}`);
    }
  });
});
