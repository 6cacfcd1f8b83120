import { randomUUID } from 'node:crypto';
import { Authorizer } from '../../domains/permissions/authorizer.js';
import { ACCESS_TOKEN_TYP } from '../../domains/identity/identity.service.js';
import { TokenError } from '../../domains/identity/tokens.js';
import { apiError } from '../../platform/errors.js';
import { ANONYMOUS, type Principal } from '../../platform/principal.js';
import type { AppServices, Context } from './context.js';
import { createTargetLoaders } from './targets.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,64}$/;

export function requestIdFrom(header: string | null | undefined): string {
  return header && REQUEST_ID.test(header) ? header : randomUUID();
}

function unauthenticated(message: string, reason: string) {
  return apiError('UNAUTHENTICATED', message, { reason, http: { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } } });
}

/**
 * Bearer token → principal. A present but bad token fails the whole request
 * (401) rather than silently downgrading the caller to anonymous. The user row
 * is read on every request, so a deleted account stops at once.
 */
export async function principalFromAuthorization(app: AppServices, authorization: string | null | undefined): Promise<Principal> {
  if (!authorization) return ANONYMOUS;
  const m = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)$/i.exec(authorization.trim());
  if (!m) throw unauthenticated('Authorization must be "Bearer <access token>".', 'malformed');
  let claims;
  try {
    claims = await app.tokens.verify(m[1]!, ACCESS_TOKEN_TYP);
  } catch (e) {
    const reason = e instanceof TokenError ? e.reason : 'invalid';
    throw unauthenticated(reason === 'expired' ? 'Access token expired; refresh the session.' : 'Access token is invalid.', reason);
  }
  const user = await app.db.prisma.user.findUnique({ where: { id: claims.sub }, select: { id: true, email: true, deletedAt: true } });
  if (!user || user.deletedAt) throw unauthenticated('This account no longer exists.', 'user_deleted');
  return { kind: 'user', userId: user.id, email: user.email };
}

export function createContext(app: AppServices, principal: Principal, requestId: string): Context {
  const prisma = app.db.prisma;
  const authz = new Authorizer(prisma, principal, app.actions);
  return {
    app,
    requestId,
    principal,
    authz,
    caller: { principal, requestId },
    prisma,
    targets: createTargetLoaders(prisma, principal.kind === 'user'),
    log: app.logger,
    sessionUserIds: new Set(),
  };
}
