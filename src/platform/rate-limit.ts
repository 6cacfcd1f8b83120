import type { Logger } from 'pino';
import type { RedisLike } from './redis.js';

export interface RateDecision {
  allowed: boolean;
  /** Hits counted in the current window, this one included. */
  count: number;
  /** Seconds until the window resets (what `Retry-After` says); at least 1. */
  retryAfterSeconds: number;
}

/**
 * Fixed-window counters: `hit(key, limit, windowSeconds)` counts one attempt
 * and says whether it is within the limit; `peek` says whether the key is
 * already over it without counting (to refuse a whole request up front).
 * Fixed windows allow a burst of up to twice the limit across a window
 * boundary, which is fine for what these guard (credential guessing, runaway
 * partner loops), and cost one round trip per check.
 */
export interface RateLimiter {
  hit(key: string, limit: number, windowSeconds: number): Promise<RateDecision>;
  peek(key: string, limit: number, windowSeconds: number): Promise<RateDecision>;
}

/*
 * INCR and PEXPIRE in one script, so a counter can never be left without an
 * expiry (a crash between two commands would otherwise lock a key out for
 * good). The window index is part of the key, so every process agrees on
 * when a window ends without sharing a clock beyond Redis' own TTL.
 */
const HIT_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
`;

function windowOf(windowSeconds: number, now = Date.now()) {
  const ms = windowSeconds * 1000;
  const index = Math.floor(now / ms);
  const resetAt = (index + 1) * ms;
  return { index, resetAt, retryAfterSeconds: Math.max(1, Math.ceil((resetAt - now) / 1000)) };
}

/**
 * Shared across api processes through Redis. Keys start with `prefix`
 * (`<QUEUE_PREFIX>:rl:`), so deployments and test runs sharing one Redis
 * never count each other's attempts.
 */
export class RedisRateLimiter implements RateLimiter {
  /** Used while Redis fails: limits then hold per process instead of not at all (sign-in guessing must not get a free pass). */
  private readonly fallback = new MemoryRateLimiter();

  constructor(
    private readonly redis: RedisLike,
    private readonly logger: Logger,
    private readonly prefix: string,
  ) {}

  async hit(key: string, limit: number, windowSeconds: number): Promise<RateDecision> {
    const w = windowOf(windowSeconds);
    try {
      // A little longer than the window, so a key never expires before its window ends on a skewed clock.
      const n = Number(await this.redis.eval(HIT_SCRIPT, 1, this.keyOf(key, w.index), String(windowSeconds * 1000 + 1000)));
      return { allowed: n <= limit, count: n, retryAfterSeconds: w.retryAfterSeconds };
    } catch (err) {
      this.logger.warn({ err, key }, 'rate limiter unavailable; counting in this process only');
      return this.fallback.hit(key, limit, windowSeconds);
    }
  }

  async peek(key: string, limit: number, windowSeconds: number): Promise<RateDecision> {
    const w = windowOf(windowSeconds);
    try {
      const n = Number((await this.redis.get(this.keyOf(key, w.index))) ?? 0);
      return { allowed: n < limit, count: n, retryAfterSeconds: w.retryAfterSeconds };
    } catch (err) {
      this.logger.warn({ err, key }, 'rate limiter unavailable; counting in this process only');
      return this.fallback.peek(key, limit, windowSeconds);
    }
  }

  private keyOf(key: string, windowIndex: number) {
    return `${this.prefix}${key}:${windowIndex}`;
  }
}

/** One process, no Redis (embedded/dev, the pglite tests). */
export class MemoryRateLimiter implements RateLimiter {
  private readonly counters = new Map<string, { count: number; resetAt: number }>();
  /** Beyond this many live keys, expired ones are swept before adding another (bounded memory under a flood of distinct keys). */
  static readonly SWEEP_AT = 10_000;

  async hit(key: string, limit: number, windowSeconds: number): Promise<RateDecision> {
    const now = Date.now();
    const w = windowOf(windowSeconds, now);
    const k = `${key}:${windowSeconds}`;
    let c = this.counters.get(k);
    if (!c || c.resetAt <= now) {
      if (this.counters.size >= MemoryRateLimiter.SWEEP_AT) this.sweep(now);
      c = { count: 0, resetAt: w.resetAt };
      this.counters.set(k, c);
    }
    c.count++;
    return { allowed: c.count <= limit, count: c.count, retryAfterSeconds: Math.max(1, Math.ceil((c.resetAt - now) / 1000)) };
  }

  async peek(key: string, limit: number, windowSeconds: number): Promise<RateDecision> {
    const now = Date.now();
    const c = this.counters.get(`${key}:${windowSeconds}`);
    const live = c && c.resetAt > now ? c : null;
    const count = live?.count ?? 0;
    const retryAfterSeconds = live ? Math.max(1, Math.ceil((live.resetAt - now) / 1000)) : windowOf(windowSeconds, now).retryAfterSeconds;
    return { allowed: count < limit, count, retryAfterSeconds };
  }

  private sweep(now: number) {
    for (const [k, c] of this.counters) if (c.resetAt <= now) this.counters.delete(k);
  }
}

/** `prefix` namespaces the Redis keys (a deployment's QUEUE_PREFIX); the memory limiter is per process anyway. */
export function createRateLimiter(redis: RedisLike | null, logger: Logger, prefix: string): RateLimiter {
  return redis ? new RedisRateLimiter(redis, logger, `${prefix}:rl:`) : new MemoryRateLimiter();
}

/** Per-minute limits used by the token endpoint and integration GraphQL requests. */
export const WINDOW_SECONDS = 60;
