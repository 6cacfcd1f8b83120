import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { recordAudit } from '../../platform/audit.js';
import { DUMMY_PASSWORD_HASH, hashPassword, randomToken, sha256, verifyPassword } from '../../platform/crypto.js';
import type { Tx } from '../../platform/db/client.js';
import { ConflictError, InvalidCredentialsError, InvalidTokenError, ValidationError } from '../../platform/errors.js';
import { recordEvent } from '../../platform/outbox.js';
import type { Caller } from '../../platform/principal.js';
import { accountDeleted } from './identity.events.js';
import type { TokenService } from './tokens.js';

export const ACCESS_TOKEN_TYP = 'at+jwt';
const REFRESH_PREFIX = 'tovrt_';

export const email = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: 'Enter a valid email address.' }).max(254));

const signUpInput = z.object({
  email,
  password: z.string().min(10, 'Use at least 10 characters.').max(200),
  displayName: z.string().trim().min(1).max(120),
});

export interface Session {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
  userId: string;
}

export interface IdentityDeps {
  tokens: TokenService;
  refreshTtlDays: number;
}

/**
 * A new access token and refresh token. A rotated refresh token keeps its
 * family's expiry: a session lasts refreshTtlDays from sign-in however often
 * it is refreshed, so a stolen token cannot be kept alive forever.
 */
async function issueSession(
  tx: Tx,
  deps: IdentityDeps,
  user: { id: string; email: string },
  family: { id: string; expiresAt: Date } = { id: randomUUID(), expiresAt: new Date(Date.now() + deps.refreshTtlDays * 86_400_000) },
): Promise<Session> {
  const access = await deps.tokens.sign({ sub: user.id, email: user.email }, ACCESS_TOKEN_TYP);
  const refreshToken = randomToken(REFRESH_PREFIX);
  const { id: familyId, expiresAt: refreshTokenExpiresAt } = family;
  await tx.refreshToken.create({ data: { userId: user.id, familyId, tokenHash: sha256(refreshToken), expiresAt: refreshTokenExpiresAt } });
  return { accessToken: access.token, accessTokenExpiresAt: access.expiresAt, refreshToken, refreshTokenExpiresAt, userId: user.id };
}

export async function signUp(tx: Tx, caller: Caller, deps: IdentityDeps, input: unknown): Promise<Session> {
  const parsed = signUpInput.safeParse(input);
  if (!parsed.success) throw ValidationError.fromZod(parsed.error);
  const { email: mail, password, displayName } = parsed.data;
  if (await tx.user.findUnique({ where: { email: mail }, select: { id: true } })) {
    throw new ConflictError('An account with this email already exists; sign in instead.');
  }
  const user = await tx.user.create({ data: { email: mail, passwordHash: await hashPassword(password), displayName } });
  await recordAudit(
    tx,
    { ...caller, principal: { kind: 'user', userId: user.id, email: mail } },
    {
      action: 'identity:sign_up',
      target: { type: 'User', id: user.id },
      after: { email: mail, displayName },
    },
  );
  return issueSession(tx, deps, user);
}

