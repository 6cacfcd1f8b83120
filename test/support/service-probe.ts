import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import pg from 'pg';
import { chromiumRuns, chromiumWhere } from './chromium.js';
import { TEST_PG_ADMIN_URL, TEST_REDIS_URL } from './env.js';
import type { ServiceStates } from './services.js';

/** host:port[/db] of a URL, for messages: never its credentials. */
function where(url: string, defaultPort: number): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || defaultPort}${u.pathname.length > 1 ? u.pathname : ''}`;
  } catch {
    return '(unparseable URL)';
  }
}

async function postgresAnswers(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  c.on('error', () => {});
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

async function redisAnswers(url: string): Promise<boolean> {
  const r = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  r.on('error', () => {}); // a refused connection is the answer, reported by connect()
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

/** Which services this machine offers the tests (TEST_PG_ADMIN_URL, TEST_REDIS_URL, a redis-server program, Chromium). */
export async function probeServices(): Promise<ServiceStates> {
  const [postgres, redis] = await Promise.all([postgresAnswers(TEST_PG_ADMIN_URL), redisAnswers(TEST_REDIS_URL)]);
  const redisServer = spawnSync('redis-server', ['--version'], { stdio: 'ignore', timeout: 5000 }).status === 0;
  return {
    postgres: { ok: postgres, at: where(TEST_PG_ADMIN_URL, 5432) },
    redis: { ok: redis, at: where(TEST_REDIS_URL, 6379) },
    'redis-server': { ok: redisServer, at: 'PATH' },
    chromium: { ok: chromiumRuns(), at: chromiumWhere() },
  };
}
