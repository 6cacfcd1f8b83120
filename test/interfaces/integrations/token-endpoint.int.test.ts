import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { AUDIENCE } from '../../../src/domains/identity/tokens.js';
import { INTEGRATION_AUDIENCE, INTEGRATION_TOKEN_TYP } from '../../../src/interfaces/integrations/principal.js';
import { buildWorld, type World } from '../../support/factories.js';
import { startServer } from '../../support/harness.js';
import {
  basic,
  createCredential,
  freshLoopback,
  grantIntegration,
  integrationWithCredential,
  issueToken,
  runOperation,
  type TestIntegration,
  tokenRequest,
} from '../../support/integration-auth.js';
import { sleep } from '../../support/live.js';
import { rawId } from '../../support/rows.js';

/**
 * POST /oauth/token (client credentials) and GET /.well-known/jwks.json:
 * what is issued, to whom, and every way a request is refused.
 */

const s = await startServer();
const prod = await startServer({ DEPLOYMENT_ENVIRONMENT: 'production' });
const limited = await startServer({ TOKEN_RATE_LIMIT_PER_MINUTE: 3, TOKEN_IP_RATE_LIMIT_PER_MINUTE: 6 });
const prisma = s.app.db.prisma;
/** Every secret and token this file handled: none may reach a log line. */
const handled: string[] = [];

const cc = (i: Pick<TestIntegration, 'keyId' | 'secret'>, extra: Record<string, string> = {}) => ({
  grant_type: 'client_credentials',
  client_id: i.keyId,
  client_secret: i.secret,
  ...extra,
});

async function partner(opts: Parameters<typeof integrationWithCredential>[1] = {}) {
  const i = await integrationWithCredential(s, opts);
  handled.push(i.secret);
  return i;
}

/**
 * RFC 6749 §5.2: a client that authenticated with the Authorization header gets 401 and a Basic
 * challenge; one that sent its credentials in the body (or none) gets 400 and no challenge.
 */
function expectInvalidClient(r: Awaited<ReturnType<typeof tokenRequest>>, via: 'body' | 'header' = 'body') {
  expect(r.status, JSON.stringify(r.body)).toBe(via === 'header' ? 401 : 400);
  expect(r.body.error).toBe('invalid_client');
  if (via === 'header') expect(r.headers['www-authenticate']).toMatch(/^Basic /);
  else expect(r.headers['www-authenticate']).toBeUndefined();
  expect(r.headers['cache-control']).toBe('no-store');
  expect(r.body.access_token).toBeUndefined();
}

let world: World;
beforeAll(async () => {
  world = await buildWorld(s, { events: 1, households: [] });
});

