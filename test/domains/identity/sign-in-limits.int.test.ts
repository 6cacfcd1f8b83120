import { describe, expect, it } from 'vitest';
import { sha256 } from '../../../src/platform/crypto.js';
import { signUpUser, uniq } from '../../support/factories.js';
import { startServer } from '../../support/harness.js';

/**
 * Sign-in style mutations are limited per account and per client address,
 * every attempt counted (an alias is an attempt). This server trusts one proxy
 * hop, so each test speaks from an X-Forwarded-For address of its own and the
 * tests do not share address counters.
 */
const s = await startServer({
  AUTH_RATE_LIMIT_PER_ACCOUNT: 3,
  // Its own limit, so the tests can tell the two apart (the default is higher: every tab refreshes).
  AUTH_REFRESH_RATE_LIMIT_PER_ACCOUNT: 4,
  AUTH_RATE_LIMIT_PER_ADDRESS: 8,
  TRUST_PROXY: 1,
  PASSWORD_HASH_CONCURRENCY: 2,
  // Windows are fixed and aligned to the clock: with the default 15 minutes a run that crossed 01:00:00
  // saw its counters reset half-way through a test. A day makes a crossing (at 00:00 UTC) unlikely.
  AUTH_RATE_LIMIT_WINDOW_SECONDS: 86_400,
});

const RESULT = `__typename ... on Session { accessToken refreshToken } ... on RateLimitedError { code message retryAfter } ... on Error { code }`;
const SIGN_IN = `mutation($i: SignInInput!) { signIn(input: $i) { ${RESULT} } }`;
const SIGN_UP = `mutation($i: SignUpInput!) { signUp(input: $i) { ${RESULT} } }`;
const REFRESH = `mutation($i: RefreshSessionInput!) { refreshSession(input: $i) { ${RESULT} } }`;
const ACCEPT = `mutation($i: AcceptCollaboratorInvitationInput!) { acceptCollaboratorInvitation(input: $i) { __typename
  ... on RateLimitedError { retryAfter } ... on Error { code } } }`;

/** A documentation-range address nobody else in this file uses. */
let nextHost = 1;
const address = () => `192.0.2.${nextHost++}`;
const from = (ip: string) => ({ headers: { 'x-forwarded-for': `10.9.8.7, ${ip}` } });
const signIn = (ip: string, email: string, password: string) => s.gql(SIGN_IN, { i: { email, password } }, from(ip));
/** One request, `n` signIn aliases. */
const aliases = (attempts: { email: string; password: string }[]) =>
  `mutation { ${attempts.map((a, k) => `a${k}: signIn(input: { email: ${JSON.stringify(a.email)}, password: ${JSON.stringify(a.password)} }) { ${RESULT} }`).join(' ')} }`;

describe('per account', () => {
  it('past the limit even the right password is refused with RateLimitedError, and no session is created', async () => {
    // given: a user (signed up from elsewhere) and three wrong guesses
    const u = await signUpUser(s, 'victim');
    const ip = address();
    for (let k = 0; k < 3; k++)
      expect((await signIn(ip, u.email, `wrong-${k}-${uniq()}`)).body.data.signIn.__typename).toBe('InvalidCredentialsError');
    const sessions = await s.app.db.prisma.refreshToken.count({ where: { userId: u.userId } });

    // when: the right password, from the same address and from another one
    const right = await signIn(ip, u.email, u.password);
    const elsewhere = await signIn(address(), u.email.toUpperCase(), u.password);

    // then
    for (const r of [right, elsewhere]) {
      expect(r.status).toBe(200);
      expect(r.body.data.signIn).toMatchObject({ __typename: 'RateLimitedError', code: 'RATE_LIMITED' });
      expect(r.body.data.signIn.retryAfter).toBeGreaterThan(0);
      expect(r.body.data.signIn.retryAfter).toBeLessThanOrEqual(86_400);
    }
    expect(await s.app.db.prisma.refreshToken.count({ where: { userId: u.userId } })).toBe(sessions);
  });

  it('each alias of one request is an attempt', async () => {
    const u = await signUpUser(s, 'aliased');
    const r = await s.gql(aliases(Array.from({ length: 5 }, (_, k) => ({ email: u.email, password: `guess-${k}-${uniq()}` }))), {}, from(address()));
    expect(r.status).toBe(200);
    const types = Object.values(r.body.data as Record<string, { __typename: string }>).map((x) => x.__typename);
    expect(types).toEqual(['InvalidCredentialsError', 'InvalidCredentialsError', 'InvalidCredentialsError', 'RateLimitedError', 'RateLimitedError']);
  });

  it('signUp, refreshSession and acceptCollaboratorInvitation are limited per account too', async () => {
    const email = `many-${uniq()}@test.tovplus.test`;
    const ups = [];
    for (let k = 0; k < 4; k++) ups.push(await s.gql(SIGN_UP, { i: { email, password: 'x', displayName: 'Many' } }, from(address())));
    expect(ups.map((r) => r.body.data.signUp.__typename)).toEqual(['ValidationError', 'ValidationError', 'ValidationError', 'RateLimitedError']);

    const u = await signUpUser(s, 'refresher');
    let refreshToken = u.refreshToken;
    for (let k = 0; k < 4; k++) {
      const r = await s.gql(REFRESH, { i: { refreshToken } }, from(address()));
      expect(r.body.data.refreshSession.__typename).toBe('Session');
      refreshToken = r.body.data.refreshSession.refreshToken;
    }
    const fifth = await s.gql(REFRESH, { i: { refreshToken } }, from(address()));
    expect(fifth.body.data.refreshSession.__typename).toBe('RateLimitedError');
    // Refused before rotating: the token is still the current one (no reuse detection next window).
    expect(await s.app.db.prisma.refreshToken.findUnique({ where: { tokenHash: sha256(refreshToken) } })).toMatchObject({
      rotatedAt: null,
      revokedAt: null,
    });

    const accepts = [];
    for (let k = 0; k < 4; k++) accepts.push(await s.gql(ACCEPT, { i: { token: `tovinv_${uniq()}` } }, { token: u.token, ...from(address()) }));
    expect(accepts.map((r) => r.body.data.acceptCollaboratorInvitation.__typename)).toEqual([
      'InvalidTokenError',
      'InvalidTokenError',
      'InvalidTokenError',
      'RateLimitedError',
    ]);
  });
});

