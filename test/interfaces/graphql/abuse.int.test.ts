import { request as httpRequest } from 'node:http';
import { decodeJwt, decodeProtectedHeader, exportSPKI, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ACCESS_TOKEN_TYP } from '../../../src/domains/identity/identity.service.js';
import { AUDIENCE } from '../../../src/domains/identity/tokens.js';
import { encodeGlobalID } from '../../../src/kit/ids.js';
import { resolveAppKey } from '../../../src/platform/app-key.js';
import { decrypt } from '../../../src/platform/crypto.js';
import { buildWorld, must, signUpUser, uniq, type World } from '../../support/factories.js';
import { occasionRows } from '../../support/rows.js';
import { errorCode, type GqlResult, startServer } from '../../support/harness.js';

/**
 * Hostile and clumsy clients: broken requests, oversized and expensive
 * queries, forged tokens, bad ids and bad input. Each gets a precise code and
 * status; none may reach a 500 or write anything.
 */

const s = await startServer();
const c = s.app.config;

let lastStatus: number | undefined;
let lastBody: unknown;
/** Any case that slips to a 500 / INTERNAL_SERVER_ERROR fails, whatever else it asserts. */
afterEach(() => {
  if (lastStatus !== undefined) expect(lastStatus, JSON.stringify(lastBody)).toBeLessThan(500);
  expect(JSON.stringify(lastBody ?? null)).not.toContain('INTERNAL_SERVER_ERROR');
  lastStatus = undefined;
  lastBody = undefined;
});

async function gql(
  query: string,
  variables?: Record<string, unknown>,
  opts?: { token?: string; headers?: Record<string, string> },
): Promise<GqlResult> {
  const r = await s.gql(query, variables, opts);
  lastStatus = r.status;
  lastBody = r.body;
  return r;
}

/** POST a raw body to /graphql. */
async function post(body: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await s.fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...headers },
    body,
  });
  const text = await res.text();
  const parsed = JSON.parse(text);
  lastStatus = res.status;
  lastBody = parsed;
  return { status: res.status, body: parsed };
}

const ME = `query { me { id email } }`;

function expectUnauthenticated(r: GqlResult, reason: string) {
  expect(r.status, JSON.stringify(r.body)).toBe(401);
  expect(errorCode(r)).toBe('UNAUTHENTICATED');
  expect(r.body.errors![0]!.extensions!.reason).toBe(reason);
  expect(r.headers.get('www-authenticate')).toBe('Bearer');
  expect(r.body.data ?? null).toBeNull();
}

