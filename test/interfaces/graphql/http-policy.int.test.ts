import { describe, expect, it } from 'vitest';
import { buildWorld, must, signUpUser } from '../../support/factories.js';
import { errorCode, startServer } from '../../support/harness.js';

/**
 * What every HTTP answer carries and who may call across origins: security
 * headers, no-store on anything that answers one caller (session tokens, a
 * guest's invitation), CORS from an allowlist, introspection by policy,
 * GraphiQL from the server's own assets, malformed GET parameters as 400.
 * The server is configured as production would be (https public URL, an
 * explicit origin list, introspection for users only).
 */

const APP = 'https://app.example.com';
const s = await startServer({ PUBLIC_URL: 'https://api.example.com', CORS_ORIGINS: [APP], INTROSPECTION: 'users', GRAPHIQL: true });
/** The development defaults (plain http, localhost origins), with GraphiQL switched off. */
const dev = await startServer({ GRAPHIQL: false });

const CREATE_INVITATION = `mutation($i: CreateRsvpInvitationInput!) { createRsvpInvitation(input: $i) { __typename
  ... on CreateRsvpInvitationPayload { guestToken } ... on Error { code message } } }`;

describe('security headers', () => {
  it('nosniff, no referrer, no framing and HSTS (the public URL is https) on GraphQL, health and error answers alike', async () => {
    for (const r of [await s.fetch('/graphql?query={__typename}'), await s.fetch('/healthz'), await s.fetch('/nowhere')]) {
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('referrer-policy')).toBe('no-referrer');
      expect(r.headers.get('strict-transport-security')).toBe('max-age=31536000');
      expect(r.headers.get('content-security-policy')).toBe("frame-ancestors 'none'");
    }
  });

  it('no HSTS when the public URL is plain http (local development)', async () => {
    const r = await dev.fetch('/healthz');
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('strict-transport-security')).toBeNull();
  });

  it('Cache-Control: no-store on responses carrying session tokens (signUp, signIn, refreshSession)', async () => {
    const u = await signUpUser(s, 'headers');
    const signIn = await s.gql(`mutation($i: SignInInput!) { signIn(input: $i) { __typename ... on Session { accessToken refreshToken } } }`, {
      i: { email: u.email, password: u.password },
    });
    expect(signIn.body.data.signIn.accessToken).toBeTruthy();
    expect(signIn.headers.get('cache-control')).toBe('no-store');
    const refreshed = await s.gql(`mutation($i: RefreshSessionInput!) { refreshSession(input: $i) { __typename ... on Session { accessToken } } }`, {
      i: { refreshToken: signIn.body.data.signIn.refreshToken },
    });
    expect(refreshed.body.data.refreshSession.accessToken).toBeTruthy();
    expect(refreshed.headers.get('cache-control')).toBe('no-store');
  });

  it('Cache-Control: no-store on answers to a guest link token', async () => {
    const w = await buildWorld(s, { events: 1, households: [1], modules: { rsvp: [0] } });
    const r = await must(s, w.owner.token, CREATE_INVITATION, { i: { occasionId: w.occasionId, unitId: w.households[0]!.id, eventIds: w.eventIds } });
    const guest = await s.gql(`{ guestInvitation { unitName } }`, {}, { token: r.createRsvpInvitation.guestToken });
    expect(guest.body.data.guestInvitation.unitName).toBeTruthy();
    expect(guest.headers.get('cache-control')).toBe('no-store');
  });
});

