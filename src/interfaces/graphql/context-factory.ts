import { resolveAppKey } from '../../platform/app-key.js';
import { randomUUID } from 'node:crypto';
import { decodeProtectedHeader } from 'jose';
import { Authorizer, type PreloadedStandings, USER_STANDINGS_SELECT } from '../../domains/permissions/authorizer.js';
import { ACCESS_TOKEN_TYP } from '../../domains/identity/identity.service.js';
import { TokenError } from '../../domains/identity/tokens.js';
import { GUEST_TOKEN_PREFIX, guestPrincipalFromToken } from '../../domains/guest-access/guest-access.service.js';
import { PRINT_CODE_PREFIX } from '../../domains/guest-access/print-codes.js';
import { apiError } from '../../platform/errors.js';
import { ANONYMOUS, type Principal } from '../../platform/principal.js';
import { INTEGRATION_TOKEN_TYP, integrationPrincipalFromToken } from '../integrations/principal.js';
import type { AppServices, Context, LiveConnection } from '../../kit/context.js';
import { createModuleStateLoaders } from '../../domains/module-platform/module-state.js';
import { createTargetLoaders } from '../../kit/targets.js';
import { isUuid } from '../../kit/ids.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,64}$/;

export function requestIdFrom(header: string | null | undefined): string {
  return header && REQUEST_ID.test(header) ? header : randomUUID();
}

function unauthenticated(message: string, reason: string) {
  return apiError('UNAUTHENTICATED', message, { reason, http: { status: 401, headers: { 'WWW-Authenticate': 'Bearer' } } });
}

const GUEST_TOKEN_MESSAGES = {
  unknown: 'This invitation link is not valid. Check the link, or ask your hosts for a new one.',
  revoked: 'This invitation link was replaced or withdrawn. Ask your hosts for the current one.',
  expired: 'This invitation link has expired. Ask your hosts for a new one.',
} as const;

/** Who is calling, and until when that credential works. */
export interface Authenticated {
  principal: Principal;
  /** Access token `exp` or guest link expiry; null when it does not expire (anonymous, a guest link without expiry). */
  expiresAt: Date | null;
  /** A user's session (refresh family, the token's `sid`): revoking it ends this credential. */
  sessionId?: string;
  /** A user's grants, read in the same statement as their account (see USER_STANDINGS_SELECT). */
  standings?: PreloadedStandings;
  /** A user's saved locale, read in the same statement too. */
  userLocale?: string | null;
}

/** The unverified `typ` header of a JWT, only to pick which verifier (with that typ pinned) checks it. */
/** A JWT's declared `typ`, unverified: enough to pick which verification applies. */
export function jwtTyp(token: string): string | undefined {
  try {
    return decodeProtectedHeader(token).typ;
  } catch {
    return undefined;
  }
}

/**
 * Bearer token → principal: a user's access token (JWT), an integration's access token (JWT, typ int+jwt) or a guest link token (tovg_…). A present but bad token fails the whole request
 * (401) rather than silently downgrading the caller to anonymous. The user row
 * and its session are read on every request, so a deleted account or a
 * signed-out session stops at once.
 */
export async function principalFromAuthorization(app: AppServices, authorization: string | null | undefined): Promise<Principal> {
  return (await authenticate(app, authorization)).principal;
}

/** principalFromAuthorization plus the credential's expiry, which live connections are closed at. */
export async function authenticate(app: AppServices, authorization: string | null | undefined): Promise<Authenticated> {
  if (!authorization) return { principal: ANONYMOUS, expiresAt: null };
  const m = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)$/i.exec(authorization.trim());
  if (!m) throw unauthenticated('Authorization must be "Bearer <access token>".', 'malformed');
  if (m[1]!.startsWith(GUEST_TOKEN_PREFIX) || m[1]!.startsWith(PRINT_CODE_PREFIX)) {
    const guest = await guestPrincipalFromToken(app.db.prisma, m[1]!, resolveAppKey(app.config));
    if (typeof guest === 'string') throw unauthenticated(GUEST_TOKEN_MESSAGES[guest], `guest_link_${guest}`);
    return { principal: guest, expiresAt: guest.expiresAt };
  }
  if (jwtTyp(m[1]!) === INTEGRATION_TOKEN_TYP) return integrationPrincipalFromToken(app, m[1]!);
  let claims;
  try {
    claims = await app.tokens.verify(m[1]!, ACCESS_TOKEN_TYP);
  } catch (e) {
    const reason = e instanceof TokenError ? e.reason : 'invalid';
    throw unauthenticated(reason === 'expired' ? 'Access token expired; refresh the session.' : 'Access token is invalid.', reason);
  }
  const sid = claims.sid;
  // Every user access token names its session; one without is not ours to honour.
  if (typeof sid !== 'string' || !isUuid(sid)) throw unauthenticated('Access token is invalid.', 'invalid');
  // One read (joins) decides both — the account still exists, and the session was not signed out or
  // revoked — and brings the user's grants, so most requests make no other statement to authorize.
  const user = await app.db.prisma.user.findUnique({
    where: { id: claims.sub },
    select: {
      id: true,
      email: true,
      deletedAt: true,
      locale: true,
      refreshTokens: { where: { familyId: sid, revokedAt: null }, select: { id: true }, take: 1 },
      actors: USER_STANDINGS_SELECT,
    },
  });
  if (!user || user.deletedAt) throw unauthenticated('This account no longer exists.', 'user_deleted');
  if (!user.refreshTokens.length) throw unauthenticated('This session was signed out; sign in again.', 'session_revoked');
  return {
    principal: { kind: 'user', userId: user.id, email: user.email },
    expiresAt: claims.exp ? new Date(claims.exp * 1000) : null,
    sessionId: sid,
    standings: { actors: user.actors },
    userLocale: user.locale,
  };
}

export function createContext(
  app: AppServices,
  principal: Principal,
  requestId: string,
  live: {
    credentialExpiresAt?: Date | null;
    connection?: LiveConnection;
    sessionId?: string;
    clientAddress?: string;
    standings?: PreloadedStandings;
    acceptLanguage?: string | null;
    userLocale?: string | null;
  } = {},
): Context {
  const prisma = app.db.prisma;
  const authz = new Authorizer(prisma, principal, app.actions, live.standings);
  return {
    app,
    requestId,
    principal,
    authz,
    caller: { principal, requestId },
    prisma,
    targets: createTargetLoaders(prisma, app.targets, principal.kind === 'user'),
    moduleState: createModuleStateLoaders(prisma),
    log: app.logger,
    sessionUserIds: new Set(),
    credentialExpiresAt: live.credentialExpiresAt ?? null,
    sessionId: live.sessionId ?? null,
    clientAddress: live.clientAddress ?? 'unknown',
    connection: live.connection,
    acceptLanguage: live.acceptLanguage ?? null,
    userLocale: live.userLocale ?? null,
  };
}
