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

  it('refuses a bad value with the variable named', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ GRAPHIQL: 'yes' })).toThrow(/GRAPHIQL/);
  });
});
