/**
 * The server under fuzz for `npm run fuzz`: the real app and HTTP server on
 * 127.0.0.1 (ephemeral port), on a scratch PostgreSQL database (created and
 * dropped here, as the test suite does) or on in-memory PGlite. It offers the
 * same shape as the test harness' server, so the test factories seed it.
 * (The harness itself registers vitest hooks, hence this small twin for the CLI.)
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { createApp } from '../../src/app.js';
import { createHttpServer } from '../../src/interfaces/graphql/server.js';
import { loadConfig } from '../../src/platform/config.js';
import { createDatabase } from '../../src/platform/db/client.js';
import { createLogger } from '../../src/platform/logger.js';
import type { TestServer } from '../../test/support/harness.js';
import { createScratchDb, dropScratchDb } from '../../test/support/scratch-db.js';
import { FUZZ_CONFIG } from './world.js';

export type DatabaseKind = 'pg' | 'pglite';

export async function startTarget(database: DatabaseKind, opts: { redisUrl?: string } = {}): Promise<TestServer & { close(): Promise<void>; description: string }> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const dbName = database === 'pg' ? `tovplus_fuzz_${process.pid}_${randomBytes(3).toString('hex')}` : null;
  const databaseUrl = dbName ? await createScratchDb(dbName) : undefined;
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      APP_KEY: randomBytes(32).toString('base64'),
      LOG_LEVEL: 'warn',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      ...(opts.redisUrl ? { REDIS_URL: opts.redisUrl } : {}),
    },
    FUZZ_CONFIG,
  );
  const db = await createDatabase(databaseUrl ? { databaseUrl, poolSize: 5 } : { memory: true });
  const app = await createApp(config, { logger: createLogger(config.LOG_LEVEL, sink), db });
  const http = createHttpServer(app);
  const port = await http.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  return {
    app,
    http,
    url,
    logs,
    description: dbName ? `PostgreSQL database ${dbName}` : 'in-memory PGlite',
    fetch: (path, init) => fetch(url + path, init),
    async gql(query, variables, o = {}) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
          ...o.headers,
        },
        body: JSON.stringify({ query: typeof query === 'string' ? query : (await import('graphql')).print(query), variables }),
      });
      return { status: res.status, headers: res.headers, body: (await res.json()) as never };
    },
    async close() {
      await http.close();
      await app.close();
      await db.close();
      if (dbName) await dropScratchDb(dbName);
    },
  };
}