export async function signIn(tx: Tx, caller: Caller, deps: IdentityDeps, input: { email: string; password: string }): Promise<Session> {
  const mail = email.safeParse(input.email);
  const user = mail.success ? await tx.user.findUnique({ where: { email: mail.data } }) : null;
  // Always run one scrypt, so response time does not reveal whether the account exists.
  const ok = await verifyPassword(input.password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
  if (!user || !ok || user.deletedAt) throw new InvalidCredentialsError();
  await recordAudit(
    tx,
    { ...caller, principal: { kind: 'user', userId: user.id, email: user.email } },
    {
      action: 'identity:sign_in',
      target: { type: 'User', id: user.id },
    },
  );
  return issueSession(tx, deps, user);
}

/**
 * Rotates a refresh token. Presenting one that was already rotated means it
 * leaked: the whole family is revoked and the caller must sign in again.
 */
export async function refreshSession(tx: Tx, caller: Caller, deps: IdentityDeps, refreshToken: string): Promise<Session | InvalidTokenError> {
  const row = await tx.refreshToken.findUnique({ where: { tokenHash: sha256(refreshToken) }, include: { user: true } });
  if (!row || row.revokedAt || row.expiresAt <= new Date() || row.user.deletedAt) throw new InvalidTokenError();
  const as = { ...caller, principal: { kind: 'user' as const, userId: row.userId, email: row.user.email } };
  const target = { type: 'User', id: row.userId };
  // Conditional on "not yet rotated": of two concurrent refreshes with one token, exactly one wins.
  const rotated = await tx.refreshToken.updateMany({ where: { id: row.id, rotatedAt: null }, data: { rotatedAt: new Date() } });
  if (rotated.count === 0) {
    await tx.refreshToken.updateMany({ where: { familyId: row.familyId, revokedAt: null }, data: { revokedAt: new Date() } });
    await recordAudit(tx, as, {
      action: 'identity:refresh_session',
      target,
      outcome: 'DENIED',
      reason: 'Refresh token reused: session family revoked.',
    });
    // Returned, not thrown: throwing would roll the revocation back with the transaction.
    return new InvalidTokenError('This refresh token was already used; all sessions of its family were signed out.');
  }
  await recordAudit(tx, as, { action: 'identity:refresh_session', target });
  return issueSession(tx, deps, row.user, { id: row.familyId, expiresAt: row.expiresAt });
}

/** Revokes the refresh token's whole family (this device's session). Idempotent. */
export async function signOut(tx: Tx, caller: Caller, refreshToken: string): Promise<void> {
  const row = await tx.refreshToken.findUnique({ where: { tokenHash: sha256(refreshToken) }, include: { user: { select: { email: true } } } });
  if (!row) return;
  await tx.refreshToken.updateMany({ where: { familyId: row.familyId, revokedAt: null }, data: { revokedAt: new Date() } });
  await recordAudit(
    tx,
    { ...caller, principal: { kind: 'user', userId: row.userId, email: row.user.email } },
    { action: 'identity:sign_out', target: { type: 'User', id: row.userId } },
  );
}

/**
 * Deletes the caller's account: the user row is kept (audit references it) but
 * marked deleted, its sessions end, and its actors stay in their occasions
 * without a login. Outstanding access tokens stop working on the next request.
 */
export async function deleteAccount(tx: Tx, caller: Caller, userId: string): Promise<void> {
  // An occasion must keep an owner who can sign in.
  const soleOwned = await tx.grant.findMany({
    where: { role: 'owner', scopeType: 'OCCASION', revokedAt: null, subjectActor: { userId } },
    select: { occasionId: true },
  });
  for (const { occasionId } of soleOwned) {
    const others = await tx.grant.count({
      where: {
        occasionId,
        role: 'owner',
        scopeType: 'OCCASION',
        revokedAt: null,
        OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }],
        subjectActor: { userId: { not: null }, NOT: { userId } },
      },
    });
    if (others === 0) throw new ConflictError('You are the only owner of an occasion; make someone else owner (or delete the occasion) first.');
  }
  await tx.user.update({ where: { id: userId }, data: { deletedAt: new Date(), email: `deleted+${userId}@invalid` } });
  await tx.refreshToken.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: new Date() } });
  // Their actors stay (guest lists, history) but the access they held ends with the account:
  // an unlinked actor holding live grants could otherwise hand them to whoever is linked next.
  await tx.grant.updateMany({ where: { subjectActor: { userId }, revokedAt: null }, data: { revokedAt: new Date(), revokedByUserId: userId } });
  const actors = await tx.actor.findMany({ where: { userId }, select: { id: true, occasionId: true } });
  await tx.actor.updateMany({ where: { userId }, data: { userId: null } });
  await recordAudit(tx, caller, { action: 'identity:delete_account', target: { type: 'User', id: userId } });
  // Each occasion learns its participant lost access (live subscriptions re-check, webhooks can tell partners).
  for (const a of actors) await recordEvent(tx, caller, accountDeleted, { occasionId: a.occasionId, actorId: a.id }, { occasionId: a.occasionId });
}
