import { describe, expect, it } from 'vitest';
import { buildWorld, must, signUpUser, uniq } from '../../support/factories.js';
import { errorCode, startServer } from '../../support/harness.js';
import { newRequestId, rowsOfRequest } from '../../support/rows.js';

const s = await startServer();

const SESSION = `__typename ... on Session { accessToken refreshToken accessTokenExpiresAt refreshTokenExpiresAt user { id email displayName } } ... on Error { code message }`;
const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { ${SESSION} ... on ValidationError { fields { path message } } } }`;
const SIGN_IN = `mutation($input: SignInInput!) { signIn(input: $input) { ${SESSION} } }`;
const REFRESH = `mutation($input: RefreshSessionInput!) { refreshSession(input: $input) { ${SESSION} } }`;
const SIGN_OUT = `mutation($input: RefreshSessionInput!) { signOut(input: $input) { ok } }`;
const DELETE_ACCOUNT = `mutation { deleteAccount { __typename ... on OkPayload { ok } ... on Error { code message } } }`;
const ME = `query { me { id email displayName createdAt } }`;

const freshEmail = (label = 'id') => `${label}-${uniq()}@test.tovplus.test`;
const users = () => s.app.db.prisma.user;

describe('signUp', () => {
  it('creates the user, signs them in and audits it', async () => {
    const email = freshEmail();
    const requestId = newRequestId('signup');
    const r = await s.gql(
      SIGN_UP,
      { input: { email: `  ${email.toUpperCase()} `, password: 'correct horse battery', displayName: ' Ada ' } },
      { headers: { 'x-request-id': requestId } },
    );
    expect(r.body.errors).toBeUndefined();
    const p = r.body.data.signUp;
    expect(p.__typename).toBe('Session');
    // Emails are trimmed and lower-cased; the name is trimmed.
    expect(p.user).toMatchObject({ email, displayName: 'Ada' });
    expect(p.refreshToken).toMatch(/^tovrt_/);
    expect(new Date(p.accessTokenExpiresAt).getTime()).toBeGreaterThan(Date.now());
    expect(new Date(p.refreshTokenExpiresAt).getTime()).toBeGreaterThan(new Date(p.accessTokenExpiresAt).getTime());

    const row = await users().findUniqueOrThrow({ where: { email } });
    expect(row.id).toBe(p.user.id);
    expect(row.passwordHash).not.toContain('correct horse');
    expect(await s.app.db.prisma.refreshToken.count({ where: { userId: row.id } })).toBe(1);
    const { audit, outbox } = await rowsOfRequest(s, requestId);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'identity:sign_up',
      outcome: 'SUCCESS',
      principalType: 'user',
      userId: row.id,
      targetType: 'User',
      targetId: row.id,
      occasionId: null,
    });
    expect(audit[0]!.after).toEqual({ email, displayName: 'Ada' });
    expect(outbox).toEqual([]);

    // The access token works at once.
    const me = await s.gql(ME, {}, { token: p.accessToken });
    expect(me.body.data.me).toMatchObject({ id: row.id, email, displayName: 'Ada' });
  });

  it('refuses an email that already has an account (ConflictError), whatever its case', async () => {
    const u = await signUpUser(s, 'dupe');
    const requestId = newRequestId('dupe');
    const r = await s.gql(
      SIGN_UP,
      { input: { email: u.email.toUpperCase(), password: 'another long password', displayName: 'Twin' } },
      { headers: { 'x-request-id': requestId } },
    );
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.signUp).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
    expect(await users().count({ where: { email: u.email } })).toBe(1);
    expect((await users().findUniqueOrThrow({ where: { email: u.email } })).displayName).toBe('dupe');
    expect((await rowsOfRequest(s, requestId)).audit).toEqual([]);
  });

  it('refuses a weak password and an invalid email with field issues, writing nothing', async () => {
    const email = freshEmail('weak');
    const requestId = newRequestId('weak');
    const weak = await s.gql(SIGN_UP, { input: { email, password: 'short', displayName: 'Weak' } }, { headers: { 'x-request-id': requestId } });
    expect(weak.body.data.signUp).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED' });
    expect(weak.body.data.signUp.fields).toEqual([{ path: 'input.password', message: 'Use at least 10 characters.' }]);

    const bad = await s.gql(
      SIGN_UP,
      { input: { email: 'not-an-email', password: 'long enough password', displayName: '' } },
      { headers: { 'x-request-id': requestId } },
    );
    expect(bad.body.data.signUp.__typename).toBe('ValidationError');
    const paths = bad.body.data.signUp.fields.map((f: { path: string }) => f.path).sort();
    expect(paths).toEqual(['input.displayName', 'input.email']);
    expect(bad.body.data.signUp.fields.find((f: { path: string }) => f.path === 'input.email').message).toBe('Enter a valid email address.');

    expect(await users().count({ where: { email } })).toBe(0);
    expect(await users().count({ where: { email: 'not-an-email' } })).toBe(0);
    expect(await rowsOfRequest(s, requestId)).toMatchObject({ audit: [], outbox: [] });
  });
});

describe('signIn', () => {
  it('signs in with the right password and audits it', async () => {
    const u = await signUpUser(s, 'signin');
    const requestId = newRequestId('signin');
    const r = await s.gql(SIGN_IN, { input: { email: u.email.toUpperCase(), password: u.password } }, { headers: { 'x-request-id': requestId } });
    expect(r.body.data.signIn.__typename).toBe('Session');
    expect(r.body.data.signIn.user.id).toBe(u.userId);
    expect(r.body.data.signIn.refreshToken).not.toBe(u.refreshToken);
    // A second, independent session: two refresh token families.
    const families = await s.app.db.prisma.refreshToken.groupBy({ by: ['familyId'], where: { userId: u.userId } });
    expect(families).toHaveLength(2);
    const { audit } = await rowsOfRequest(s, requestId);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'identity:sign_in', outcome: 'SUCCESS', userId: u.userId, targetType: 'User', targetId: u.userId });
  });

  it('gives the same InvalidCredentialsError for a wrong password and an unknown email, writing nothing', async () => {
    const u = await signUpUser(s, 'wrongpw');
    const tokensBefore = await s.app.db.prisma.refreshToken.count({ where: { userId: u.userId } });
    const requestId = newRequestId('badcreds');
    const wrong = await s.gql(SIGN_IN, { input: { email: u.email, password: `${u.password}x` } }, { headers: { 'x-request-id': requestId } });
    const unknown = await s.gql(
      SIGN_IN,
      { input: { email: freshEmail('nobody'), password: u.password } },
      { headers: { 'x-request-id': requestId } },
    );
    const malformed = await s.gql(SIGN_IN, { input: { email: 'nope', password: u.password } }, { headers: { 'x-request-id': requestId } });
    for (const r of [wrong, unknown, malformed]) {
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data.signIn).toEqual({
        __typename: 'InvalidCredentialsError',
        code: 'INVALID_CREDENTIALS',
        message: 'Email or password is incorrect.',
      });
    }
    expect(await s.app.db.prisma.refreshToken.count({ where: { userId: u.userId } })).toBe(tokensBefore);
    expect(await rowsOfRequest(s, requestId)).toMatchObject({ audit: [], outbox: [] });
  });
});

describe('refreshSession', () => {
  it('rotates: the new refresh token works, the old one no longer does', async () => {
    const u = await signUpUser(s, 'rotate');
    const r1 = await s.gql(REFRESH, { input: { refreshToken: u.refreshToken } });
    expect(r1.body.data.refreshSession.__typename).toBe('Session');
    const second = r1.body.data.refreshSession;
    expect(second.user.id).toBe(u.userId);
    expect(second.refreshToken).not.toBe(u.refreshToken);
    const me = await s.gql(ME, {}, { token: second.accessToken });
    expect(me.body.data.me.id).toBe(u.userId);

    const rows = await s.app.db.prisma.refreshToken.findMany({ where: { userId: u.userId }, orderBy: { createdAt: 'asc' } });
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((x) => x.familyId)).size).toBe(1);
    expect(rows[0]!.rotatedAt).not.toBeNull();
    expect(rows[1]!.rotatedAt).toBeNull();
    // a rotated token keeps the family's expiry: refreshing never extends a session past REFRESH_TOKEN_TTL_DAYS from sign-in
    expect(rows[1]!.expiresAt.getTime()).toBe(rows[0]!.expiresAt.getTime());
    expect(new Date(second.refreshTokenExpiresAt).getTime()).toBe(rows[0]!.expiresAt.getTime());

    const r2 = await s.gql(REFRESH, { input: { refreshToken: second.refreshToken } });
    expect(r2.body.data.refreshSession.__typename).toBe('Session');
  });

  it('treats reuse of a rotated token as theft: InvalidTokenError, and the whole family is revoked', async () => {
    // given a session rotated once
    const u = await signUpUser(s, 'reuse');
    const rotated = await s.gql(REFRESH, { input: { refreshToken: u.refreshToken } });
    const newest = rotated.body.data.refreshSession.refreshToken as string;
    // and an unrelated session of the same user on another device
    const other = await s.gql(SIGN_IN, { input: { email: u.email, password: u.password } });
    const otherRefresh = other.body.data.signIn.refreshToken as string;

    // when the first, already rotated token is presented again
    const reuse = await s.gql(REFRESH, { input: { refreshToken: u.refreshToken } });

    // then it is refused
    expect(reuse.body.data.refreshSession).toMatchObject({ __typename: 'InvalidTokenError', code: 'INVALID_TOKEN' });
    // and the newest token of that family stopped working too
    const newestAfter = await s.gql(REFRESH, { input: { refreshToken: newest } });
    expect(newestAfter.body.data.refreshSession).toMatchObject({ __typename: 'InvalidTokenError', code: 'INVALID_TOKEN' });
    const family = await s.app.db.prisma.refreshToken.findMany({ where: { userId: u.userId } });
    expect(family).toHaveLength(3);
    expect(family.filter((t) => t.revokedAt)).toHaveLength(2);
    // while the other device's session lives on
    const otherAfter = await s.gql(REFRESH, { input: { refreshToken: otherRefresh } });
    expect(otherAfter.body.data.refreshSession.__typename).toBe('Session');
    // and the revoked family's access tokens, the thief's newest one included, stop on their next request
    for (const token of [u.token, rotated.body.data.refreshSession.accessToken]) {
      const me = await s.gql(ME, {}, { token });
      expect(me.status).toBe(401);
      expect(me.body.errors?.[0]?.extensions?.reason).toBe('session_revoked');
    }
    expect((await s.gql(ME, {}, { token: otherAfter.body.data.refreshSession.accessToken })).body.data.me.id).toBe(u.userId);
  });

  it('refuses unknown and garbage tokens', async () => {
    for (const refreshToken of ['tovrt_doesnotexist', '', 'x'.repeat(300)]) {
      const r = await s.gql(REFRESH, { input: { refreshToken } });
      expect(r.body.data.refreshSession).toMatchObject({ __typename: 'InvalidTokenError', code: 'INVALID_TOKEN' });
    }
  });

  it('refuses an expired refresh token', async () => {
    const u = await signUpUser(s, 'expired');
    await s.app.db.prisma.refreshToken.updateMany({ where: { userId: u.userId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const r = await s.gql(REFRESH, { input: { refreshToken: u.refreshToken } });
    expect(r.body.data.refreshSession.__typename).toBe('InvalidTokenError');
  });
});

describe('signOut', () => {
  it('ends the session of that refresh token only, idempotently', async () => {
    const u = await signUpUser(s, 'signout');
    const other = await s.gql(SIGN_IN, { input: { email: u.email, password: u.password } });
    const out = await s.gql(SIGN_OUT, { input: { refreshToken: u.refreshToken } });
    expect(out.body).toEqual({ data: { signOut: { ok: true } } });
    expect((await s.gql(REFRESH, { input: { refreshToken: u.refreshToken } })).body.data.refreshSession.__typename).toBe('InvalidTokenError');
    // Signing out twice, or with a token that never existed, is still ok.
    expect((await s.gql(SIGN_OUT, { input: { refreshToken: u.refreshToken } })).body.data.signOut.ok).toBe(true);
    expect((await s.gql(SIGN_OUT, { input: { refreshToken: 'tovrt_never' } })).body.data.signOut.ok).toBe(true);
    // The other device is not signed out.
    expect((await s.gql(REFRESH, { input: { refreshToken: other.body.data.signIn.refreshToken } })).body.data.refreshSession.__typename).toBe(
      'Session',
    );
  });
});

describe('access tokens follow their session', () => {
  it('signing out stops that session’s access token on the next request (401 session_revoked); another session’s works', async () => {
    // given two sessions of one user
    const u = await signUpUser(s, 'atsignout');
    const other = (await s.gql(SIGN_IN, { input: { email: u.email, password: u.password } })).body.data.signIn;
    expect((await s.gql(ME, {}, { token: u.token })).body.data.me.id).toBe(u.userId);

    // when the first signs out
    await s.gql(SIGN_OUT, { input: { refreshToken: u.refreshToken } });

    // then its access token is refused at once, long before its exp
    const me = await s.gql(ME, {}, { token: u.token });
    expect(me.status).toBe(401);
    expect(errorCode(me)).toBe('UNAUTHENTICATED');
    expect(me.body.errors?.[0]?.extensions?.reason).toBe('session_revoked');
    expect((await s.gql(ME, {}, { token: other.accessToken })).body.data.me.id).toBe(u.userId);
  });

  it('checking the session costs no extra statement: one read authenticates a request', async () => {
    const u = await signUpUser(s, 'atcount');
    const before = s.app.db.statements.count;
    await s.gql(`query { __typename }`, {}, { token: u.token });
    expect(s.app.db.statements.count - before).toBe(1);
  });
});

describe('deleteAccount', () => {
  it('needs a signed-in user', async () => {
    const r = await s.gql(DELETE_ACCOUNT);
    expect(errorCode(r)).toBe('UNAUTHENTICATED');
  });

  it('deletes the account: old access and refresh tokens stop at once, actors stay without a login', async () => {
    // given a user who plans an occasion (not its only owner: see below)
    const w = await buildWorld(s, { events: 1, households: [], collaborators: { planner: undefined } });
    const u = w.people.planner!;
    const requestId = newRequestId('delete');

    // when they delete their account
    const r = await s.gql(DELETE_ACCOUNT, {}, { token: u.token, headers: { 'x-request-id': requestId } });
    expect(r.body).toEqual({ data: { deleteAccount: { __typename: 'OkPayload', ok: true } } });

    // then the old access token is refused with 401
    const me = await s.gql(ME, {}, { token: u.token });
    expect(me.status).toBe(401);
    expect(errorCode(me)).toBe('UNAUTHENTICATED');
    expect(me.body.errors?.[0]?.extensions?.reason).toBe('user_deleted');
    const occ = await s.gql(`query($id: ID!) { occasion(id: $id) { name } }`, { id: w.occasionId }, { token: u.token });
    expect(occ.status).toBe(401);
    // and so is the refresh token, and the password
    expect((await s.gql(REFRESH, { input: { refreshToken: u.refreshToken } })).body.data.refreshSession.__typename).toBe('InvalidTokenError');
    expect((await s.gql(SIGN_IN, { input: { email: u.email, password: u.password } })).body.data.signIn.__typename).toBe('InvalidCredentialsError');
    // the email is free again
    const again = await s.gql(SIGN_UP, { input: { email: u.email, password: 'a brand new password', displayName: 'Again' } });
    expect(again.body.data.signUp.__typename).toBe('Session');
    expect(again.body.data.signUp.user.id).not.toBe(u.userId);
    // the row is kept for the audit trail, marked deleted, and the actor no longer has a login
    const row = await users().findUniqueOrThrow({ where: { id: u.userId } });
    expect(row.deletedAt).not.toBeNull();
    expect(await s.app.db.prisma.actor.count({ where: { userId: u.userId } })).toBe(0);
    const { audit } = await rowsOfRequest(s, requestId);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      action: 'identity:delete_account',
      outcome: 'SUCCESS',
      userId: u.userId,
      targetType: 'User',
      targetId: u.userId,
    });
  });
});

describe('me', () => {
  it('returns the signed-in user and refuses anonymous callers', async () => {
    const u = await signUpUser(s, 'me');
    const r = await must(s, u.token, ME);
    expect(r.me).toMatchObject({ id: u.userId, email: u.email, displayName: 'me' });
    const anon = await s.gql(ME);
    expect(errorCode(anon)).toBe('UNAUTHENTICATED');
    expect(anon.body.data ?? null).toBeNull();
  });

  it('rejects a malformed or forged bearer token with 401 instead of treating the caller as anonymous', async () => {
    const u = await signUpUser(s, 'forged');
    const [h, p] = u.token.split('.');
    for (const token of [`${h}.${p}.AAAA`, 'not-a-jwt']) {
      const r = await s.gql(ME, {}, { token });
      expect(r.status).toBe(401);
      expect(errorCode(r)).toBe('UNAUTHENTICATED');
    }
  });
});

describe('account deletion keeps every occasion owned', () => {
  it('refuses while the user is the only owner, and allows it once someone else owns the occasion', async () => {
    // given an owner of an occasion with a planner
    const { buildWorld } = await import('../../support/factories.js');
    const w = await buildWorld(s, { events: 1, households: [1], collaborators: { planner: undefined } });

    // when the only owner deletes their account
    const refused = await s.gql(DELETE_ACCOUNT, {}, { token: w.owner.token });

    // then it is a typed conflict and the account still works
    expect(refused.body.data.deleteAccount).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
    expect((await s.gql('{ me { email } }', {}, { token: w.owner.token })).body.data.me.email).toBe(w.owner.email);

    // given the planner is made an owner too
    const grant = await s.gql(
      `mutation($i: GrantAccessInput!) { grantAccess(input: $i) { __typename ... on Error { code message } } }`,
      { i: { occasionId: w.occasionId, subjectId: w.people.planner!.actorId, role: 'owner', scope: { type: 'OCCASION' } } },
      { token: w.owner.token },
    );
    expect(grant.body.data.grantAccess.__typename).toBe('GrantPayload');

    // then the first owner may leave
    const ok = await s.gql(DELETE_ACCOUNT, {}, { token: w.owner.token });
    expect(ok.body.data.deleteAccount).toEqual({ __typename: 'OkPayload', ok: true });
  });
});
