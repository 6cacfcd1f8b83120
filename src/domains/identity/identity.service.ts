import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { recordAudit } from '../../platform/audit.js';
import { type PasswordHasher, randomToken, sha256 } from '../../platform/crypto.js';
import type { Tx } from '../../platform/db/client.js';
import { ConflictError, InvalidCredentialsError, InvalidTokenError, type RateLimitedError, ValidationError } from '../../platform/errors.js';
import { recordBusinessEvent } from '../../platform/outbox.js';
import type { Caller } from '../../platform/principal.js';
import { accountDeleted } from './identity.business-events.js';
import { PASSWORD_MAX_LENGTH, passwordProblem } from './password-policy.js';
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
  // Length, blankness and guessability are password-policy.ts's; this only keeps absurd sizes out before it runs.
  password: z.string().max(PASSWORD_MAX_LENGTH * 4, `Use at most ${PASSWORD_MAX_LENGTH} characters.`),
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
  /** Bounded scrypt (platform/crypto.ts): every password hashed or checked goes through it. */
  passwords: PasswordHasher;
}

/**
 * A new access token and refresh token. A rotated refresh token keeps its
 * family's expiry: a session lasts refreshTtlDays from sign-in however often
 * it is refreshed, so a stolen token cannot be kept alive forever.
 */
export async function issueSession(
  tx: Tx,
  deps: Pick<IdentityDeps, 'tokens' | 'refreshTtlDays'>,
  user: { id: string; email: string },
  family: { id: string; expiresAt: Date } = { id: randomUUID(), expiresAt: new Date(Date.now() + deps.refreshTtlDays * 86_400_000) },
  accessTtlSeconds?: number,
): Promise<Session> {
  // `sid` names the refresh family: signing out (or a detected reuse) revokes it, and its access tokens stop with it.
  const access = await deps.tokens.sign({ sub: user.id, email: user.email, sid: family.id }, ACCESS_TOKEN_TYP, accessTtlSeconds);
  const refreshToken = randomToken(REFRESH_PREFIX);
  const { id: familyId, expiresAt: refreshTokenExpiresAt } = family;
  await tx.refreshToken.create({ data: { userId: user.id, familyId, tokenHash: sha256(refreshToken), expiresAt: refreshTokenExpiresAt } });
  return { accessToken: access.token, accessTokenExpiresAt: access.expiresAt, refreshToken, refreshTokenExpiresAt, userId: user.id };
}

/** A sign-up that passed validation, with its password already hashed (outside any transaction). */
export interface PreparedSignUp {
  email: string;
  displayName: string;
  passwordHash: string;
}

/**
 * Validates a sign-up and hashes its password, before any transaction opens:
 * scrypt waits its turn in the hashing queue without holding a database
 * connection. The hash is computed whether or not the email is taken (that is
 * decided later, in signUp), so both answers take the same time.
 */
export async function prepareSignUp(deps: Pick<IdentityDeps, 'passwords'>, input: unknown): Promise<PreparedSignUp | ValidationError> {
  const parsed = signUpInput.safeParse(input);
  const raw = (input ?? {}) as { email?: unknown; password?: unknown; displayName?: unknown };
  // Judged even when other fields are wrong, so one answer lists every problem.
  const weak =
    typeof raw.password === 'string'
      ? await passwordProblem(raw.password, {
          email: parsed.success ? parsed.data.email : typeof raw.email === 'string' ? raw.email : '',
          displayName: typeof raw.displayName === 'string' ? raw.displayName : undefined,
        })
      : null;
  if (!parsed.success) {
    const invalid = ValidationError.fromZod(parsed.error);
    const fields = [...invalid.fields.filter((f) => f.path !== 'input.password'), ...(weak?.fields ?? [])];
    return new ValidationError(fields.map((f) => `${f.path}: ${f.message}`).join('; '), fields);
  }
  if (weak) return weak;
  const { email: mail, password, displayName } = parsed.data;
  return { email: mail, displayName, passwordHash: await deps.passwords.hash(password) };
}

