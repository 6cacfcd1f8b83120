import { describe, expect, it } from 'vitest';
import { signUpUser, uniq } from '../../support/factories.js';
import { startServer } from '../../support/harness.js';
import { newRequestId, rowsOfRequest } from '../../support/rows.js';

/** Passwords are judged NIST SP 800-63B style on every path that sets one (today: signUp). */
const s = await startServer();

const SIGN_UP = `mutation($i: SignUpInput!) { signUp(input: $i) { __typename
  ... on ValidationError { code message fields { path message } } ... on Error { code message } } }`;

const signUp = (email: string, password: string, displayName = 'Ada Lovelace', requestId = newRequestId('pw')) =>
  s.gql(SIGN_UP, { i: { email, password, displayName } }, { headers: { 'x-request-id': requestId } });

describe('signUp password policy', () => {
  it.each([
    ['a repeated character', 'aaaaaaaaaa'],
    ['a sequence', '1234567890'],
    ['a common password', 'password12'],
    ['a keyboard walk', 'qwertyuiop'],
    ['only spaces', '          '],
    ['too short', 'Xk3!'],
    ['longer than 128 characters', 'correct horse battery staple '.repeat(5)],
  ])('refuses %s with a ValidationError on input.password, writing nothing', async (_what, password) => {
    const email = `ada.lovelace-${uniq()}@test.tovplus.test`;
    const requestId = newRequestId('weak');
    const r = await signUp(email, password, 'Ada Lovelace', requestId);
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.signUp).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED' });
    expect(r.body.data.signUp.fields).toHaveLength(1);
    expect(r.body.data.signUp.fields[0].path).toBe('input.password');
    expect(r.body.data.signUp.fields[0].message).toMatch(/\w/);
    expect(await s.app.db.prisma.user.count({ where: { email } })).toBe(0);
    expect(await rowsOfRequest(s, requestId)).toMatchObject({ audit: [], outbox: [] });
  });

  it('refuses the email itself, and passwords trivially made from the email or the display name', async () => {
    const local = `ada.lovelace${uniq()}`;
    const email = `${local}@example.com`;
    for (const password of [email, email.toUpperCase(), `${local.replace('.', '')}1`, 'Ada Lovelace', 'adalovelace!!', `${local}@example`]) {
      const r = await signUp(email, password);
      expect(r.body.data.signUp.__typename, password).toBe('ValidationError');
      expect(r.body.data.signUp.fields.map((f: { path: string }) => f.path)).toEqual(['input.password']);
    }
    expect(await s.app.db.prisma.user.count({ where: { email } })).toBe(0);
  });

  it('accepts long passphrases (64 and 128 characters) and keeps them whole', async () => {
    for (const length of [64, 128]) {
      const password = `velvet otter ${uniq()} climbs the ${uniq()} lighthouse at dawn `.repeat(4).slice(0, length);
      expect([...password]).toHaveLength(length);
      const email = `pass-${uniq()}@test.tovplus.test`;
      expect((await signUp(email, password)).body.data.signUp.__typename).toBe('Session');
      const signIn = await s.gql(`mutation($i: SignInInput!) { signIn(input: $i) { __typename } }`, { i: { email, password } });
      expect(signIn.body.data.signIn.__typename).toBe('Session');
    }
  });

  it('lists password problems beside the other fields’ in one answer', async () => {
    const r = await signUp('not-an-email', 'aaaaaaaaaa', '');
    expect(r.body.data.signUp.__typename).toBe('ValidationError');
    expect(r.body.data.signUp.fields.map((f: { path: string }) => f.path).sort()).toEqual(['input.displayName', 'input.email', 'input.password']);
  });

  it('an email that already has an account costs the same password hash as a new one (no timing oracle)', async () => {
    const u = await signUpUser(s, 'taken');
    const before = s.app.passwords.stats().completed;
    const taken = await signUp(u.email, `another-${uniq()}-passphrase`);
    expect(taken.body.data.signUp.__typename).toBe('ConflictError');
    const afterTaken = s.app.passwords.stats().completed;
    const fresh = await signUp(`fresh-${uniq()}@test.tovplus.test`, `another-${uniq()}-passphrase`);
    expect(fresh.body.data.signUp.__typename).toBe('Session');
    expect(afterTaken - before).toBe(1);
    expect(s.app.passwords.stats().completed - afterTaken).toBe(1);
  });

  it('signIn with an absurdly long password is a plain InvalidCredentialsError (one scrypt, of nothing that long)', async () => {
    const u = await signUpUser(s, 'huge');
    const before = s.app.passwords.stats().completed;
    const r = await s.gql(`mutation($i: SignInInput!) { signIn(input: $i) { __typename } }`, {
      i: { email: u.email, password: 'x'.repeat(100_000) },
    });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.signIn.__typename).toBe('InvalidCredentialsError');
    expect(s.app.passwords.stats().completed - before).toBe(1);
  });
});
