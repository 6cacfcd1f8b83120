import { describe, expect, it } from 'vitest';
import { signUpUser } from '../support/factories.js';
import { startServer } from '../support/harness.js';

const s = await startServer();

describe('structured logs', () => {
  it('carry the request id on every line written while serving the request', async () => {
    // given a request with a caller-chosen id
    const requestId = `test-req-${Date.now()}`;
    const before = s.logs.length;
    const r = await s.gql('{ me { email } }', {}, { headers: { 'x-request-id': requestId } });

    // then the response echoes it and every line logged for it names it
    expect(r.headers.get('x-request-id')).toBe(requestId);
    const lines = s.logs.slice(before).map((l) => JSON.parse(l));
    const mine = lines.filter((l) => l.path === '/graphql' || l.requestId === requestId);
    expect(mine.length).toBeGreaterThan(0);
    for (const l of mine) expect(l.requestId).toBe(requestId);
  });

  it('replaces a malformed request id with a fresh one', async () => {
    const r = await s.gql('{ __typename }', {}, { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(r.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('never contain passwords, access tokens or refresh tokens', async () => {
    const u = await signUpUser(s, 'logs');
    await s.gql(
      'mutation($i: SignInInput!) { signIn(input: $i) { __typename } }',
      { i: { email: u.email, password: u.password } },
      { token: u.token },
    );
    const all = s.logs.join('\n');
    expect(all).not.toContain(u.password);
    expect(all).not.toContain(u.token);
    expect(all).not.toContain(u.refreshToken);
  });
});
