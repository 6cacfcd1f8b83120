import { builder } from '../../kit/builder.js';
import { authenticatedField, inheritedType, publicField, selfType } from '../../kit/rules.js';
import { inTransaction } from '../../kit/transaction.js';
import { HashingBusyError } from '../../platform/crypto.js';
import {
  InvalidCredentialsError,
  InvalidTokenError,
  ValidationError,
  ConflictError,
  RateLimitedError,
  unauthenticated,
} from '../../platform/errors.js';
import { authThrottle } from './auth-throttle.js';
import { publishSessionsRevoked } from './identity.live.js';
import { deleteAccount, email, prepareSignUp, refreshSession, type Session, signIn, signOut, signUp, verifyCredentials } from './identity.service.js';

export const UserType = builder.prismaObject('User', {
  ...selfType<{ id: string }>((u) => u.id),
  description: 'A person who signs in. Acts in each occasion through the actor linked to them there.',
  fields: (t) => ({
    id: t.exposeID('id'),
    email: t.exposeString('email'),
    displayName: t.exposeString('displayName'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const SessionType = builder.objectRef<Session>('Session').implement({
  ...inheritedType,
  description: 'Tokens for a signed-in user. The refresh token is shown only here; store it safely.',
  fields: (t) => ({
    accessToken: t.exposeString('accessToken', inheritedType),
    accessTokenExpiresAt: t.expose('accessTokenExpiresAt', { type: 'DateTime', ...inheritedType }),
    refreshToken: t.exposeString('refreshToken', inheritedType),
    refreshTokenExpiresAt: t.expose('refreshTokenExpiresAt', { type: 'DateTime', ...inheritedType }),
    user: t.prismaField({
      type: 'User',
      ...inheritedType,
      resolve: (query, s, _a, ctx) => ctx.prisma.user.findUniqueOrThrow({ ...query, where: { id: s.userId } }),
    }),
  }),
});

const OkPayload = builder.objectRef<{ ok: true }>('OkPayload').implement({
  ...inheritedType,
  fields: (t) => ({ ok: t.exposeBoolean('ok', inheritedType) }),
});

builder.queryField('me', (t) =>
  t.prismaField({
    type: 'User',
    ...authenticatedField,
    description: 'The signed-in user.',
    resolve: (query, _p, _a, ctx) => {
      if (ctx.principal.kind !== 'user') throw unauthenticated();
      return ctx.prisma.user.findUniqueOrThrow({ ...query, where: { id: ctx.principal.userId } });
    },
  }),
);

const SignUpInput = builder.inputType('SignUpInput', {
  fields: (t) => ({
    email: t.string({ required: true }),
    password: t.string({ required: true }),
    displayName: t.string({ required: true }),
  }),
});
const SignInInput = builder.inputType('SignInInput', {
  fields: (t) => ({ email: t.string({ required: true }), password: t.string({ required: true }) }),
});
const RefreshInput = builder.inputType('RefreshSessionInput', {
  fields: (t) => ({ refreshToken: t.string({ required: true }) }),
});

/** Lets the session's own user be read back in the same response (the request itself is still anonymous). */
function issued(ctx: { sessionUserIds: Set<string> }, s: Session): Session {
  ctx.sessionUserIds.add(s.userId);
  return s;
}

const deps = (ctx: {
  app: {
    tokens: import('./tokens.js').TokenService;
    config: { REFRESH_TOKEN_TTL_DAYS: number };
    passwords: import('../../platform/crypto.js').PasswordHasher;
  };
}) => ({
  tokens: ctx.app.tokens,
  refreshTtlDays: ctx.app.config.REFRESH_TOKEN_TTL_DAYS,
  passwords: ctx.app.passwords,
});

/** The account an email names, as the per-account counter knows it (the same for every spelling that signs in alike). */
const accountOf = (raw: string) => {
  const parsed = email.safeParse(raw);
  return parsed.success ? parsed.data : raw.trim().toLowerCase();
};

/** A full hashing queue is load, not a wrong password: the client is told to come back in a second. */
async function hashing<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof HashingBusyError) throw new RateLimitedError(1, 'Too many sign-ins in progress; try again in 1 s.');
    throw e;
  }
}

builder.mutationFields((t) => ({
  signUp: t.field({
    type: SessionType,
    ...publicField,
    description: 'Create an account and sign in.',
    args: { input: t.arg({ type: SignUpInput, required: true }) },
    errors: { types: [ValidationError, ConflictError, RateLimitedError] },
    resolve: async (_r, { input }, ctx) => {
      const limited = await authThrottle(ctx).attempt('signUp', { address: ctx.clientAddress, account: accountOf(input.email) });
      if (limited) throw limited;
      const prepared = await hashing(() => prepareSignUp(deps(ctx), input));
      if (prepared instanceof ValidationError) throw prepared;
      return issued(ctx, await inTransaction(ctx, (tx) => signUp(tx, ctx.caller, deps(ctx), prepared)));
    },
  }),
  signIn: t.field({
    type: SessionType,
    ...publicField,
    args: { input: t.arg({ type: SignInInput, required: true }) },
    errors: { types: [InvalidCredentialsError, RateLimitedError] },
    resolve: async (_r, { input }, ctx) => {
      // Counted before the password is looked at: past the limit even the right password is refused.
      const limited = await authThrottle(ctx).attempt('signIn', { address: ctx.clientAddress, account: accountOf(input.email) });
      if (limited) throw limited;
      const verified = await hashing(() => verifyCredentials(ctx.prisma, deps(ctx), input));
      if (verified instanceof InvalidCredentialsError) throw verified;
      return issued(ctx, await inTransaction(ctx, (tx) => signIn(tx, ctx.caller, deps(ctx), verified)));
    },
  }),
  refreshSession: t.field({
    type: SessionType,
    ...publicField,
    description: 'Trade a refresh token for a new session; the old refresh token stops working.',
    args: { input: t.arg({ type: RefreshInput, required: true }) },
    errors: { types: [InvalidTokenError, RateLimitedError] },
    resolve: async (_r, { input }, ctx) => {
      const throttle = authThrottle(ctx);
      const limited = await throttle.attempt('refreshSession', { address: ctx.clientAddress });
      if (limited) throw limited;
      const result = await inTransaction(ctx, (tx) =>
        refreshSession(tx, ctx.caller, deps(ctx), input.refreshToken, (userId) => throttle.attempt('refreshSession', { account: userId })),
      );
      if ('error' in result) {
        // A reused token's family revocation has committed by now; only then close its live connections and refuse.
        if (result.revokedFamilyId) publishSessionsRevoked(ctx.app.pubsub, [result.revokedFamilyId]);
        throw result.error;
      }
      return issued(ctx, result);
    },
  }),
  signOut: t.field({
    type: OkPayload,
    ...publicField,
    description: 'End the session the refresh token belongs to: its access tokens and live connections stop too.',
    args: { input: t.arg({ type: RefreshInput, required: true }) },
    resolve: async (_r, { input }, ctx) => {
      const familyId = await inTransaction(ctx, (tx) => signOut(tx, ctx.caller, input.refreshToken));
      if (familyId) publishSessionsRevoked(ctx.app.pubsub, [familyId]);
      return { ok: true as const };
    },
  }),
  deleteAccount: t.field({
    type: OkPayload,
    ...authenticatedField,
    description: 'Delete the signed-in account. Its access tokens stop working at once. Refused while you are the only owner of an occasion.',
    errors: { types: [ConflictError] },
    resolve: async (_r, _a, ctx) => {
      if (ctx.principal.kind !== 'user') throw unauthenticated();
      const userId = ctx.principal.userId;
      const { revokedFamilyIds } = await inTransaction(ctx, (tx) => deleteAccount(tx, ctx.caller, userId));
      publishSessionsRevoked(ctx.app.pubsub, revokedFamilyIds);
      return { ok: true as const };
    },
  }),
}));
