import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';

export type RedisLike = Redis;

/** ioredis (CommonJS) is loaded by the first connection: without REDIS_URL a process never pays for it. */
const require = createRequire(import.meta.url);

/** One Redis connection; BullMQ and pub/sub open their own from the same URL. */
export function createRedis(url: string): Redis {
  const { Redis } = require('ioredis') as typeof import('ioredis');
  return new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false, enableOfflineQueue: true });
}

export async function pingRedis(redis: Redis, timeoutMs = 1000): Promise<boolean> {
  try {
    const res = await Promise.race([redis.ping(), new Promise((_, rej) => setTimeout(() => rej(new Error('timeout')), timeoutMs))]);
    return res === 'PONG';
  } catch {
    return false;
  }
}
