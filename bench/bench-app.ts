import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createApp, type App } from '../src/app/create-app.js';
import { createHttpServer, type HttpServer } from '../src/interfaces/graphql/server.js';
import { loadConfig, type Config } from '../src/platform/config.js';
import { createDatabase } from '../src/platform/db/client.js';
import { createLogger } from '../src/platform/logger.js';

/*
 * What the end-to-end scenarios with worker processes (webhooks, messages)
 * start from: a fresh database of their own next to the admin URL, the real app
 * on it (production settings, pool of 10) and its HTTP server on 127.0.0.1.
 */

export function withDatabase(url: string, name: string) {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function admin(adminUrl: string, sql: string) {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

export interface BenchApp {
  dbName: string;
  databaseUrl: string;
  /** APP_KEY, base64: the workers get the same one. */
  appKey: string;
  config: Config;
  app: App;
  http: HttpServer;
  port: number;
  /** POST a GraphQL operation to it over a real socket; the parsed response body. */
  gql: (query: string, variables?: Record<string, unknown>, token?: string) => Promise<any>;
  /** Drops the database (kept with BENCH_KEEP_DB=1). */
  dropDatabase(): Promise<void>;
}

/** `env`: more settings, as environment variables, for the app and the workers it shares a database with (storage settings, DATA_DIR). */
export async function startBenchApp(adminUrl: string, name: string, env: Record<string, string> = {}): Promise<BenchApp> {
  const dbName = `tovplus_bench_${name}_${process.pid}`;
  const databaseUrl = withDatabase(adminUrl, dbName);
  await admin(adminUrl, `DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  await admin(adminUrl, `CREATE DATABASE "${dbName}"`);
  const appKey = randomBytes(32).toString('base64');
  const config = loadConfig({
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    APP_KEY: appKey,
    LOG_LEVEL: 'warn',
    ACCESS_TOKEN_TTL_SECONDS: '3600',
    ...env,
  });
  const db = await createDatabase({ databaseUrl, poolSize: 10 });
  const app = await createApp(config, { db, logger: createLogger('warn') });
  const http = createHttpServer(app);
  const port = await http.listen(0, '127.0.0.1');
  return {
    dbName,
    databaseUrl,
    appKey,
    config,
    app,
    http,
    port,
    gql: async (query, variables, token) => {
      const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return res.json();
    },
    async dropDatabase() {
      if (process.env.BENCH_KEEP_DB !== '1') await admin(adminUrl, `DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    },
  };
}
