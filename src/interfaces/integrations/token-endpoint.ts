import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppServices } from '../../kit/context.js';
import { recordAudit } from '../../platform/audit.js';
import { clientAddress } from '../../platform/client-address.js';
import { sha256 } from '../../platform/crypto.js';
import type { Caller } from '../../platform/principal.js';
import { markActive } from './apps.service.js';
import { isKeyId, isWellFormedSecret, secretMatches } from './credential-format.js';
import { issuerOf } from '../../platform/config.js';
import { INTEGRATION_AUDIENCE, INTEGRATION_TOKEN_TYP, refusalOf } from './principal.js';
import { WINDOW_SECONDS } from '../../platform/rate-limit.js';

/*
 * OAuth 2.0 client credentials (RFC 6749 §4.4) for integration principals:
 * a key id and secret in, a short-lived signed access token out. No refresh
 * token (§4.4.3): a client holding its secret simply asks again. Refusals use
 * the §5.2 error codes. A failed client authentication is 401 with a Basic
 * challenge when the client used the Authorization header (§5.2 requires
 * it), and 400 otherwise: a 401 must carry a challenge (RFC 9110 §15.5.2),
 * and a client that sent its secret in the body did not ask for one.
 * The server's metadata is published per RFC 8414.
 */

export const TOKEN_PATH = '/oauth/token';
export const JWKS_PATH = '/.well-known/jwks.json';
export const METADATA_PATH = '/.well-known/oauth-authorization-server';

/** Compared against when the key id is unknown, so an unknown id costs the same hash work as a wrong secret. */
const DUMMY_HASH = sha256('tovplus:no-such-credential');

const BASIC_CHALLENGE = 'Basic realm="tovplus-integrations", charset="UTF-8"';

type OAuthError = 'invalid_request' | 'invalid_client' | 'unsupported_grant_type' | 'invalid_scope' | 'rate_limited';

class TokenRequestError extends Error {
  constructor(
    readonly error: OAuthError,
    readonly description: string,
    readonly status = 400,
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  // §5.1: token responses (and, by the same reasoning, their errors) must never be cached.
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', pragma: 'no-cache', ...headers });
  res.end(JSON.stringify(body));
}

/** Form (the RFC's encoding) or JSON body → single-valued string parameters; a repeated parameter is refused (§3.2). */
function parseParams(req: IncomingMessage, body: Buffer | null): Map<string, string> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const text = body?.toString('utf8') ?? '';
  const params = new Map<string, string>();
  const add = (k: string, v: string) => {
    if (params.has(k)) throw new TokenRequestError('invalid_request', `Parameter "${k}" is repeated.`);
    // §3.1: a parameter sent without a value is treated as omitted.
    if (v !== '') params.set(k, v);
  };
  if (type === 'application/x-www-form-urlencoded') {
    for (const [k, v] of new URLSearchParams(text)) add(k, v);
  } else if (type === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new TokenRequestError('invalid_request', 'The body is not valid JSON.');
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new TokenRequestError('invalid_request', 'The body must be a JSON object.');
    for (const [k, v] of Object.entries(parsed)) {
      if (v === null || v === undefined) continue;
      if (typeof v !== 'string') throw new TokenRequestError('invalid_request', `Parameter "${k}" must be a string.`);
      add(k, v);
    }
  } else {
    throw new TokenRequestError('invalid_request', 'Send the parameters as application/x-www-form-urlencoded (or application/json).');
  }
  return params;
}

/** How the client authenticated, which decides how a failure is answered. */
type ClientAuth = { clientId: string; secret: string; viaHeader: boolean };

/** invalid_client as §5.2 wants it for this client: 401 + Basic challenge only after an Authorization header. */
function invalidClient(viaHeader: boolean, description = 'Client authentication failed.') {
  return viaHeader
    ? new TokenRequestError('invalid_client', description, 401, { 'www-authenticate': BASIC_CHALLENGE })
    : new TokenRequestError('invalid_client', description, 400);
}