describe('issuing a token', () => {
  it('client_credentials in the form body → a Bearer token of at most 10 minutes that names the integration, credential, environment and scope', async () => {
    // given an ENABLED integration with an event-scoped read grant
    const i = await partner();
    await grantIntegration(s, i.integrationId, {
      occasionId: rawId(world.occasionId),
      actions: ['event:read', 'occasion:read'],
      scopeType: 'EVENT',
      scopeEventId: rawId(world.eventIds[0]!),
    });
    // when it asks for a token
    const r = await tokenRequest(s, cc(i));
    // then
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    expect(r.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 600, scope: 'event:read occasion:read' });
    expect(r.body.refresh_token).toBeUndefined();
    handled.push(r.body.access_token);

    const header = decodeProtectedHeader(r.body.access_token);
    expect(header).toMatchObject({ alg: 'ES256', typ: INTEGRATION_TOKEN_TYP, kid: expect.any(String) });
    const claims = decodeJwt(r.body.access_token);
    expect(claims).toMatchObject({ sub: i.integrationId, cid: i.credentialId, env: 'development', scope: 'event:read occasion:read' });
    // issued by this server's public URL, for the integration audience (never the user access tokens' one)
    expect(claims.iss).toBe(s.app.config.publicUrl);
    expect(claims.aud).toBe(INTEGRATION_AUDIENCE);
    expect(claims.aud).not.toBe(AUDIENCE);
    expect(claims.jti).toEqual(expect.any(String));
    expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(600);

    // the first use moves ENABLED → ACTIVE, and the credential's last use is recorded
    const app = await prisma.integrationApp.findUniqueOrThrow({ where: { id: i.integrationId } });
    expect(app.status).toBe('ACTIVE');
    const cred = await prisma.integrationCredential.findUniqueOrThrow({ where: { id: i.credentialId } });
    expect(cred.lastUsedAt).toBeInstanceOf(Date);
    const audit = await prisma.auditLog.findMany({ where: { credentialId: i.credentialId, action: 'integration:issue_token' } });
    expect(audit).toMatchObject([{ integrationId: i.integrationId, outcome: 'SUCCESS', principalType: 'integration' }]);

    // and the token reads what the grant allows
    const ok = await runOperation(s, r.body.access_token, 'VenueEvent', { eventId: world.eventIds[0] });
    expect(ok.body.errors).toBeUndefined();
    expect(ok.body.data.event.id).toBe(world.eventIds[0]);
  });

  it('HTTP Basic authentication (RFC 6749 §2.3.1) and a JSON body work too', async () => {
    const i = await partner();
    const viaBasic = await tokenRequest(s, { grant_type: 'client_credentials' }, { headers: { authorization: basic(i.keyId, i.secret) } });
    expect(viaBasic.status, JSON.stringify(viaBasic.body)).toBe(200);
    const viaJson = await tokenRequest(s, cc(i), { json: true });
    expect(viaJson.status, JSON.stringify(viaJson.body)).toBe(200);
    handled.push(viaBasic.body.access_token, viaJson.body.access_token);
    // every token is its own (jti)
    expect(decodeJwt(viaBasic.body.access_token).jti).not.toBe(decodeJwt(viaJson.body.access_token).jti);
  });

  it('an integration without grants gets a token with an empty scope; asking for a granted scope is fine, an ungranted one is invalid_scope', async () => {
    const bare = await partner();
    const r = await tokenRequest(s, cc(bare));
    expect(r.status).toBe(200);
    expect(r.body.scope).toBe('');
    handled.push(r.body.access_token);

    const i = await partner();
    await grantIntegration(s, i.integrationId, { occasionId: rawId(world.occasionId), actions: ['occasion:read'], scopeType: 'OCCASION' });
    const granted = await tokenRequest(s, cc(i, { scope: 'occasion:read' }));
    expect(granted.status).toBe(200);
    handled.push(granted.body.access_token);
    const ungranted = await tokenRequest(s, cc(i, { scope: 'occasion:read rsvp:manage' }));
    expect(ungranted.status).toBe(400);
    expect(ungranted.body.error).toBe('invalid_scope');
    expect(ungranted.body.error_description).toContain('rsvp:manage');
  });
});

