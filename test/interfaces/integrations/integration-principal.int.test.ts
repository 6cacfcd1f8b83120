import { exportSPKI, importJWK, type JWK, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_TOKEN_TYP } from '../../../src/domains/identity/identity.service.js';
import { AUDIENCE } from '../../../src/domains/identity/tokens.js';
import { INTEGRATION_AUDIENCE, INTEGRATION_TOKEN_TYP } from '../../../src/interfaces/integrations/principal.js';
import { resolveAppKey } from '../../../src/platform/app-key.js';
import { decrypt } from '../../../src/platform/crypto.js';
import { buildWorld, signUpUser, uniq, type World } from '../../support/factories.js';
import { type GqlResult, startServer, type TestServer } from '../../support/harness.js';
import { grantIntegration, integrationWithCredential, issueToken, runOperation, type TestIntegration } from '../../support/integration-auth.js';
import { until, wsClient } from '../../support/live.js';
import { newRequestId, rawId } from '../../support/rows.js';

/**
 * Integration access tokens on /graphql: the principal they stand for, what
 * its grants let it read, and every way a token stops working, including on
 * the very next request after a revocation or a disable.
 */

const s = await startServer();
const prod = await startServer({ DEPLOYMENT_ENVIRONMENT: 'production' });
const limited = await startServer({ INTEGRATION_RATE_LIMIT_PER_MINUTE: 3 });
const prisma = s.app.db.prisma;