/** §2.3.1: HTTP Basic with the form-encoded id and secret, or client_id/client_secret in the body; never both. */
function clientCredentials(req: IncomingMessage, params: Map<string, string>): ClientAuth {
  const header = req.headers.authorization;
  const inBody = params.has('client_id') || params.has('client_secret');
  if (header) {
    if (inBody) throw new TokenRequestError('invalid_request', 'Authenticate with HTTP Basic or with body parameters, not both.');
    const m = /^Basic\s+([A-Za-z0-9+/]+=*)$/i.exec(header.trim());
    if (!m) throw invalidClient(true, 'Use HTTP Basic authentication with the key id and secret.');
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw invalidClient(true);
    try {
      const form = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
      return { clientId: form(decoded.slice(0, colon)), secret: form(decoded.slice(colon + 1)), viaHeader: true };
    } catch {
      throw invalidClient(true);
    }
  }
  const clientId = params.get('client_id');
  const secret = params.get('client_secret');
  if (!clientId || !secret) throw invalidClient(false, 'Send client_id and client_secret, or use HTTP Basic.');
  return { clientId, secret, viaHeader: false };
}

async function limit(app: AppServices, key: string, max: number) {
  const r = await app.rateLimiter.hit(key, max, WINDOW_SECONDS);
  if (!r.allowed) {
    throw new TokenRequestError('rate_limited', `Too many token requests; retry in ${r.retryAfterSeconds} s.`, 429, {
      'retry-after': String(r.retryAfterSeconds),
    });
  }
}