describe('CORS', () => {
  const preflight = (origin: string) =>
    s.fetch('/graphql', {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });

  it('an origin on CORS_ORIGINS gets its preflight granted and may read answers, without credentials mode', async () => {
    const pre = await preflight(APP);
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(APP);
    expect(pre.headers.get('access-control-allow-headers')).toBe('authorization, content-type');
    expect(pre.headers.get('access-control-allow-credentials')).toBeNull();
    const r = await s.fetch('/graphql', {
      method: 'POST',
      headers: { origin: APP, 'content-type': 'application/json' },
      body: '{"query":"{ __typename }"}',
    });
    expect(r.headers.get('access-control-allow-origin')).toBe(APP);
    expect(r.headers.get('vary')).toMatch(/Origin/);
  });

  it('any other origin (and localhost, outside development) is refused: no CORS headers, a typed 403 on preflight', async () => {
    for (const origin of ['https://evil.example', 'http://localhost:3000', 'null']) {
      const pre = await preflight(origin);
      expect(pre.status).toBe(403);
      expect((await pre.json()).errors[0].extensions.code).toBe('ORIGIN_NOT_ALLOWED');
      expect(pre.headers.get('access-control-allow-origin')).toBeNull();
      const r = await s.fetch('/graphql', {
        method: 'POST',
        headers: { origin, 'content-type': 'application/json' },
        body: '{"query":"{ __typename }"}',
      });
      expect(r.headers.get('access-control-allow-origin')).toBeNull();
      expect(r.headers.get('access-control-allow-credentials')).toBeNull();
    }
  });

  it('development default: localhost origins on any port, nothing else', async () => {
    expect(dev.app.config.CORS_ORIGINS).toEqual(['localhost']);
    for (const origin of ['http://localhost:5173', 'http://127.0.0.1:3000', 'http://[::1]:8080']) {
      const r = await dev.fetch('/graphql', { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
      expect(r.status, origin).toBe(204);
      expect(r.headers.get('access-control-allow-origin')).toBe(origin);
    }
    const evil = await dev.fetch('/graphql', {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost.evil.example', 'access-control-request-method': 'POST' },
    });
    expect(evil.status).toBe(403);
  });
});

describe('introspection (INTROSPECTION=users)', () => {
  const INTROSPECT = '{ __schema { queryType { name } } }';

  it('anonymous callers, guests and integrations are refused with a typed 403; __typename stays allowed', async () => {
    const anon = await s.gql(INTROSPECT);
    expect(anon.status).toBe(403);
    expect(errorCode(anon)).toBe('INTROSPECTION_DISABLED');
    expect(anon.body.data ?? null).toBeNull();
    const typeQuery = await s.gql('{ __type(name: "Query") { name } }');
    expect(errorCode(typeQuery)).toBe('INTROSPECTION_DISABLED');
    expect((await s.gql('{ __typename }')).body.data.__typename).toBe('Query');

    const w = await buildWorld(s, { events: 1, households: [1], modules: { rsvp: [0] } });
    const r = await must(s, w.owner.token, CREATE_INVITATION, { i: { occasionId: w.occasionId, unitId: w.households[0]!.id, eventIds: w.eventIds } });
    const guest = await s.gql(INTROSPECT, {}, { token: r.createRsvpInvitation.guestToken });
    expect(guest.status).toBe(403);
    expect(errorCode(guest)).toBe('INTROSPECTION_DISABLED');
  });

  it('a signed-in user may introspect (GraphiQL, codegen)', async () => {
    const u = await signUpUser(s, 'introspect');
    const r = await s.gql(INTROSPECT, {}, { token: u.token });
    expect(r.status).toBe(200);
    expect(r.body.data.__schema.queryType.name).toBe('Query');
  });

  it('the default is users in production and public elsewhere', async () => {
    const { loadConfig } = await import('../../../src/platform/config.js');
    expect(loadConfig({ NODE_ENV: 'production' }).INTROSPECTION).toBe('users');
    expect(loadConfig({}).INTROSPECTION).toBe('public');
  });
});

describe('GraphiQL', () => {
  it('the page refers to no external host, and every script, style, icon and Monaco worker it uses loads from this server', async () => {
    const page = await s.fetch('/graphql', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    const refs = [...html.matchAll(/\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThanOrEqual(5);
    expect(html).not.toMatch(/https?:\/\/|\/\/unpkg|cdn/i);
    for (const ref of refs) expect(ref, ref).toMatch(/^\/graphiql\/[\w.-]+\/[\w.-]+$/);

    // the worker URLs are in env.js
    const env = await (await s.fetch(refs.find((r) => r.endsWith('env.js'))!)).text();
    const prefix = refs[0]!.slice(0, refs[0]!.lastIndexOf('/') + 1);
    const workers = [...env.matchAll(/"([\w.]+\.worker\.js)"/g)].map((m) => prefix + m[1]);
    expect(workers.length).toBe(3);

    for (const path of [...refs, ...workers]) {
      const r = await s.fetch(path, { headers: { 'accept-encoding': 'gzip' } });
      expect(r.status, path).toBe(200);
      expect(r.headers.get('cache-control')).toMatch(/immutable/);
      expect(r.headers.get('content-type')).toMatch(path.endsWith('.css') ? /text\/css/ : path.endsWith('.ico') ? /image/ : /javascript/);
      expect((await r.arrayBuffer()).byteLength, path).toBeGreaterThan(100);
    }
    const bundle = await (await s.fetch(refs.find((r) => r.endsWith('graphiql.js'))!)).text();
    expect(bundle).toContain('renderYogaGraphiQL');
  });

  it('the page’s options cannot close their script element', async () => {
    const { renderGraphiQLPage } = await import('../../../src/interfaces/graphql/graphiql.js');
    const html = renderGraphiQLPage({ title: '<b>x</b>', defaultQuery: '</script><script>alert(1)</script>' });
    expect(html).not.toContain('</script><script>alert(1)');
    expect(html).toContain('<title>&#60;b&#62;x&#60;/b&#62;</title>');
  });

  it('no assets when GraphiQL is off', async () => {
    const page = await s.fetch('/graphql', { headers: { accept: 'text/html' } });
    const asset = [...(await page.text()).matchAll(/src="([^"]+)"/g)][0]![1]!;
    expect((await dev.fetch(asset)).status).toBe(404);
  });
});

describe('malformed GET and form parameters', () => {
  it('variables or extensions that are not JSON → 400 BAD_REQUEST naming the parameter, never a 500', async () => {
    for (const qs of ['query={__typename}&variables={', 'query={__typename}&extensions={"a":', 'query={__typename}&variables=nope']) {
      const r = await s.fetch(`/graphql?${qs}`, { headers: { accept: 'application/graphql-response+json' } });
      expect(r.status, qs).toBe(400);
      const body = await r.json();
      expect(body.errors[0].extensions.code).toBe('BAD_REQUEST');
      expect(body.errors[0].message).toMatch(/"(variables|extensions)" parameter is not valid JSON/);
      expect(JSON.stringify(body)).not.toMatch(/SyntaxError|at JSON\.parse/);
    }
    const form = await s.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: 'query={__typename}&variables={',
    });
    expect(form.status).toBe(400);
  });

  it('well-formed GET parameters still work', async () => {
    const r = await s.fetch(
      `/graphql?query=${encodeURIComponent('query Q { __typename }')}&operationName=Q&variables=${encodeURIComponent('{}')}&extensions=${encodeURIComponent('{}')}`,
      {
        headers: { accept: 'application/graphql-response+json' },
      },
    );
    const body = await r.json();
    expect(r.status, JSON.stringify(body)).toBe(200);
    expect(body.data.__typename).toBe('Query');
  });
});