function expectUnauthenticated(r: GqlResult, reason: string) {
  expect(r.status, JSON.stringify(r.body)).toBe(401);
  expect(r.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  expect(r.body.errors?.[0]?.extensions?.reason).toBe(reason);
  expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
  expect(r.body.data ?? null).toBeNull();
}

let world: World;
let other: World;

/** An integration that may read event 0 of `world` (event scope, read-only) and a token for it. */
async function venue(server: TestServer = s): Promise<TestIntegration & { token: string }> {
  const i = await integrationWithCredential(server);
  await grantIntegration(server, i.integrationId, {
    occasionId: rawId(world.occasionId),
    actions: ['event:read'],
    scopeType: 'EVENT',
    scopeEventId: rawId(world.eventIds[0]!),
  });
  return { ...i, token: await issueToken(server, i) };
}

const readEvent = (token: string | undefined, eventId: string, headers?: Record<string, string>) =>
  runOperation(s, token, 'VenueEvent', { eventId }, headers);

beforeAll(async () => {
  world = await buildWorld(s, { events: 2, households: [] });
  other = await buildWorld(s, { events: 1, households: [] });
});

describe('what an integration may read', () => {
  it('reads the event its grant covers; another event of the occasion is FORBIDDEN, another occasion NOT_FOUND', async () => {
    const v = await venue();
    const ok = await readEvent(v.token, world.eventIds[0]!);
    expect(ok.status).toBe(200);
    expect(ok.body.errors).toBeUndefined();
    expect(ok.body.data.event).toMatchObject({ id: world.eventIds[0], name: 'Event 1' });

    const sibling = await readEvent(v.token, world.eventIds[1]!);
    expect(sibling.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const foreign = await readEvent(v.token, other.eventIds[0]!);
    expect(foreign.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('an integration without grants reads nothing', async () => {
    const i = await integrationWithCredential(s);
    const r = await readEvent(await issueToken(s, i), world.eventIds[0]!);
    expect(['FORBIDDEN', 'NOT_FOUND']).toContain(r.body.errors?.[0]?.extensions?.code);
    expect(r.body.data?.event ?? null).toBeNull();
  });
});

describe('stops working on the next request', () => {
  it('credential revoked after the token was issued → 401 credential_revoked', async () => {
    const v = await venue();
    expect((await readEvent(v.token, world.eventIds[0]!)).body.errors).toBeUndefined();
    await prisma.integrationCredential.update({ where: { id: v.credentialId }, data: { revokedAt: new Date() } });
    expectUnauthenticated(await readEvent(v.token, world.eventIds[0]!), 'credential_revoked');
  });

  it('credential expired after the token was issued → 401 credential_expired', async () => {
    const v = await venue();
    await prisma.integrationCredential.update({ where: { id: v.credentialId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expectUnauthenticated(await readEvent(v.token, world.eventIds[0]!), 'credential_expired');
  });

  it.each(['DISABLED', 'REVOKED', 'ARCHIVED'] as const)('integration %s after the token was issued → 401', async (status) => {
    const v = await venue();
    expect((await readEvent(v.token, world.eventIds[0]!)).body.errors).toBeUndefined();
    await prisma.integrationApp.update({ where: { id: v.integrationId }, data: { status } });
    expectUnauthenticated(await readEvent(v.token, world.eventIds[0]!), `integration_${status.toLowerCase()}`);
  });

  it('integration expired after the token was issued → 401 integration_expired', async () => {
    const v = await venue();
    await prisma.integrationApp.update({ where: { id: v.integrationId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expectUnauthenticated(await readEvent(v.token, world.eventIds[0]!), 'integration_expired');
  });

  it('integration moved to another environment after the token was issued → 401 environment_mismatch', async () => {
    const v = await venue();
    await prisma.integrationApp.update({ where: { id: v.integrationId }, data: { environment: 'STAGING' } });
    expectUnauthenticated(await readEvent(v.token, world.eventIds[0]!), 'environment_mismatch');
  });
});

describe('forged, tampered and confused tokens', () => {
  let v: TestIntegration & { token: string };
  let kid: string;
  let serverKey: CryptoKey;
  const forge = (header: Record<string, unknown>, payload: Record<string, unknown>, key: CryptoKey | Uint8Array = serverKey) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ sub: v.integrationId, cid: v.credentialId, env: 'development', scope: 'event:read', ...payload })
      .setProtectedHeader({ alg: 'ES256', kid, typ: INTEGRATION_TOKEN_TYP, ...header })
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .setJti(uniq())
      .setIssuer((payload.iss as string) ?? s.app.tokens.issuer)
      .setAudience((payload.aud as string) ?? INTEGRATION_AUDIENCE)
      .sign(key);
  };

  beforeAll(async () => {
    v = await venue();
    const row = await prisma.signingKey.findFirstOrThrow({ where: { retiredAt: null }, orderBy: { createdAt: 'desc' } });
    kid = row.kid;
    serverKey = (await importJWK(JSON.parse(decrypt(row.privateJwkEnc, resolveAppKey(s.app.config))) as JWK, 'ES256')) as CryptoKey;
  });

  it('control: a token forged with the server key and the right claims is accepted', async () => {
    const r = await readEvent(await forge({}, {}), world.eventIds[0]!);
    expect(r.body.errors).toBeUndefined();
  });

  it('the user access tokens’ audience, or another issuer, on an otherwise valid integration token → 401 invalid', async () => {
    expectUnauthenticated(await readEvent(await forge({}, { aud: AUDIENCE }), world.eventIds[0]!), 'invalid');
    expectUnauthenticated(await readEvent(await forge({}, { iss: 'tovplus' }), world.eventIds[0]!), 'invalid');
  });

  it('a tampered payload (another integration id) → 401 invalid', async () => {
    const [h, p, sig] = v.token.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const tampered = Buffer.from(JSON.stringify({ ...claims, sub: (await integrationWithCredential(s)).integrationId })).toString('base64url');
    expectUnauthenticated(await readEvent(`${h}.${tampered}.${sig}`, world.eventIds[0]!), 'invalid');
  });

  it('`alg: none` → 401 invalid', async () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const body = {
      sub: v.integrationId,
      cid: v.credentialId,
      env: 'development',
      iss: s.app.tokens.issuer,
      aud: INTEGRATION_AUDIENCE,
      iat: now,
      exp: now + 300,
      jti: uniq(),
    };
    expectUnauthenticated(await readEvent(`${b64({ alg: 'none', typ: INTEGRATION_TOKEN_TYP, kid })}.${b64(body)}.`, world.eventIds[0]!), 'invalid');
  });

  it('HS256 keyed with the public key → 401 invalid', async () => {
    const jwk = s.app.tokens.publicJwks().keys.find((k) => k.kid === kid)!;
    const pem = await exportSPKI((await importJWK(jwk, 'ES256')) as CryptoKey);
    for (const secret of [pem, JSON.stringify(jwk)]) {
      expectUnauthenticated(await readEvent(await forge({ alg: 'HS256' }, {}, new TextEncoder().encode(secret)), world.eventIds[0]!), 'invalid');
    }
  });

  it('expired token → 401 expired', async () => {
    const { token } = await s.app.tokens.sign(
      { sub: v.integrationId, cid: v.credentialId, env: 'development' },
      INTEGRATION_TOKEN_TYP,
      -10,
      INTEGRATION_AUDIENCE,
    );
    expectUnauthenticated(await readEvent(token, world.eventIds[0]!), 'expired');
  });

  it('a credential id of another integration → 401 credential_unknown', async () => {
    const stranger = await integrationWithCredential(s);
    expectUnauthenticated(await readEvent(await forge({}, { cid: stranger.credentialId }), world.eventIds[0]!), 'credential_unknown');
  });

  it('a user access token type with integration claims is not an integration token', async () => {
    // the user verifier takes it, finds no such user, and refuses
    const { token } = await s.app.tokens.sign({ sub: v.integrationId, cid: v.credentialId, env: 'development' }, ACCESS_TOKEN_TYP);
    const r = await s.gql(`query { me { id } }`, undefined, { token });
    expect(r.status).toBe(401);
    expect(r.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('a user’s claims under the integration token type are refused', async () => {
    const user = await signUpUser(s, 'typ');
    const { token } = await s.app.tokens.sign({ sub: user.userId, email: user.email }, INTEGRATION_TOKEN_TYP, 600, INTEGRATION_AUDIENCE);
    expectUnauthenticated(await readEvent(token, world.eventIds[0]!), 'invalid');
  });

  it('an integration token is not a user session', async () => {
    const r = await s.gql(`query { me { id } }`, undefined, { token: v.token });
    // Query text is refused to integrations once persisted operations are on; either way no user comes back.
    expect(r.body.data?.me ?? null).toBeNull();
  });
});

describe('environment of the server', () => {
  it('a development token on a production server → 401 environment_mismatch', async () => {
    const i = await integrationWithCredential(prod, { environment: 'DEVELOPMENT' });
    const { token } = await prod.app.tokens.sign(
      { sub: i.integrationId, cid: i.credentialId, env: 'development' },
      INTEGRATION_TOKEN_TYP,
      600,
      INTEGRATION_AUDIENCE,
    );
    const r = await runOperation(prod, token, 'VenueEvent', { eventId: world.eventIds[0] });
    expectUnauthenticated(r, 'environment_mismatch');
  });
});

describe('graphql-ws', () => {
  it('refuses integration tokens at connection_init (4403): partners run persisted documents over HTTP only', async () => {
    const v = await venue();
    const ws = wsClient(s.url, v.token);
    const sub = ws.subscribe(`query($id: ID!) { event(id: $id) { id } }`, { id: world.eventIds[0] });
    await until(() => ws.closes.length > 0, 5000, 'the socket to close');
    expect(ws.closes.map((c) => c.code)).toContain(4403);
    expect(sub.messages).toEqual([]);
    await ws.dispose();
  });
});

describe('rate limit per credential', () => {
  it('over INTEGRATION_RATE_LIMIT_PER_MINUTE → 429 RATE_LIMITED with Retry-After; another credential is unaffected', async () => {
    // Fixed windows reset on the minute: start well inside one.
    const into = Date.now() % 60_000;
    if (into > 50_000) await new Promise((r) => setTimeout(r, 60_000 - into + 50));
    const [a, b] = [await integrationWithCredential(limited), await integrationWithCredential(limited)];
    const [ta, tb] = [await issueToken(limited, a), await issueToken(limited, b)];
    const call = (token: string) => runOperation(limited, token, 'VenueEvent', { eventId: world.eventIds[0] });
    for (let n = 0; n < 3; n++) expect((await call(ta)).status).not.toBe(429);
    const over = await call(ta);
    expect(over.status, JSON.stringify(over.body)).toBe(429);
    expect(over.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    const retryAfter = Number(over.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await call(tb)).status).not.toBe(429);
  });
});

describe('audit of integration calls', () => {
  const rowsOf = (requestId: string) => prisma.auditLog.findMany({ where: { requestId } });

  it('a granted read writes one SUCCESS row naming the integration, credential, root field, the resource it read and request', async () => {
    const v = await venue();
    const requestId = newRequestId('int');
    const r = await readEvent(v.token, world.eventIds[0]!, { 'x-request-id': requestId });
    expect(r.body.errors).toBeUndefined();
    const rows = await rowsOf(requestId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      principalType: 'integration',
      integrationId: v.integrationId,
      credentialId: v.credentialId,
      action: 'event',
      outcome: 'SUCCESS',
      occasionId: rawId(world.occasionId),
      // The resource, not only the root field: the event the id argument named, as type + id.
      targetType: 'Event',
      targetId: rawId(world.eventIds[0]!),
      scope: expect.objectContaining({ targets: [{ type: 'Event', id: rawId(world.eventIds[0]!) }] }),
    });
    // the persisted operation id once partners send documentId (null while only query text reaches the server)
    expect([null, expect.stringMatching(/^sha256:/)]).toContainEqual(rows[0]!.operationId);
  });

  it('a refused read writes a DENIED row; another occasion’s id is not written into that occasion’s log', async () => {
    const v = await venue();
    const forbidden = newRequestId('int');
    await readEvent(v.token, world.eventIds[1]!, { 'x-request-id': forbidden });
    expect(await rowsOf(forbidden)).toMatchObject([
      { outcome: 'DENIED', reason: 'FORBIDDEN', integrationId: v.integrationId, targetType: 'Event', targetId: rawId(world.eventIds[1]!) },
    ]);
    const foreign = newRequestId('int');
    await readEvent(v.token, other.eventIds[0]!, { 'x-request-id': foreign });
    expect(await rowsOf(foreign)).toMatchObject([{ outcome: 'DENIED', reason: 'NOT_FOUND', occasionId: null }]);
  });

  it('a request refused at authentication writes no call row; a user’s request writes none either', async () => {
    const v = await venue();
    await prisma.integrationCredential.update({ where: { id: v.credentialId }, data: { revokedAt: new Date() } });
    const refused = newRequestId('int');
    expectUnauthenticated(await readEvent(v.token, world.eventIds[0]!, { 'x-request-id': refused }), 'credential_revoked');
    expect(await rowsOf(refused)).toEqual([]);
    const user = newRequestId('usr');
    await s.gql(
      `query($id: ID!) { event(id: $id) { id } }`,
      { id: world.eventIds[0] },
      { token: world.owner.token, headers: { 'x-request-id': user } },
    );
    expect(await rowsOf(user)).toEqual([]);
  });
});

describe('logs', () => {
  it('no integration token or secret appears in the captured logs', async () => {
    const v = await venue();
    await readEvent(v.token, world.eventIds[0]!);
    await readEvent('garbage.' + v.token.split('.')[1] + '.x', world.eventIds[0]!);
    const all = s.logs.join('\n');
    expect(all).not.toContain(v.secret);
    expect(all).not.toContain(v.token);
    expect(all).not.toContain(v.token.split('.')[2]!);
  });
});