describe('client authentication failures', () => {
  it('a wrong secret over HTTP Basic → 401 with a Basic challenge; in the body → 400 without one', async () => {
    const i = await partner();
    const other = await partner();
    expectInvalidClient(
      await tokenRequest(s, { grant_type: 'client_credentials' }, { headers: { authorization: basic(i.keyId, other.secret) } }),
      'header',
    );
    expectInvalidClient(await tokenRequest(s, cc({ keyId: i.keyId, secret: other.secret })), 'body');
    expectInvalidClient(await tokenRequest(s, cc({ keyId: i.keyId, secret: other.secret }), { json: true }), 'body');
  });

  it('wrong secret → invalid_client, audited as DENIED without the secret', async () => {
    const i = await partner();
    const other = await partner();
    const r = await tokenRequest(s, cc({ keyId: i.keyId, secret: other.secret }));
    expectInvalidClient(r);
    // the refusal's audit row is written beside the response (not awaited: equal timing for unknown ids)
    let rows = await prisma.auditLog.findMany({ where: { credentialId: i.credentialId } });
    for (let n = 0; n < 50 && !rows.length; n++) {
      await new Promise((done) => setTimeout(done, 20));
      rows = await prisma.auditLog.findMany({ where: { credentialId: i.credentialId } });
    }
    expect(rows).toMatchObject([{ action: 'integration:issue_token', outcome: 'DENIED', reason: 'wrong_secret' }]);
    expect(JSON.stringify(rows, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).not.toContain(other.secret);
  });

  it('unknown key id → the same refusal as a wrong secret (nothing tells the two apart)', async () => {
    const i = await partner();
    const known = await tokenRequest(s, cc({ keyId: i.keyId, secret: (await partner()).secret }));
    const unknown = await tokenRequest(s, cc({ keyId: 'tovk_AAAAAAAAAAAAAAAA', secret: i.secret }));
    expectInvalidClient(unknown);
    expect(unknown.body).toEqual(known.body);
  });

  it('a malformed secret (bad checksum) or key id is refused before any database statement', async () => {
    const i = await partner();
    const broken = i.secret.slice(0, -1) + (i.secret.endsWith('0') ? '1' : '0');
    const before = s.app.db.statements.count;
    expectInvalidClient(await tokenRequest(s, cc({ keyId: i.keyId, secret: broken })));
    expectInvalidClient(await tokenRequest(s, cc({ keyId: 'not-a-key-id', secret: i.secret })));
    expect(s.app.db.statements.count - before).toBe(0);
  });

  it('a revoked or expired credential is refused', async () => {
    const { integrationId, keyId, secret, credentialId } = await partner();
    await prisma.integrationCredential.update({ where: { id: credentialId }, data: { revokedAt: new Date() } });
    const revoked = await tokenRequest(s, cc({ keyId, secret }));
    expectInvalidClient(revoked);
    expect(revoked.body.error_description).toMatch(/revoked/);

    const expired = await createCredential(s, integrationId, { expiresAt: new Date(Date.now() - 1000) });
    handled.push(expired.secret);
    const r = await tokenRequest(s, cc(expired));
    expectInvalidClient(r);
    expect(r.body.error_description).toMatch(/expired/);
  });

  it.each([
    ['DEFINED', /not enabled/],
    ['CONFIGURED', /not enabled/],
    ['DISABLED', /disabled/],
    ['REVOKED', /revoked/],
    ['ARCHIVED', /archived/],
  ] as const)('an integration that is %s is refused', async (status, description) => {
    const i = await partner({ status });
    const r = await tokenRequest(s, cc(i));
    expectInvalidClient(r);
    expect(r.body.error_description).toMatch(description);
    expect((await prisma.integrationApp.findUniqueOrThrow({ where: { id: i.integrationId } })).status).toBe(status);
  });

  it('an expired integration is refused', async () => {
    const i = await partner({ status: 'ACTIVE', expiresAt: new Date(Date.now() - 1000) });
    const r = await tokenRequest(s, cc(i));
    expectInvalidClient(r);
    expect(r.body.error_description).toMatch(/expired/);
  });

  it('a production credential on this development server is refused', async () => {
    expect(s.app.config.DEPLOYMENT_ENVIRONMENT).toBe('development');
    const r = await tokenRequest(s, cc(await partner({ environment: 'PRODUCTION' })));
    expectInvalidClient(r);
    expect(r.body.error_description).toMatch(/environment/);
  });
});

describe('environment separation on a production server', () => {
  it('a staging credential is refused; a production one is issued a production token', async () => {
    const staging = await integrationWithCredential(prod, { environment: 'STAGING' });
    const production = await integrationWithCredential(prod, { environment: 'PRODUCTION' });
    handled.push(staging.secret, production.secret);
    const refused = await tokenRequest(prod, cc(staging));
    expectInvalidClient(refused);
    expect(refused.body.error_description).toMatch(/environment/);
    const ok = await tokenRequest(prod, cc(production));
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(decodeJwt(ok.body.access_token).env).toBe('production');
  });

  it('NODE_ENV=production means a production deployment unless DEPLOYMENT_ENVIRONMENT says otherwise', async () => {
    const { loadConfig } = await import('../../../src/platform/config.js');
    expect(loadConfig({ NODE_ENV: 'production' }).DEPLOYMENT_ENVIRONMENT).toBe('production');
    expect(loadConfig({ NODE_ENV: 'production', DEPLOYMENT_ENVIRONMENT: 'staging' }).DEPLOYMENT_ENVIRONMENT).toBe('staging');
    expect(loadConfig({ NODE_ENV: 'development' }).DEPLOYMENT_ENVIRONMENT).toBe('development');
  });
});

describe('malformed token requests', () => {
  it('missing grant_type → invalid_request; another grant type → unsupported_grant_type', async () => {
    const i = await partner();
    const missing = await tokenRequest(s, { client_id: i.keyId, client_secret: i.secret });
    expect([missing.status, missing.body.error]).toEqual([400, 'invalid_request']);
    const password = await tokenRequest(s, cc(i, { grant_type: 'password' }));
    expect([password.status, password.body.error]).toEqual([400, 'unsupported_grant_type']);
  });

  it('no client authentication → invalid_client; Basic and body credentials together → invalid_request', async () => {
    const i = await partner();
    expectInvalidClient(await tokenRequest(s, { grant_type: 'client_credentials' }));
    const both = await tokenRequest(s, cc(i), { headers: { authorization: basic(i.keyId, i.secret) } });
    expect([both.status, both.body.error]).toEqual([400, 'invalid_request']);
    expectInvalidClient(await tokenRequest(s, { grant_type: 'client_credentials' }, { headers: { authorization: 'Bearer abc' } }), 'header');
  });

  it('a repeated parameter, an unsupported body type or broken JSON → invalid_request; GET → 405', async () => {
    const i = await partner();
    const repeated = await tokenRequest(s, `grant_type=client_credentials&client_id=${i.keyId}&client_id=${i.keyId}&client_secret=${i.secret}`);
    expect([repeated.status, repeated.body.error]).toEqual([400, 'invalid_request']);
    const text = await tokenRequest(s, 'grant_type=client_credentials', { headers: { 'content-type': 'text/plain' } });
    expect([text.status, text.body.error]).toEqual([400, 'invalid_request']);
    const json = await tokenRequest(s, '{"grant_type":', { json: true });
    expect([json.status, json.body.error]).toEqual([400, 'invalid_request']);
    const get = await tokenRequest(s, '', { method: 'GET' });
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
  });
});

describe('RFC 8414 metadata, as an OAuth client discovers and uses it', () => {
  it('publishes issuer, token endpoint, JWKS, grant types and client authentication methods; the issuer is the tokens’ iss', async () => {
    // given: a client that knows only the server's address
    const res = await s.fetch('/.well-known/oauth-authorization-server');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toMatch(/^public, max-age=\d+/);
    const meta = (await res.json()) as Record<string, any>;
    const issuer = s.app.config.publicUrl;
    expect(meta).toEqual({
      issuer,
      token_endpoint: `${issuer}/oauth/token`,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      grant_types_supported: ['client_credentials'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      response_types_supported: [],
    });

    // when: it asks the advertised token endpoint (PUBLIC_URL names the public address; the test talks to the socket) with client_secret_basic
    const i = await partner();
    const at = (u: string) => new URL(new URL(u).pathname, s.url);
    const tokenRes = await fetch(at(meta.token_endpoint), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(i.keyId, i.secret) },
      body: 'grant_type=client_credentials',
    });
    expect(tokenRes.status).toBe(200);
    const { access_token } = (await tokenRes.json()) as { access_token: string };
    handled.push(access_token);

    // then: the token verifies against the advertised keys, issuer and the integration audience — and not as a user token
    const jwks = createRemoteJWKSet(at(meta.jwks_uri));
    const { payload } = await jwtVerify(access_token, jwks, { issuer: meta.issuer, audience: INTEGRATION_AUDIENCE, typ: INTEGRATION_TOKEN_TYP });
    expect(payload.sub).toBe(i.integrationId);
    await expect(jwtVerify(access_token, jwks, { issuer: meta.issuer, audience: AUDIENCE })).rejects.toThrow(/aud/);
    // a user's access token carries the same issuer and the other audience
    const { token: userToken } = await s.app.tokens.sign({ sub: i.integrationId }, 'at+jwt');
    await expect(jwtVerify(userToken, jwks, { issuer: meta.issuer, audience: INTEGRATION_AUDIENCE })).rejects.toThrow(/aud/);
  });

  it('only GET', async () => {
    const r = await s.fetch('/.well-known/oauth-authorization-server', { method: 'POST' });
    expect(r.status).toBe(405);
  });
});

