/**
 * The server under fuzz for `npm run fuzz`: the real app and HTTP server on
 * 127.0.0.1 (ephemeral port), on a scratch PostgreSQL database (created and
 * dropped here, as the test suite does) or on in-memory PGlite. It offers the
 * same shape as the test harness' server, so the test factories seed it, and
 * runs the webhook worker in-process, as the embedded api does.
 * (The harness itself registers vitest hooks, hence this small twin for the CLI.)
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createApp } from '../../src/app/create-app.js';
import { buildSchema } from '../../src/interfaces/graphql/schema.js';
import { createHttpServer } from '../../src/interfaces/graphql/server.js';
import { startWebhookWorker } from '../../src/interfaces/webhooks/worker-runtime.js';
import { loadConfig } from '../../src/platform/config.js';
import { createDatabase } from '../../src/platform/db/client.js';
import { createLogger } from '../../src/platform/logger.js';
import type { TestServer } from '../../test/support/harness.js';
import { createScratchDb, dropScratchDb } from '../../test/support/scratch-db.js';
import { FUZZ_CONFIG } from './world.js';

export type DatabaseKind = 'pg' | 'pglite';

export interface FuzzTarget extends TestServer {
  description: string;
  /** Where the seeded webhook endpoint delivers, and every body delivered there. */
  webhookUrl: string;
  webhookPayloads: string[];
  close(): Promise<void>;
}

/** A webhook receiver on 127.0.0.1 that keeps every body and answers 204. */
async function startReceiver() {
  const payloads: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      payloads.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    payloads,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export async function startTarget(database: DatabaseKind, opts: { redisUrl?: string } = {}): Promise<FuzzTarget> {
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const receiver = await startReceiver();
  const dbName = database === 'pg' ? `tovplus_fuzz_${process.pid}_${randomBytes(3).toString('hex')}` : null;
  const databaseUrl = dbName ? await createScratchDb(dbName) : undefined;
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      APP_KEY: randomBytes(32).toString('base64'),
      LOG_LEVEL: 'warn',
      WEBHOOK_ALLOWED_NETWORKS: 'loopback',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      ...(opts.redisUrl ? { REDIS_URL: opts.redisUrl } : {}),
    },
    FUZZ_CONFIG,
  );
  const db = await createDatabase(databaseUrl ? { databaseUrl, poolSize: 5 } : { memory: true });
  const app = await createApp(config, { logger: createLogger(config.LOG_LEVEL, sink), db });
  // As the embedded api runs it: the relay and deliveries in this process (test sends and business events render
  // the endpoint's document as the integration; what goes wrong there shows in the error log, not in a response).
  const schema = buildSchema();
  const worker = startWebhookWorker(app, { schema, redisUrl: opts.redisUrl ?? null });
  const http = createHttpServer(app, undefined, schema);
  const port = await http.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  return {
    app,
    http,
    url,
    logs,
    description: dbName ? `PostgreSQL database ${dbName}` : 'in-memory PGlite',
    webhookUrl: receiver.url,
    webhookPayloads: receiver.payloads,
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
      await worker.stop();
      await http.close();
      await app.close();
      await db.close();
      await receiver.close();
      if (dbName) await dropScratchDb(dbName);
    },
  };
}
