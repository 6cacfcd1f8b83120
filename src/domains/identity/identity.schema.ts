import { builder } from '../../interfaces/graphql/builder.js';
import { authenticatedField, inheritedType, publicField, selfType } from '../../interfaces/graphql/rules.js';
import { inTransaction } from '../../interfaces/graphql/write.js';
import { InvalidCredentialsError, InvalidTokenError, ValidationError, ConflictError, unauthenticated } from '../../platform/errors.js';
import { deleteAccount, refreshSession, type Session, signIn, signOut, signUp } from './identity.service.js';

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

const deps = (ctx: { app: { tokens: import('./tokens.js').TokenService; config: { REFRESH_TOKEN_TTL_DAYS: number } } }) => ({
  tokens: ctx.app.tokens,
  refreshTtlDays: ctx.app.config.REFRESH_TOKEN_TTL_DAYS,
});

builder.mutationFields((t) => ({
  signUp: t.field({
    type: SessionType,
    ...publicField,
    description: 'Create an account and sign in.',
    args: { input: t.arg({ type: SignUpInput, required: true }) },
    errors: { types: [ValidationError, ConflictError] },
    resolve: async (_r, { input }, ctx) => issued(ctx, await inTransaction(ctx, (tx) => signUp(tx, ctx.caller, deps(ctx), input))),
  }),
  signIn: t.field({
    type: SessionType,
    ...publicField,
    args: { input: t.arg({ type: SignInInput, required: true }) },
    errors: { types: [InvalidCredentialsError] },
    resolve: async (_r, { input }, ctx) => issued(ctx, await inTransaction(ctx, (tx) => signIn(tx, ctx.caller, deps(ctx), input))),
  }),
  refreshSession: t.field({
    type: SessionType,
    ...publicField,
    description: 'Trade a refresh token for a new session; the old refresh token stops working.',
    args: { input: t.arg({ type: RefreshInput, required: true }) },
    errors: { types: [InvalidTokenError] },
    resolve: async (_r, { input }, ctx) => {
      const result = await inTransaction(ctx, (tx) => refreshSession(tx, ctx.caller, deps(ctx), input.refreshToken));
      // A reused token's family revocation has committed by now; only then refuse.
      if (result instanceof InvalidTokenError) throw result;
      return issued(ctx, result);
    },
  }),
  signOut: t.field({
    type: OkPayload,
    ...publicField,
    description: 'End the session the refresh token belongs to.',
    args: { input: t.arg({ type: RefreshInput, required: true }) },
    resolve: async (_r, { input }, ctx) => {
      await inTransaction(ctx, (tx) => signOut(tx, ctx.caller, input.refreshToken));
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
      await inTransaction(ctx, (tx) => deleteAccount(tx, ctx.caller, userId));
      return { ok: true as const };
    },
  }),
}));
