import { Redis } from 'ioredis';

export type RedisLike = Redis;

/** One Redis connection; BullMQ and pub/sub open their own from the same URL. */
export function createRedis(url: string): Redis {
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