describe('per client address', () => {
  it('guesses across many accounts from one address are refused past the limit, then the whole request gets 429 with Retry-After', async () => {
    // given: one address, ten different accounts in one request (8 allowed per address)
    const ip = address();
    const r = await s.gql(
      aliases(Array.from({ length: 10 }, () => ({ email: `nobody-${uniq()}@test.tovplus.test`, password: 'guess-guess-guess' }))),
      {},
      from(ip),
    );
    const types = Object.values(r.body.data as Record<string, { __typename: string }>).map((x) => x.__typename);
    expect(types).toEqual([...Array(8).fill('InvalidCredentialsError'), 'RateLimitedError', 'RateLimitedError']);

    // when: the address comes back, for an account it never tried, with the right password
    const u = await signUpUser(s, 'bystander');
    const refused = await signIn(ip, u.email, u.password);

    // then: refused before anything runs
    expect(refused.status).toBe(429);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(refused.body.errors?.[0]?.extensions?.retryAfter).toBe(retryAfter);
    expect(refused.body.data ?? null).toBeNull();
    expect(await s.app.db.prisma.refreshToken.count({ where: { userId: u.userId } })).toBe(1);

    // Other operations from that address, and sign-in from another one, are unaffected.
    expect((await s.gql(`query { __typename }`, {}, from(ip))).status).toBe(200);
    expect((await signIn(address(), u.email, u.password)).body.data.signIn.__typename).toBe('Session');
  });

  it('X-Forwarded-For entries beyond the trusted hop are ignored (a client cannot pick its bucket)', async () => {
    const ip = address();
    for (let k = 0; k < 8; k++) await signIn(ip, `x-${uniq()}@test.tovplus.test`, 'guess-guess-guess');
    // The client prepends a fresh address of its own; the proxy appended the real one last.
    const spoofed = await s.gql(
      SIGN_IN,
      { i: { email: `x-${uniq()}@test.tovplus.test`, password: 'guess-guess-guess' } },
      {
        headers: { 'x-forwarded-for': `192.0.2.250, ${ip}` },
      },
    );
    expect(spoofed.status).toBe(429);
  });
});

describe('password hashing', () => {
  it('never runs more scrypts at once than PASSWORD_HASH_CONCURRENCY, however many sign-ins arrive together', async () => {
    // given: twelve requests at once, each with two sign-in aliases, from addresses of their own
    const before = s.app.passwords.stats();
    await Promise.all(
      Array.from({ length: 12 }, () =>
        s.gql(aliases([0, 1].map(() => ({ email: `load-${uniq()}@test.tovplus.test`, password: 'guess-guess-guess' }))), {}, from(address())),
      ),
    );
    // then: every attempt was hashed, waiting its turn, two at a time at most
    const after = s.app.passwords.stats();
    expect(after.completed - before.completed).toBe(24);
    expect(after.peakActive).toBeLessThanOrEqual(2);
    expect(after.peakQueued).toBeGreaterThan(0);
    expect(after.active).toBe(0);
  });
});
