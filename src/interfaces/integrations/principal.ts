import { TokenError } from '../../domains/identity/tokens.js';
import type { DeploymentEnvironment } from '../../platform/config.js';
import { apiError } from '../../platform/errors.js';
import type { Principal } from '../../platform/principal.js';
import { currentRequestId } from '../../platform/request-context.js';
import type { AppServices } from '../../kit/context.js';
import { markActive } from './apps.service.js';
import { WINDOW_SECONDS } from '../../platform/rate-limit.js';

/**
 * JWT `typ` of integration access tokens. User access tokens are `at+jwt`;
 * each kind is verified with its own typ pinned, so a token of one kind is
 * never accepted as the other.
 */
export const INTEGRATION_TOKEN_TYP = 'int+jwt';

/**
 * `aud` of integration access tokens, distinct from user access tokens' (and
 * verified as such): a token minted for one kind of caller never passes for
 * the other, even to a verifier that does not pin `typ`.
 */
export const INTEGRATION_AUDIENCE = 'tovplus-integrations';

/** Integration statuses whose credentials may authenticate (the first use moves ENABLED to ACTIVE). */
export const USABLE_STATUSES = ['ENABLED', 'ACTIVE'] as const;

export type IntegrationEnvironment = 'DEVELOPMENT' | 'STAGING' | 'PRODUCTION';
export const toIntegrationEnvironment = (env: DeploymentEnvironment) => env.toUpperCase() as IntegrationEnvironment;

export type IntegrationPrincipal = Extract<Principal, { kind: 'integration' }>;

/** What the token endpoint and every request check about a credential and its integration. */
export interface CredentialState {
  revokedAt: Date | null;
  expiresAt: Date | null;
  integration: { status: string; environment: string; expiresAt: Date | null };
}

/**
 * Why a credential may not be used now, or null when it may. One list of
 * reasons, shared by the token endpoint and the per-request check, so both
 * refuse exactly the same things.
 */
export function refusalOf(c: CredentialState, serverEnvironment: DeploymentEnvironment, now = new Date()): string | null {
  if (c.revokedAt) return 'credential_revoked';
  if (c.expiresAt && c.expiresAt <= now) return 'credential_expired';
  const i = c.integration;
  if (!(USABLE_STATUSES as readonly string[]).includes(i.status)) {
    return ['DISABLED', 'REVOKED', 'ARCHIVED'].includes(i.status) ? `integration_${i.status.toLowerCase()}` : 'integration_not_enabled';
  }
  if (i.expiresAt && i.expiresAt <= now) return 'integration_expired';
  if (i.environment !== toIntegrationEnvironment(serverEnvironment)) return 'environment_mismatch';
  return null;
}

const MESSAGES: Record<string, string> = {
  expired: 'Integration access token expired; request a new one from /oauth/token.',
  invalid: 'Integration access token is invalid.',
  unknown_key: 'Integration access token is invalid.',
  credential_unknown: 'The credential behind this token no longer exists.',
  credential_revoked: 'The credential behind this token was revoked.',
  credential_expired: 'The credential behind this token has expired.',
  integration_disabled: 'This integration is disabled.',
  integration_revoked: 'This integration was revoked.',
  integration_archived: 'This integration was archived.',
  integration_not_enabled: 'This integration is not enabled.',
  integration_expired: 'This integration has expired.',
  environment_mismatch: 'This token belongs to another environment.',
};

function unauthenticated(reason: string) {
  return apiError('UNAUTHENTICATED', MESSAGES[reason] ?? 'Integration access token is invalid.', {
    reason,
    http: { status: 401, headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } },
  });
}

/**
 * Integration access token → principal. The signature, algorithm, typ, issuer,
 * audience and expiry are checked by TokenService; then, on every request, the
 * credential and its integration are read (one statement) so a revocation,
 * a disable, an expiry or an environment change stops the very next request
 * even though the token itself is still unexpired.
 */
export async function integrationPrincipalFromToken(
  app: AppServices,
  token: string,
): Promise<{ principal: IntegrationPrincipal; expiresAt: Date | null }> {
  let claims;
  try {
    claims = await app.tokens.verify(token, INTEGRATION_TOKEN_TYP, INTEGRATION_AUDIENCE);
  } catch (e) {
    throw unauthenticated(e instanceof TokenError ? e.reason : 'invalid');
  }
  const { cid, env } = claims as { cid?: unknown; env?: unknown };
  if (typeof cid !== 'string' || typeof env !== 'string' || !/^[0-9a-f-]{36}$/i.test(cid)) throw unauthenticated('invalid');

  const credential = await app.db.prisma.integrationCredential.findUnique({
    where: { id: cid },
    select: {
      id: true,
      integrationId: true,
      revokedAt: true,
      expiresAt: true,
      integration: { select: { id: true, status: true, environment: true, expiresAt: true } },
    },
  });
  if (!credential || credential.integrationId !== claims.sub) throw unauthenticated('credential_unknown');
  const serverEnv = app.config.DEPLOYMENT_ENVIRONMENT;
  // The token names the environment it was issued for; a token moved to another deployment that shares keys is refused too.
  if (env !== serverEnv) throw unauthenticated('environment_mismatch');
  const refusal = refusalOf(credential, serverEnv);
  if (refusal) throw unauthenticated(refusal);
  // The token endpoint does this on issuance; a token issued before a disable and re-enable arrives here with ENABLED.
  if (credential.integration.status === 'ENABLED') await markActive(app.db.prisma, credential.integrationId, credential.id, currentRequestId());

  const limit = app.config.INTEGRATION_RATE_LIMIT_PER_MINUTE;
  const rate = await app.rateLimiter.hit(`int:${credential.id}`, limit, WINDOW_SECONDS);
  if (!rate.allowed) {
    throw apiError('RATE_LIMITED', `Rate limit of ${limit} requests per minute for this credential exceeded; retry in ${rate.retryAfterSeconds} s.`, {
      retryAfter: rate.retryAfterSeconds,
      http: { status: 429, headers: { 'Retry-After': String(rate.retryAfterSeconds) } },
    });
  }

  // A live connection ends when the first of token, credential and integration expires.
  const ends = [claims.exp ? new Date(claims.exp * 1000) : null, credential.expiresAt, credential.integration.expiresAt].filter(
    (d): d is Date => d !== null,
  );
  return {
    principal: { kind: 'integration', integrationId: credential.integrationId, credentialId: credential.id, environment: env },
    expiresAt: ends.length ? new Date(Math.min(...ends.map((d) => d.getTime()))) : null,
  };
}
