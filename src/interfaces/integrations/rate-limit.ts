import type { Logger } from 'pino';
import type { RedisLike } from '../../platform/redis.js';

export interface RateDecision {
  allowed: boolean;
  /** Hits counted in the current window, this one included. */
  count: number;
  /** Seconds until the window resets (what `Retry-After` says); at least 1. */
  retryAfterSeconds: number;
}

/**
 * Fixed-window counters: `hit(key, limit, windowSeconds)` counts one attempt
 * and says whether it is within the limit. Fixed windows allow a burst of up
 * to twice the limit across a window boundary, which is fine for what these
 * guard (credential guessing and runaway partner loops), and cost one round
 * trip per request.
 */
export interface RateLimiter {
  hit(key: string, limit: number, windowSeconds: number): Promise<RateDecision>;
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

const KEY_PREFIX = 'tovplus:rl:';

function windowOf(windowSeconds: number, now = Date.now()) {
  const ms = windowSeconds * 1000;
  const index = Math.floor(now / ms);
  const resetAt = (index + 1) * ms;
  return { index, resetAt, retryAfterSeconds: Math.max(1, Math.ceil((resetAt - now) / 1000)) };
}

/** Shared across api processes through Redis. */
export class RedisRateLimiter implements RateLimiter {
  constructor(
    private readonly redis: RedisLike,
    private readonly logger: Logger,
  ) {}

  async hit(key: string, limit: number, windowSeconds: number): Promise<RateDecision> {
    const w = windowOf(windowSeconds);
    try {
      // A little longer than the window, so a key never expires before its window ends on a skewed clock.
      const n = Number(await this.redis.eval(HIT_SCRIPT, 1, `${KEY_PREFIX}${key}:${w.index}`, String(windowSeconds * 1000 + 1000)));
      return { allowed: n <= limit, count: n, retryAfterSeconds: w.retryAfterSeconds };
    } catch (err) {
      // Fail open: Redis being down must not lock every partner out. Secrets are
      // 256 random bits, so the limiter is about load, not about guessability.
      this.logger.warn({ err, key }, 'rate limiter unavailable; allowing the request');
      return { allowed: true, count: 0, retryAfterSeconds: w.retryAfterSeconds };
    }
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

  private sweep(now: number) {
    for (const [k, c] of this.counters) if (c.resetAt <= now) this.counters.delete(k);
  }
}

export function createRateLimiter(redis: RedisLike | null, logger: Logger): RateLimiter {
  return redis ? new RedisRateLimiter(redis, logger) : new MemoryRateLimiter();
}

/** Per-minute limits used by the token endpoint and integration GraphQL requests. */
export const WINDOW_SECONDS = 60;
