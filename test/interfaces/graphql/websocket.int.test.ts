import { createClient } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { signUpUser } from '../../support/factories.js';
import { startServer } from '../../support/harness.js';

const s = await startServer();

function client(authorization?: string) {
  const closes: { code: number; reason: string }[] = [];
  const c = createClient({
    url: s.url.replace('http', 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: authorization ? { authorization } : {},
    retryAttempts: 0,
    lazy: true,
    on: { closed: (e) => closes.push({ code: (e as { code: number }).code, reason: (e as { reason: string }).reason }) },
  });
  return { c, closes };
}

async function once(c: ReturnType<typeof createClient>, query: string) {
  return new Promise<{ data?: any; errors?: any[] }>((resolve, reject) => {
    let result: { data?: any; errors?: any[] } = {};
    c.subscribe({ query }, { next: (r) => (result = r as typeof result), error: reject, complete: () => resolve(result) });
  });
}

describe('graphql-ws on /graphql', () => {
  it('runs operations over the socket as the principal of connection_init', async () => {
    const u = await signUpUser(s, 'ws');
    const { c } = client(`Bearer ${u.token}`);
    const r = await once(c, '{ me { email } }');
    expect(r.data.me.email).toBe(u.email);
    await c.dispose();
  });

  it('applies the same rules as HTTP: anonymous sockets get UNAUTHENTICATED for guarded fields', async () => {
    const { c } = client();
    const r = await once(c, '{ me { email } }');
    expect(r.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    await c.dispose();
  });

  it('closes with 4403 when connection_init carries an invalid token', async () => {
    const { c, closes } = client('Bearer not-a-token');
    await expect(once(c, '{ me { email } }')).rejects.toBeTruthy();
    expect(closes[0]?.code).toBe(4403);
    await c.dispose();
  });
});