describe('JWKS and key rotation', () => {
  it('publishes the public keys (never a private part) with a cache lifetime', async () => {
    const res = await s.fetch('/.well-known/jwks.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toMatch(/max-age=\d+/);
    const { keys } = (await res.json()) as { keys: Record<string, string>[] };
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) {
      expect(k).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: expect.any(String) });
      expect(k.d).toBeUndefined();
    }
  });

  it('after a rotation, a token signed with the old key still works and JWKS lists both keys', async () => {
    // given a token signed before the rotation
    const i = await partner();
    await grantIntegration(s, i.integrationId, {
      occasionId: rawId(world.occasionId),
      actions: ['event:read'],
      scopeType: 'EVENT',
      scopeEventId: rawId(world.eventIds[0]!),
    });
    const before = await issueToken(s, i);
    handled.push(before);
    // when the keys rotate
    const newKid = await s.app.tokens.rotate();
    // then the old token still verifies, new tokens use the new key, and both keys are published
    const old = await runOperation(s, before, 'VenueEvent', { eventId: world.eventIds[0] });
    expect(old.body.errors).toBeUndefined();
    const after = await issueToken(s, i);
    handled.push(after);
    expect(decodeProtectedHeader(after).kid).toBe(newKid);
    const kids = ((await (await s.fetch('/.well-known/jwks.json')).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);
    expect(kids).toEqual(expect.arrayContaining([decodeProtectedHeader(before).kid, newKid]));
  });
});