export async function signUp(tx: Tx, caller: Caller, deps: IdentityDeps, prepared: PreparedSignUp): Promise<Session> {
  const { email: mail, displayName, passwordHash } = prepared;
  if (await tx.user.findUnique({ where: { email: mail }, select: { id: true } })) {
    throw new ConflictError('An account with this email already exists; sign in instead.');
  }
  const user = await tx.user.create({ data: { email: mail, passwordHash, displayName } });
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

/**
 * Checks an email and password, outside any transaction (the scrypt may wait
 * for a slot; a database connection must not wait with it). Always runs one
 * scrypt, so response time does not reveal whether the account exists.
 */
export async function verifyCredentials(
  db: Tx,
  deps: Pick<IdentityDeps, 'passwords'>,
  input: { email: string; password: string },
): Promise<{ id: string } | InvalidCredentialsError> {
  const mail = email.safeParse(input.email);
  const user = mail.success
    ? await db.user.findUnique({ where: { email: mail.data }, select: { id: true, passwordHash: true, deletedAt: true } })
    : null;
  // No password ever set is longer (sign-up caps it); a megabyte of one is not hashed, yet costs the same scrypt.
  const tooLong = input.password.length > PASSWORD_MAX_LENGTH * 4;
  const ok = await deps.passwords.verify(tooLong ? '' : input.password, (!tooLong && user?.passwordHash) || deps.passwords.dummyHash);
  if (!user || !ok || tooLong || user.deletedAt) return new InvalidCredentialsError();
  return { id: user.id };
}

/** Starts a session for a user whose password verifyCredentials accepted. */
export async function signIn(tx: Tx, caller: Caller, deps: IdentityDeps, verified: { id: string }): Promise<Session> {
  // Read again in the transaction: an account deleted since the password check gets no session.
  const user = await tx.user.findFirst({ where: { id: verified.id, deletedAt: null }, select: { id: true, email: true } });
  if (!user) throw new InvalidCredentialsError();
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

/** A refresh that did not produce a session; `revokedFamilyId` when it ended a session (its live connections must close after commit). */
export interface RefreshRefused {
  error: InvalidTokenError | RateLimitedError;
  revokedFamilyId?: string;
}

/**
 * Rotates a refresh token. Presenting one that was already rotated means it
 * leaked: the whole family is revoked and the caller must sign in again.
 * `limitAccount` counts the attempt against the token's user once it is known.
 */
export async function refreshSession(
  tx: Tx,
  caller: Caller,
  deps: IdentityDeps,
  refreshToken: string,
  limitAccount: (userId: string) => Promise<RateLimitedError | null> = () => Promise.resolve(null),
): Promise<Session | RefreshRefused> {
  const row = await tx.refreshToken.findUnique({ where: { tokenHash: sha256(refreshToken) }, include: { user: true } });
  if (!row || row.revokedAt || row.expiresAt <= new Date() || row.user.deletedAt) throw new InvalidTokenError();
  const limited = await limitAccount(row.userId);
  if (limited) return { error: limited };
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
    return {
      error: new InvalidTokenError('This refresh token was already used; all sessions of its family were signed out.'),
      revokedFamilyId: row.familyId,
    };
  }
  await recordAudit(tx, as, { action: 'identity:refresh_session', target });
  return issueSession(tx, deps, row.user, { id: row.familyId, expiresAt: row.expiresAt });
}

/** Revokes the refresh token's whole family (this device's session); returns the family revoked, if any. Idempotent. */
export async function signOut(tx: Tx, caller: Caller, refreshToken: string): Promise<string | null> {
  const row = await tx.refreshToken.findUnique({ where: { tokenHash: sha256(refreshToken) }, include: { user: { select: { email: true } } } });
  if (!row) return null;
  await tx.refreshToken.updateMany({ where: { familyId: row.familyId, revokedAt: null }, data: { revokedAt: new Date() } });
  await recordAudit(
    tx,
    { ...caller, principal: { kind: 'user', userId: row.userId, email: row.user.email } },
    { action: 'identity:sign_out', target: { type: 'User', id: row.userId } },
  );
  return row.familyId;
}

/**
 * Deletes the caller's account: the user row is kept (audit references it) but
 * marked deleted, its sessions end, and its actors stay in their occasions
 * without a login. Outstanding access tokens stop working on the next request.
 */
export async function deleteAccount(tx: Tx, caller: Caller, userId: string): Promise<{ revokedFamilyIds: string[] }> {
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
  const live = await tx.refreshToken.findMany({ where: { userId, revokedAt: null }, select: { familyId: true }, distinct: ['familyId'] });
  await tx.refreshToken.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: new Date() } });
  // Their actors stay (guest lists, history) but the access they held ends with the account:
  // an unlinked actor holding live grants could otherwise hand them to whoever is linked next.
  await tx.grant.updateMany({ where: { subjectActor: { userId }, revokedAt: null }, data: { revokedAt: new Date(), revokedByUserId: userId } });
  const actors = await tx.actor.findMany({ where: { userId }, select: { id: true, occasionId: true } });
  await tx.actor.updateMany({ where: { userId }, data: { userId: null } });
  await recordAudit(tx, caller, { action: 'identity:delete_account', target: { type: 'User', id: userId } });
  // Each occasion learns its participant lost access (live subscriptions re-check, webhooks can tell partners).
  for (const a of actors)
    await recordBusinessEvent(tx, caller, accountDeleted, { occasionId: a.occasionId, actorId: a.id }, { occasionId: a.occasionId });
  return { revokedFamilyIds: live.map((r) => r.familyId) };
}