/** The integration's live grants as a space-separated action list (informational: enforcement reads the grants table). */
async function grantedScope(app: AppServices, integrationId: string): Promise<string[]> {
  const now = new Date();
  const grants = await app.db.prisma.grant.findMany({
    where: { subjectIntegrationId: integrationId, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
    select: { actions: true, role: true },
  });
  const actions = new Set<string>();
  for (const g of grants) {
    g.actions.forEach((a) => actions.add(a));
    if (g.role) app.actions.roleActions(g.role)?.forEach((a) => actions.add(a));
  }
  return [...actions].sort();
}

const REFUSAL_DESCRIPTIONS: Record<string, string> = {
  credential_revoked: 'This credential was revoked.',
  credential_expired: 'This credential has expired.',
  integration_disabled: 'This integration is disabled.',
  integration_revoked: 'This integration was revoked.',
  integration_archived: 'This integration was archived.',
  integration_not_enabled: 'This integration is not enabled yet.',
  integration_expired: 'This integration has expired.',
  environment_mismatch: 'This credential belongs to another environment than this server.',
};

async function issue(app: AppServices, req: IncomingMessage, body: Buffer | null, requestId: string, res: ServerResponse) {
  const c = app.config;
  await limit(app, `token:addr:${clientAddress(req, c.TRUST_PROXY)}`, c.TOKEN_IP_RATE_LIMIT_PER_MINUTE);
  const params = parseParams(req, body);
  const grantType = params.get('grant_type');
  if (!grantType) throw new TokenRequestError('invalid_request', 'grant_type is required.');
  if (grantType !== 'client_credentials') throw new TokenRequestError('unsupported_grant_type', 'Only grant_type=client_credentials is supported.');
  const { clientId, secret, viaHeader } = clientCredentials(req, params);
  const fail = (description?: string) => invalidClient(viaHeader, description);

  // Shape and checksum first: a typo or a guess never reaches the database (and is not counted per id, the address bucket covers it).
  if (!isKeyId(clientId) || !isWellFormedSecret(secret)) {
    app.logger.info({ requestId, reason: isKeyId(clientId) ? 'malformed_secret' : 'malformed_key_id' }, 'integration token refused');
    throw fail();
  }
  // Per key id only failures count: key ids are public, so counting every attempt would let anyone lock a partner out.
  const failed = async (error: TokenRequestError) => {
    await limit(app, `token:client-failures:${clientId}`, c.TOKEN_RATE_LIMIT_PER_MINUTE);
    return error;
  };

  const credential = await app.db.prisma.integrationCredential.findUnique({
    where: { keyId: clientId },
    select: {
      id: true,
      integrationId: true,
      secretHash: true,
      revokedAt: true,
      expiresAt: true,
      integration: { select: { status: true, environment: true, expiresAt: true } },
    },
  });
  const matches = secretMatches(secret, credential?.secretHash ?? DUMMY_HASH);
  if (!credential) {
    app.logger.info({ requestId, keyId: clientId, reason: 'unknown_key_id' }, 'integration token refused');
    throw await failed(fail());
  }

  const caller: Caller = {
    principal: { kind: 'integration', integrationId: credential.integrationId, credentialId: credential.id, environment: c.DEPLOYMENT_ENVIRONMENT },
    requestId,
  };
  const target = { type: 'IntegrationCredential', id: credential.id };
  const refuse = async (reason: string, error: TokenRequestError) => {
    // Not awaited: an unknown key id and a wrong secret must take the same time (no existence oracle).
    void recordAudit(app.db.prisma, caller, { action: 'integration:issue_token', target, outcome: 'DENIED', reason }).catch((err) =>
      app.logger.error({ err, requestId }, 'could not audit a refused token request'),
    );
    app.logger.info({ requestId, integrationId: credential.integrationId, credentialId: credential.id, reason }, 'integration token refused');
    return error;
  };

  // Until the secret matched, every refusal reads the same: nothing about the credential is told to someone who does not hold it.
  if (!matches) throw await failed(await refuse('wrong_secret', fail()));
  const refusal = refusalOf(credential, c.DEPLOYMENT_ENVIRONMENT);
  if (refusal) throw await refuse(refusal, fail(REFUSAL_DESCRIPTIONS[refusal]));

  const granted = await grantedScope(app, credential.integrationId);
  const requested = params.get('scope')?.split(' ').filter(Boolean) ?? [];
  const missing = requested.filter((s) => !granted.includes(s));
  if (missing.length) {
    throw await refuse('invalid_scope', new TokenRequestError('invalid_scope', `Not granted to this integration: ${missing.join(' ')}.`));
  }
  // The token always states every granted action (tokens are not narrowed: access is decided by the grants table on each request).
  const scope = granted.join(' ');

  const ttl = Math.min(c.INTEGRATION_TOKEN_TTL_SECONDS, 600);
  const { token } = await app.tokens.sign(
    { sub: credential.integrationId, cid: credential.id, env: c.DEPLOYMENT_ENVIRONMENT, scope },
    INTEGRATION_TOKEN_TYP,
    ttl,
    INTEGRATION_AUDIENCE,
  );
  await app.db.prisma.integrationCredential.update({ where: { id: credential.id }, data: { lastUsedAt: new Date() } });
  if (credential.integration.status === 'ENABLED') await markActive(app.db.prisma, credential.integrationId, credential.id, requestId);
  await recordAudit(app.db.prisma, caller, { action: 'integration:issue_token', target, scope: { environment: c.DEPLOYMENT_ENVIRONMENT } }).catch(
    (err) => app.logger.error({ err, requestId }, 'could not audit an issued token'),
  );
  app.logger.info({ requestId, integrationId: credential.integrationId, credentialId: credential.id, expiresIn: ttl }, 'integration token issued');
  send(res, 200, { access_token: token, token_type: 'Bearer', expires_in: ttl, scope });
}

/** RFC 8414 authorization server metadata: what a client library needs to find the token endpoint and the keys. */
export function authorizationServerMetadata(app: AppServices) {
  const issuer = issuerOf(app.config);
  return {
    issuer,
    token_endpoint: `${issuer}${TOKEN_PATH}`,
    jwks_uri: `${issuer}${JWKS_PATH}`,
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    // No authorization endpoint: no response type is supported (the member is REQUIRED by §2).
    response_types_supported: [],
  };
}

/**
 * Routes /oauth/token, /.well-known/jwks.json and the OAuth metadata; false for any other path.
 * Called by the http server with the (size-capped) body already read.
 */
export async function handleIntegrationRoutes(
  app: AppServices,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  body: Buffer | null,
  requestId: string,
): Promise<boolean> {
  if (pathname === JWKS_PATH) {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, { error: 'invalid_request', error_description: 'Use GET.' }, { allow: 'GET, HEAD' });
      return true;
    }
    // Short enough that a rotated-in key is seen by verifiers within minutes; retired keys stay listed while their tokens live.
    res.writeHead(200, { 'content-type': 'application/jwk-set+json', 'cache-control': 'public, max-age=300' });
    res.end(req.method === 'HEAD' ? undefined : JSON.stringify(app.tokens.publicJwks()));
    return true;
  }
  if (pathname === METADATA_PATH) {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, { error: 'invalid_request', error_description: 'Use GET.' }, { allow: 'GET, HEAD' });
      return true;
    }
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'public, max-age=3600' });
    res.end(req.method === 'HEAD' ? undefined : JSON.stringify(authorizationServerMetadata(app)));
    return true;
  }
  if (pathname !== TOKEN_PATH) return false;
  if (req.method !== 'POST') {
    send(res, 405, { error: 'invalid_request', error_description: 'Use POST.' }, { allow: 'POST' });
    return true;
  }
  try {
    await issue(app, req, body, requestId, res);
  } catch (e) {
    if (!(e instanceof TokenRequestError)) throw e;
    send(res, e.status, { error: e.error, error_description: e.description }, e.headers);
  }
  return true;
}