describe('brute force of the token endpoint', () => {
  /** Fixed windows reset on the minute: start well inside one, so the counts below are not split across two. */
  async function freshWindow() {
    const into = Date.now() % 60_000;
    if (into > 50_000) await sleep(60_000 - into + 50);
  }

  function expectRateLimited(r: Awaited<ReturnType<typeof tokenRequest>>) {
    expect(r.status, JSON.stringify(r.body)).toBe(429);
    expect(r.body.error).toBe('rate_limited');
    const retryAfter = Number(r.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
  }

  it('guessing at one key id is limited per client_id: 429 with Retry-After; the right secret still gets a token', async () => {
    const i = await integrationWithCredential(limited);
    const wrong = await integrationWithCredential(limited);
    handled.push(i.secret, wrong.secret);
    await freshWindow();
    for (let n = 0; n < 3; n++)
      expectInvalidClient(await tokenRequest(limited, cc({ keyId: i.keyId, secret: wrong.secret }), { from: freshLoopback() }));
    expectRateLimited(await tokenRequest(limited, cc({ keyId: i.keyId, secret: wrong.secret }), { from: freshLoopback() }));
    // key ids are public: failures by someone else must not lock the partner out
    expect((await tokenRequest(limited, cc(i), { from: freshLoopback() })).status).toBe(200);
  });

  it('guessing across many key ids from one address is limited per address', async () => {
    const from = freshLoopback();
    const i = await integrationWithCredential(limited);
    handled.push(i.secret);
    await freshWindow();
    for (let n = 0; n < 6; n++) {
      const guess = `tovk_${String(n).padStart(16, 'x')}`;
      expectInvalidClient(await tokenRequest(limited, cc({ keyId: guess, secret: i.secret }), { from }));
    }
    expectRateLimited(await tokenRequest(limited, cc({ keyId: 'tovk_yyyyyyyyyyyyyyyy', secret: i.secret }), { from }));
    // another address is unaffected
    expect((await tokenRequest(limited, cc(i), { from: freshLoopback() })).status).toBe(200);
  });
});

describe('logs', () => {
  it('no secret or token this file handled appears in the captured logs', () => {
    const all = [...s.logs, ...prod.logs, ...limited.logs].join('\n');
    expect(all).toContain('integration token issued');
    for (const secret of handled) expect(all).not.toContain(secret);
  });
});
