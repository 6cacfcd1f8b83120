import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/platform/config.js';

describe('config', () => {
  it('serves GraphiQL by default in development, not in production unless asked for', () => {
    expect(loadConfig({}).GRAPHIQL).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production' }).GRAPHIQL).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', GRAPHIQL: 'true' }).GRAPHIQL).toBe(true);
    expect(loadConfig({ GRAPHIQL: 'false' }).GRAPHIQL).toBe(false);
  });

  it('CORS_ORIGINS: exact origins and the localhost keyword; localhost by default outside production, nobody in production; wildcards and paths refused', () => {
    expect(loadConfig({}).CORS_ORIGINS).toEqual(['localhost']);
    expect(loadConfig({ NODE_ENV: 'production' }).CORS_ORIGINS).toEqual([]);
    expect(loadConfig({ NODE_ENV: 'production', CORS_ORIGINS: 'https://app.example.com, localhost' }).CORS_ORIGINS).toEqual([
      'https://app.example.com',
      'localhost',
    ]);
    expect(loadConfig({ CORS_ORIGINS: '' }).CORS_ORIGINS).toEqual([]);
    for (const bad of ['*', 'https://*.example.com', 'https://app.example.com/path', 'app.example.com', 'null']) {
      expect(() => loadConfig({ CORS_ORIGINS: bad }), bad).toThrow(/CORS_ORIGINS/);
    }
  });

  it('the graphql-ws limits have defaults and refuse nonsense', () => {
    const c = loadConfig({});
    expect([c.WS_CONNECTION_INIT_TIMEOUT_MS, c.WS_MAX_SUBSCRIPTIONS_PER_CONNECTION, c.WS_MAX_CONNECTIONS_PER_ADDRESS]).toEqual([3000, 50, 100]);
    expect(() => loadConfig({ WS_MAX_CONNECTIONS_PER_ADDRESS: '0' })).toThrow(/WS_MAX_CONNECTIONS_PER_ADDRESS/);
  });

  it('guest links: by default the built-in guest page of PUBLIC_URL (/guest/{token}); any http(s) template with {token}; checked at start-up', () => {
    expect(loadConfig({}).guestLinkTemplate).toBe('http://localhost:4000/guest/{token}');
    expect(loadConfig({ PUBLIC_URL: 'https://tovplus.example/' }).guestLinkTemplate).toBe('https://tovplus.example/guest/{token}');
    // A frontend of the deployment's own may take it in the fragment (read in the browser) or the query.
    for (const custom of ['https://rsvp.example.com/answer?lang=he#t={token}', 'https://rsvp.example.com/a?t={token}']) {
      expect(loadConfig({ GUEST_LINK_TEMPLATE: custom }).guestLinkTemplate).toBe(custom);
    }
    expect(() => loadConfig({ GUEST_LINK_TEMPLATE: 'https://tovplus.example/guest' })).toThrow(/GUEST_LINK_TEMPLATE: must contain \{token\}/);
    expect(() => loadConfig({ GUEST_LINK_TEMPLATE: 'guest#token={token}' })).toThrow(/absolute URL/);
    expect(() => loadConfig({ GUEST_LINK_TEMPLATE: 'javascript:alert(1)#{token}' })).toThrow(/http\(s\)/);
  });

  it('mail goes to a mail server or a messaging provider, never both', () => {
    const id = '01900000-0000-7000-8000-000000000001';
    expect(loadConfig({ MAIL_PROVIDER_INTEGRATION_ID: id }).MAIL_PROVIDER_INTEGRATION_ID).toBe(id);
    expect(() => loadConfig({ MAIL_PROVIDER_INTEGRATION_ID: 'messaging' })).toThrow(/MAIL_PROVIDER_INTEGRATION_ID/);
    expect(() => loadConfig({ MAIL_PROVIDER_INTEGRATION_ID: id, MAIL_URL: 'smtp://mail.tovplus.test:587' })).toThrow(/not both/);
  });

  it('password hashes: scrypt 2^15 by default; a lower cost only with NODE_ENV=test', () => {
    expect(loadConfig({}).PASSWORD_HASH_COST).toBe(15);
    expect(loadConfig({ NODE_ENV: 'test', PASSWORD_HASH_COST: '10' }).PASSWORD_HASH_COST).toBe(10);
    expect(() => loadConfig({ PASSWORD_HASH_COST: '10' })).toThrow(/PASSWORD_HASH_COST: below 15/);
    expect(() => loadConfig({ NODE_ENV: 'production', PASSWORD_HASH_COST: '12' })).toThrow(/PASSWORD_HASH_COST/);
    expect(loadConfig({ NODE_ENV: 'production', PASSWORD_HASH_COST: '16' }).PASSWORD_HASH_COST).toBe(16);
    expect(() => loadConfig({ NODE_ENV: 'test', PASSWORD_HASH_COST: '9' })).toThrow(/PASSWORD_HASH_COST/);
  });

  it('refuses a bad value with the variable named', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ GRAPHIQL: 'yes' })).toThrow(/GRAPHIQL/);
  });
});