describe('malformed requests', () => {
  it('malformed JSON body → 400 BAD_REQUEST', async () => {
    const r = await post('{"query": "{ me { id } }"');
    expect(r.status).toBe(400);
    expect(r.body.errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  it('a body that is JSON but not a GraphQL request → 400 BAD_REQUEST', async () => {
    const r = await post('[1, 2, 3]');
    expect(r.status).toBe(400);
    expect(r.body.errors[0].extensions.code).toBe('BAD_REQUEST');
  });

  it('unknown field → 400 GRAPHQL_VALIDATION_FAILED', async () => {
    const r = await gql(`query { me { id passwordHash } }`);
    expect(r.status).toBe(400);
    expect(errorCode(r)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(r.body.data).toBeUndefined();
  });

  it('syntax error → 400 GRAPHQL_PARSE_FAILED', async () => {
    const r = await gql(`query { me { id `);
    expect(r.status).toBe(400);
    expect(errorCode(r)).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('wrong variable type → 400 BAD_USER_INPUT', async () => {
    const r = await gql(`query($n: Int) { occasions(first: $n) { totalCount } }`, { n: 'twenty' });
    expect(r.status).toBe(400);
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
  });

  it('an object where a string is expected → 400 BAD_USER_INPUT', async () => {
    const r = await gql(`mutation($i: SignInInput!) { signIn(input: $i) { __typename } }`, { i: { email: { $gt: '' }, password: 'x' } });
    expect(r.status).toBe(400);
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
  });

  it('missing required argument → 400 GRAPHQL_VALIDATION_FAILED', async () => {
    const r = await gql(`query { occasion { id } }`);
    expect(r.status).toBe(400);
    expect(errorCode(r)).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('missing required variable → 400 BAD_USER_INPUT', async () => {
    const r = await gql(`query($id: ID!) { occasion(id: $id) { id } }`, {});
    expect(r.status).toBe(400);
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
  });
});

describe('text the database cannot store', () => {
  const CREATE_ACTOR = `mutation($i: CreateActorInput!) { createActor(input: $i) { __typename } }`;

  it('a NUL character in a variable → BAD_USER_INPUT, nothing written', async () => {
    const w = await buildWorld(s, { events: 0, households: [] });
    const before = await occasionRows(s, w.occasionId);
    const r = await gql(CREATE_ACTOR, { i: { occasionId: w.occasionId, kind: 'PERSON', displayName: 'Null\u0000Byte' } }, { token: w.owner.token });
    expect(r.status).toBe(200);
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(r.body.data).toBeUndefined();
    expect(await occasionRows(s, w.occasionId)).toEqual(before);
  });

  it('a NUL character in an inline string literal → BAD_USER_INPUT, nothing written', async () => {
    const w = await buildWorld(s, { events: 0, households: [] });
    const before = await occasionRows(s, w.occasionId);
    const inline = `mutation { createActor(input: { occasionId: "${w.occasionId}", kind: PERSON, displayName: "a\\u0000b" }) { __typename } }`;
    const r = await gql(inline, undefined, { token: w.owner.token });
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(await occasionRows(s, w.occasionId)).toEqual(before);
  });

  it('an unpaired UTF-16 surrogate (JSON "\\ud800") in a variable → BAD_USER_INPUT, in a literal a parse error; nothing written (it was a 500 in signUp)', async () => {
    const email = `lone-${Date.now()}@example.test`;
    const signUp = `mutation($i: SignUpInput!) { signUp(input: $i) { __typename } }`;
    const r = await gql(signUp, { i: { email, password: 'correct horse \ud800 battery staple', displayName: 'Lone' } });
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(await s.app.db.prisma.user.count({ where: { email } })).toBe(0);
    const w = await buildWorld(s, { events: 0, households: [] });
    const before = await occasionRows(s, w.occasionId);
    const inline = `mutation { createActor(input: { occasionId: "${w.occasionId}", kind: PERSON, displayName: "a\\udc00b" }) { __typename } }`;
    // graphql-js refuses such an escape in a literal while parsing (GraphQL allows only Unicode scalar values).
    expect(errorCode(await gql(inline, undefined, { token: w.owner.token }))).toBe('GRAPHQL_PARSE_FAILED');
    // A well-formed pair (an emoji) is ordinary text.
    const ok = await gql(
      CREATE_ACTOR,
      { i: { occasionId: w.occasionId, kind: 'PERSON', displayName: 'Party \ud83c\udf89' } },
      { token: w.owner.token },
    );
    expect(ok.body.data?.createActor.__typename).toBeDefined();
    expect(await occasionRows(s, w.occasionId)).not.toEqual(before);
  });
});

describe('size and cost limits', () => {
  it(`a body over MAX_BODY_BYTES → 413 PAYLOAD_TOO_LARGE`, async () => {
    const query = `query { me { id } } # ${'x'.repeat(c.MAX_BODY_BYTES)}`;
    const r = await post(JSON.stringify({ query }));
    expect(r.status).toBe(413);
    expect(r.body.errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('a chunked body over MAX_BODY_BYTES (no content-length) → 413 PAYLOAD_TOO_LARGE', async () => {
    const url = new URL('/graphql', s.url);
    const { status, body } = await new Promise<{ status: number; body: any }>((resolve, reject) => {
      const req = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
      });
      req.on('error', reject);
      const chunk = 'x'.repeat(64 * 1024);
      for (let i = 0; i * chunk.length <= c.MAX_BODY_BYTES; i++) req.write(chunk);
      req.end();
    });
    lastStatus = status;
    lastBody = body;
    expect(status).toBe(413);
    expect(body.errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('a query deeper than MAX_QUERY_DEPTH → QUERY_TOO_COMPLEX', async () => {
    // occasion → events → edges → node → occasion → … : 4 levels per turn.
    let inner = 'id';
    for (let i = 0; i < Math.ceil(c.MAX_QUERY_DEPTH / 4) + 1; i++) inner = `occasion { events { edges { node { ${inner} } } } }`;
    const r = await gql(`query($id: ID!) { event(id: $id) { ${inner} } }`, { id: encodeGlobalID('Event', '00000000-0000-0000-0000-000000000000') });
    expect(r.status).toBe(400);
    expect(errorCode(r)).toBe('QUERY_TOO_COMPLEX');
    expect(r.body.data).toBeUndefined();
  });

  it('an alias bomb → QUERY_TOO_COMPLEX', async () => {
    const aliases = Array.from({ length: c.MAX_QUERY_ALIASES + 5 }, (_, i) => `a${i}: me { id }`).join(' ');
    const r = await gql(`query { ${aliases} }`);
    expect(r.status).toBe(400);
    expect(errorCode(r)).toBe('QUERY_TOO_COMPLEX');
  });

  it('a query with more tokens than MAX_QUERY_TOKENS → QUERY_TOO_COMPLEX', async () => {
    const fields = Array.from({ length: c.MAX_QUERY_TOKENS }, () => 'id').join(' ');
    const r = await gql(`query { me { ${fields} } }`);
    expect(r.status).toBe(400);
    expect(errorCode(r)).toBe('QUERY_TOO_COMPLEX');
  });

  it('a fragment bomb (small text, huge cost) → QUERY_TOO_COMPLEX', async () => {
    // Each level spreads the previous one ten times: 10^5 copies of a few fields, in a few hundred tokens.
    const levels = 5;
    const fragments = [`fragment F0 on Occasion { id name timezone }`];
    for (let i = 1; i <= levels; i++) fragments.push(`fragment F${i} on Occasion { ${Array.from({ length: 10 }, () => `...F${i - 1}`).join(' ')} }`);
    const r = await gql(`query($id: ID!) { occasion(id: $id) { ...F${levels} } } ${fragments.join(' ')}`, {
      id: encodeGlobalID('Occasion', '00000000-0000-0000-0000-000000000000'),
    });
    expect(r.status).toBe(400);
    expect(errorCode(r)).toBe('QUERY_TOO_COMPLEX');
  });
});

describe('forged and stale access tokens', () => {
  let user: Awaited<ReturnType<typeof signUpUser>>;
  let kid: string;
  /** The server's own signing key, read back from signing_keys, to forge tokens that differ in exactly one claim. */
  let serverKey: CryptoKey | Uint8Array;
  // `sid`: the session (refresh family) of the user's real sign-up, which every user access token names.
  const claims = () => ({ sub: user.userId, email: user.email, sid: decodeJwt(user.token).sid });
  const forge = (header: Record<string, unknown>, payload: Record<string, unknown>, key: CryptoKey | Uint8Array = serverKey) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ ...claims(), ...payload })
      .setProtectedHeader({ alg: 'ES256', kid, typ: ACCESS_TOKEN_TYP, ...header })
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .setJti(uniq())
      .setIssuer((payload.iss as string) ?? s.app.tokens.issuer)
      .setAudience((payload.aud as string) ?? AUDIENCE)
      .sign(key);
  };

  beforeAll(async () => {
    user = await signUpUser(s, 'tokens');
    const row = await s.app.db.prisma.signingKey.findFirstOrThrow({ where: { retiredAt: null }, orderBy: { createdAt: 'desc' } });
    kid = row.kid;
    serverKey = await importJWK(JSON.parse(decrypt(row.privateJwkEnc, resolveAppKey(c))) as JWK, 'ES256');
  });

  it('control: a token forged with the server key and the right claims is accepted', async () => {
    // Without this, every rejection below could be the forging helper's fault.
    const r = await gql(ME, undefined, { token: await forge({}, {}) });
    expect(r.status).toBe(200);
    expect(r.body.data.me.id).toBe(user.userId);
  });

  it('garbage token → 401 invalid', async () => {
    expectUnauthenticated(await gql(ME, undefined, { token: 'garbage.garbage.garbage' }), 'invalid');
  });

  it('a non-Bearer Authorization header → 401 malformed', async () => {
    expectUnauthenticated(await gql(ME, undefined, { headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}x!` } }), 'malformed');
  });

  it('expired token → 401 expired', async () => {
    const { token } = await s.app.tokens.sign(claims(), ACCESS_TOKEN_TYP, -10);
    expectUnauthenticated(await gql(ME, undefined, { token }), 'expired');
  });

  it('a token verified once (and remembered) still expires on time', async () => {
    const { token, expiresAt } = await s.app.tokens.sign(claims(), ACCESS_TOKEN_TYP, 60);
    expect((await gql(ME, undefined, { token })).status).toBe(200);
    expect((await gql(ME, undefined, { token })).status).toBe(200);
    vi.useFakeTimers({ toFake: ['Date'], now: expiresAt.getTime() });
    try {
      expectUnauthenticated(await gql(ME, undefined, { token }), 'expired');
    } finally {
      vi.useRealTimers();
    }
  });

  it('a remembered token whose signing key is gone is refused', async () => {
    const { token } = await s.app.tokens.sign(claims(), ACCESS_TOKEN_TYP, 60);
    expect((await gql(ME, undefined, { token })).status).toBe(200);
    const kid = decodeProtectedHeader(token).kid!;
    const key = await s.app.db.prisma.signingKey.findUniqueOrThrow({ where: { kid } });
    // Another key signs from now on; this one is deleted (an operator purging a leaked key) and the keys re-read.
    await s.app.tokens.rotate();
    await s.app.db.prisma.signingKey.delete({ where: { kid } });
    await s.app.tokens.rotate();
    try {
      expectUnauthenticated(await gql(ME, undefined, { token }), 'unknown_key');
    } finally {
      await s.app.db.prisma.signingKey.create({ data: { ...key, publicJwk: key.publicJwk as object } });
      await s.app.tokens.rotate();
    }
  });

  it('token signed by another key under the server key id → 401 invalid', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    expectUnauthenticated(await gql(ME, undefined, { token: await forge({}, {}, privateKey) }), 'invalid');
  });

  it('token naming an unknown key id → 401 unknown_key', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    expectUnauthenticated(await gql(ME, undefined, { token: await forge({ kid: 'not-a-key' }, {}, privateKey) }), 'unknown_key');
  });

  it('a flood of tokens naming unknown key ids re-reads the keys at most once a second', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const tokens = await Promise.all(Array.from({ length: 30 }, () => forge({ kid: `forged-${uniq()}` }, {}, privateKey)));
    const before = s.app.db.statements.count;
    const started = Date.now();
    for (const token of tokens) expectUnauthenticated(await gql(ME, undefined, { token }), 'unknown_key');
    // at most one signing_keys read per started second the 30 refusals spanned (not one per token)
    const allowed = Math.floor((Date.now() - started) / 1000) + 1;
    expect(s.app.db.statements.count - before).toBeLessThanOrEqual(allowed);
    expect(allowed).toBeLessThan(tokens.length);
  });

  it('`alg: none` token → 401 invalid', async () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const token = `${b64({ alg: 'none', typ: ACCESS_TOKEN_TYP, kid })}.${b64({ ...claims(), iss: s.app.tokens.issuer, aud: AUDIENCE, iat: now, exp: now + 600, jti: uniq() })}.`;
    expectUnauthenticated(await gql(ME, undefined, { token }), 'invalid');
  });

  it('HS256 token keyed with the public key bytes → 401 invalid', async () => {
    const jwk = s.app.tokens.publicJwks().keys.find((k) => k.kid === kid)!;
    const pem = await exportSPKI((await importJWK(jwk, 'ES256')) as CryptoKey);
    for (const secret of [pem, JSON.stringify(jwk)]) {
      const token = await forge({ alg: 'HS256' }, {}, new TextEncoder().encode(secret));
      expectUnauthenticated(await gql(ME, undefined, { token }), 'invalid');
    }
  });

  it('a refresh-style token type → 401 invalid', async () => {
    const { token } = await s.app.tokens.sign(claims(), 'JWT');
    expectUnauthenticated(await gql(ME, undefined, { token }), 'invalid');
  });

  it('wrong audience → 401 invalid', async () => {
    expectUnauthenticated(await gql(ME, undefined, { token: await forge({}, { aud: 'some-other-api' }) }), 'invalid');
  });

  it('wrong issuer → 401 invalid', async () => {
    expectUnauthenticated(await gql(ME, undefined, { token: await forge({}, { iss: 'someone-else' }) }), 'invalid');
  });

  it('a token without a session id (sid), or naming a session that is not the user’s → 401', async () => {
    expectUnauthenticated(await gql(ME, undefined, { token: await forge({}, { sid: undefined }) }), 'invalid');
    const other = await signUpUser(s, 'other');
    expectUnauthenticated(await gql(ME, undefined, { token: await forge({}, { sid: decodeJwt(other.token).sid }) }), 'session_revoked');
  });

  it('token for a user that does not exist → 401 user_deleted', async () => {
    expectUnauthenticated(await gql(ME, undefined, { token: await forge({}, { sub: '00000000-0000-0000-0000-000000000000' }) }), 'user_deleted');
  });

  it('a deleted account’s access token stops working at once → 401 user_deleted', async () => {
    const doomed = await signUpUser(s, 'doomed');
    const del = await gql(`mutation { deleteAccount { __typename ... on OkPayload { ok } ... on Error { code message } } }`, undefined, {
      token: doomed.token,
    });
    expect(del.body).toEqual({ data: { deleteAccount: { __typename: 'OkPayload', ok: true } } });

    expectUnauthenticated(await gql(ME, undefined, { token: doomed.token }), 'user_deleted');
    const refresh = await gql(`mutation($i: RefreshSessionInput!) { refreshSession(input: $i) { __typename ... on Error { code } } }`, {
      i: { refreshToken: doomed.refreshToken },
    });
    expect(refresh.body.data.refreshSession).toEqual({ __typename: 'InvalidTokenError', code: 'INVALID_TOKEN' });
  });
});

describe('bad ids and bad input', () => {
  let w: World;
  // Scoped to this file's own rows (other suites write to the same database concurrently).
  // Refusals are audited (DENIED/FAILED rows); "nothing written" means no change and no event.
  const counts = async () => {
    const p = s.app.db.prisma;
    return {
      occasion: await occasionRows(s, w.occasionId),
      ownerOccasions: await p.occasion.count({ where: { createdByUserId: w.owner.userId } }),
      badSignUps: await p.user.count({ where: { email: { in: ['not-an-email', 'not-an-email'.toLowerCase()] } } }),
    };
  };

  beforeAll(async () => {
    w = await buildWorld(s, { events: 1, households: [1] });
  });

  const OCCASION = `query($id: ID!) { occasion(id: $id) { id name } }`;

  it.each([
    ['garbage', 'not an id!!'],
    ['empty', ''],
    ['base64 without a type', Buffer.from('0f0e0d0c-0000-4000-8000-000000000000').toString('base64url')],
    ['a type with no id', Buffer.from('Occasion:').toString('base64url')],
    ['oversized', 'A'.repeat(5000)],
  ])('malformed global id (%s) → BAD_USER_INPUT', async (_label, id) => {
    const r = await gql(OCCASION, { id }, { token: w.owner.token });
    expect(r.status).toBe(200);
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(r.body.data).toBeNull();
  });

  it('an Event id where an Occasion id is expected → BAD_USER_INPUT', async () => {
    const r = await gql(OCCASION, { id: w.eventIds[0] }, { token: w.owner.token });
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(r.body.data).toBeNull();
  });

  it('an Actor id where an Event id is expected, inside a mutation input → BAD_USER_INPUT, nothing written', async () => {
    const before = await counts();
    const r = await gql(
      `mutation($i: DeleteEventInput!) { deleteEvent(input: $i) { deletedId } }`,
      { i: { id: w.households[0]!.id } },
      { token: w.owner.token },
    );
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(await counts()).toEqual(before);
  });

  it('a well-formed global id whose key is not a uuid → BAD_USER_INPUT', async () => {
    const r = await gql(OCCASION, { id: encodeGlobalID('Occasion', "1' OR '1'='1") }, { token: w.owner.token });
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(r.body.data ?? null).toBeNull();
  });

  it('invalid DateTime in variables → BAD_USER_INPUT, nothing written', async () => {
    const before = await counts();
    for (const startsAt of ['tomorrow', '2027-13-45T99:00:00Z', 1_700_000_000]) {
      const r = await gql(
        `mutation($i: CreateEventInput!) { createEvent(input: $i) { __typename } }`,
        { i: { occasionId: w.occasionId, name: 'Brunch', startsAt } },
        { token: w.owner.token },
      );
      expect(r.status, `startsAt ${startsAt}`).toBe(400);
      expect(errorCode(r), `startsAt ${startsAt}`).toBe('BAD_USER_INPUT');
    }
    expect(await counts()).toEqual(before);
  });

  it('invalid DateTime literal in the query → BAD_USER_INPUT', async () => {
    const r = await gql(
      `mutation { createEvent(input: { occasionId: "${w.occasionId}", name: "Brunch", startsAt: "next tuesday" }) { __typename } }`,
      undefined,
      { token: w.owner.token },
    );
    expect(r.status).toBe(400);
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
  });

  it('bad event input → ValidationError with field paths, nothing written', async () => {
    const before = await counts();
    const r = await gql(
      `mutation($i: CreateEventInput!) { createEvent(input: $i) { __typename ... on ValidationError { code fields { path message } } } }`,
      { i: { occasionId: w.occasionId, name: '   ', startsAt: '2027-06-02T10:00:00Z', endsAt: '2027-06-01T10:00:00Z' } },
      { token: w.owner.token },
    );
    expect(r.status).toBe(200);
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.createEvent.__typename).toBe('ValidationError');
    expect(r.body.data.createEvent.code).toBe('VALIDATION_FAILED');
    expect(r.body.data.createEvent.fields.map((f: { path: string }) => f.path)).toContain('input.name');
    expect(await counts()).toEqual(before);
  });

  it('bad occasion input → ValidationError, nothing written', async () => {
    const before = await counts();
    const r = await gql(
      `mutation($i: CreateOccasionInput!) { createOccasion(input: $i) { __typename ... on ValidationError { code fields { path } } } }`,
      { i: { name: 'x'.repeat(10_000), timezone: 'Mars/Olympus_Mons' } },
      { token: w.owner.token },
    );
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.createOccasion).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED' });
    expect(await counts()).toEqual(before);
  });

  it('bad sign-up input → ValidationError, no user created', async () => {
    const before = await counts();
    const r = await gql(`mutation($i: SignUpInput!) { signUp(input: $i) { __typename ... on ValidationError { code fields { path } } } }`, {
      i: { email: 'not-an-email', password: 'short', displayName: '' },
    });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.signUp.__typename).toBe('ValidationError');
    expect(r.body.data.signUp.fields.map((f: { path: string }) => f.path).sort()).toEqual(['input.displayName', 'input.email', 'input.password']);
    expect(await counts()).toEqual(before);
  });

  it('JSON that is not an object where settings are expected → ValidationError, nothing written', async () => {
    const before = await counts();
    const r = await gql(
      `mutation($i: UpdateEventInput!) { updateEvent(input: $i) { __typename ... on ValidationError { code } } }`,
      { i: { id: w.eventIds[0], settings: [1, 2, 3] } },
      { token: w.owner.token },
    );
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.updateEvent).toEqual({ __typename: 'ValidationError', code: 'VALIDATION_FAILED' });
    expect(await counts()).toEqual(before);
  });
});

describe('secrets stay out of logs', () => {
  it('passwords and refresh tokens never reach the logs', async () => {
    const from = s.logs.length;
    const user = await signUpUser(s, 'logs');
    const signIn = await must(s, undefined, `mutation($i: SignInInput!) { signIn(input: $i) { ... on Session { refreshToken } } }`, {
      i: { email: user.email, password: user.password },
    });
    const wrong = await gql(`mutation($i: SignInInput!) { signIn(input: $i) { __typename } }`, {
      i: { email: user.email, password: `${user.password}-wrong` },
    });
    expect(wrong.body.data.signIn.__typename).toBe('InvalidCredentialsError');
    const refreshed = await must(
      s,
      undefined,
      `mutation($i: RefreshSessionInput!) { refreshSession(input: $i) { ... on Session { refreshToken } } }`,
      {
        i: { refreshToken: signIn.signIn.refreshToken },
      },
    );
    // A reused refresh token takes the error path, which logs too.
    await gql(`mutation($i: RefreshSessionInput!) { refreshSession(input: $i) { __typename } }`, { i: { refreshToken: signIn.signIn.refreshToken } });

    const logs = s.logs.slice(from).join('');
    expect(logs.length, 'requests are logged at all').toBeGreaterThan(0);
    for (const secret of [
      user.password,
      `${user.password}-wrong`,
      user.refreshToken,
      signIn.signIn.refreshToken,
      refreshed.refreshSession.refreshToken,
      user.token,
    ]) {
      expect(logs).not.toContain(secret);
    }
  });
});
