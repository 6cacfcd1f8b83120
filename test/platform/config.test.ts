import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/platform/config.js';

describe('config', () => {
  it('serves GraphiQL by default in development, not in production unless asked for', () => {
    expect(loadConfig({}).GRAPHIQL).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production' }).GRAPHIQL).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', GRAPHIQL: 'true' }).GRAPHIQL).toBe(true);
    expect(loadConfig({ GRAPHIQL: 'false' }).GRAPHIQL).toBe(false);
  });

  it('refuses a bad value with the variable named', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ GRAPHIQL: 'yes' })).toThrow(/GRAPHIQL/);
  });
});
