import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { type GraphQLSchema, print } from 'graphql';
import { PGlite } from '@electric-sql/pglite';
import { inject } from 'vitest';
import { type App, createApp } from '../../src/app/create-app.js';
import { buildSchema } from '../../src/interfaces/graphql/schema.js';
import { createHttpServer, type HttpServer } from '../../src/interfaces/graphql/server.js';
import { loadConfig, type Config } from '../../src/platform/config.js';
import { createDatabase } from '../../src/platform/db/client.js';
import { createLogger } from '../../src/platform/logger.js';
import { TEST_APP_KEY, TEST_REDIS_URL, usePglite } from './env.js';
import { atFileEnd } from './file-end.js';
import { loadPgliteTemplate } from './pglite-template.js';
import { createScratchDb, dropScratchDb } from './scratch-db.js';
import { serviceMissing } from './services.js';

export interface GqlResult<T = any> {
  status: number;
  headers: Headers;
  body: { data?: T; errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; [k: string]: unknown } }[] };
}

export interface TestServer {
  app: App;
  /** The database a server in another process uses (remoteServer), for reading what it wrote. */
  databaseUrl?: string;
  http: HttpServer;
  url: string;
  /** Every log line the app wrote, for tests that check what reaches logs. */
  logs: string[];
  /** POST a GraphQL operation (text or a typed document from codegen) over a real socket. */
  gql<T = any, V = Record<string, unknown>>(
    query: string | TypedDocumentNode<T, V>,
    variables?: V,
    opts?: { token?: string; headers?: Record<string, string> },
  ): Promise<GqlResult<T>>;
  /** Raw HTTP to the server. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

/**
 * TEST_TIMING=1: one line per server started, with the wall and CPU time of each set-up step
 * (the database, the app, schema and listen), to see what a file pays before its first test.
 */
function setupTiming() {
  const steps: string[] = [];
  let wall = performance.now();
  let cpu = process.cpuUsage();
  return {
    lap(step: string) {
      const now = performance.now();
      const used = process.cpuUsage(cpu);
      steps.push(`${step} ${Math.round(now - wall)} ms (cpu ${Math.round((used.user + used.system) / 1000)})`);
      wall = now;
      cpu = process.cpuUsage();
    },
    done() {
      if (process.env.TEST_TIMING) console.info(`[set-up ${process.env.TEST_DB}, pid ${process.pid}] ${steps.join(', ')}`);
    },
  };
}

let schema: GraphQLSchema | null = null;
let workerPglite: Promise<PGlite> | null = null;

/**
 * The pglite project's database for this worker: one in-memory copy of the run's migrated template, shared
 * by the servers of every file the worker runs, as the pg project's files share one PostgreSQL database
 * (every test builds its own occasion and users, so files never meet). Loading a copy costs ~1.5 s of CPU,
 * which every file paid before. A suite that asks for a database of its own still gets a fresh copy.
 */
function sharedPglite(): Promise<PGlite> {
  return (workerPglite ??= PGlite.create({ loadDataDir: loadPgliteTemplate(inject('pgliteTemplate')) }));
}

/**
 * The GraphQL schema, built once per worker (a worker keeps its modules from one file to the next, see
 * vitest.config.ts) and shared by every server in it, as the api process shares one between its http
 * server and its webhook worker: it holds no per-app state.
 */
export function testSchema(): GraphQLSchema {
  return (schema ??= buildSchema());
}

/**
 * Starts the real app and HTTP server for one test file: PostgreSQL (+ Redis)
 * in the `pg` project, in-memory PGlite without Redis in the `pglite` one.
 * Closed automatically after the file (also when started inside a test or a hook: file-end.ts).
 */
export async function startServer(overrides: Partial<Config> = {}, opts: { ownDatabase?: boolean } = {}): Promise<TestServer> {
  const timing = setupTiming();
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const pglite = usePglite();
  // A database of its own (a scratch PostgreSQL database, or a PGlite copy of its own): for suites whose workers relay every outbox row they find.
  const ownDb = opts.ownDatabase && !pglite ? `tovplus_test_${process.pid}_${randomBytes(4).toString('hex')}` : null;
  const databaseUrl = ownDb ? await createScratchDb(ownDb, inject('pgTemplate')) : pglite ? undefined : inject('databaseUrl');
  // Asset files (the local store, DATA_DIR/assets) in a folder of the server's own, never the checkout's .data.
  const dataDir = mkdtempSync(join(tmpdir(), 'tovplus-test-'));
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      APP_KEY: TEST_APP_KEY,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      // Every suite signs in from 127.0.0.1 many times: the production sign-in limits are for the
      // rate-limit tests' own servers (they override these). A queue that never refuses, likewise.
      AUTH_RATE_LIMIT_PER_ACCOUNT: '1000000',
      AUTH_REFRESH_RATE_LIMIT_PER_ACCOUNT: '1000000',
      AUTH_RATE_LIMIT_PER_ADDRESS: '1000000',
      PASSWORD_HASH_QUEUE: '100000',
      // scrypt at 2^10 instead of 2^15: suites sign up thousands of users (config.ts allows it only in tests).
      PASSWORD_HASH_COST: '10',
      // Redis keys (rate-limit counters, queues) of their own: parallel runs and servers sharing one Redis never meet.
      QUEUE_PREFIX: `t${process.pid}${randomBytes(3).toString('hex')}`,
      // No Redis on this machine (services.ts): the pg project runs on in-process queues and pub/sub.
      ...(pglite ? {} : { DATABASE_URL: databaseUrl, ...(serviceMissing('redis') ? {} : { REDIS_URL: TEST_REDIS_URL }) }),
    },
    overrides,
  );
  // PGlite: an in-memory copy of the run's migrated template (global-setup-pglite.ts), the file's own database.
  const db = await createDatabase(
    !pglite
      ? { databaseUrl: config.DATABASE_URL, poolSize: 5 }
      : opts.ownDatabase
        ? { memory: true, loadDataDir: loadPgliteTemplate(inject('pgliteTemplate')) }
        : { pglite: await sharedPglite() },
  );
  timing.lap('database');
  const app = await createApp(config, { logger: createLogger(config.LOG_LEVEL, sink), db });
  timing.lap('app');
  const http = createHttpServer(app, undefined, testSchema());
  const port = await http.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  timing.lap('schema+listen');
  timing.done();
  atFileEnd(async () => {
    await http.close();
    await app.close();
    await db.close();
    if (ownDb) await dropScratchDb(ownDb);
    rmSync(dataDir, { recursive: true, force: true });
  });
  return {
    app,
    http,
    url,
    logs,
    fetch: (path, init) => fetch(url + path, init),
    async gql(query, variables, opts = {}) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          ...opts.headers,
        },
        body: JSON.stringify({ query: typeof query === 'string' ? query : print(query), variables }),
      });
      const text = await res.text();
      let body;
      try {
        body = JSON.parse(text);
      } catch {
        throw new Error(`Non-JSON response (${res.status}): ${text.slice(0, 500)}`);
      }
      return { status: res.status, headers: res.headers, body };
    },
  };
}

/** The single error code of a result, or undefined. */
export function errorCode(r: GqlResult): string | undefined {
  return r.body.errors?.[0]?.extensions?.code;
}
