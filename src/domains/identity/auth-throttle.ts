import type { RateLimiter } from '../../platform/rate-limit.js';
import { sha256 } from '../../platform/crypto.js';
import { RateLimitedError } from '../../platform/errors.js';

/** The mutations guarded against guessing: each has its own counters, so refreshing from a busy office does not use up sign-in attempts. */
export type AuthAttempt = 'signIn' | 'signUp' | 'refreshSession' | 'acceptCollaboratorInvitation';
export const AUTH_ATTEMPTS: readonly AuthAttempt[] = ['signIn', 'signUp', 'refreshSession', 'acceptCollaboratorInvitation'];

export interface AuthLimits {
  AUTH_RATE_LIMIT_PER_ACCOUNT: number;
  AUTH_REFRESH_RATE_LIMIT_PER_ACCOUNT: number;
  AUTH_RATE_LIMIT_PER_ADDRESS: number;
  AUTH_RATE_LIMIT_WINDOW_SECONDS: number;
}

/**
 * Counts sign-in style attempts per account and per client address. Every
 * attempt counts — each alias of a request on its own, a right password as
 * much as a wrong one — so guessing cannot hide among aliases, and an account
 * under attack stays closed for the window even to the right password.
 */
export class AuthThrottle {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly limits: AuthLimits,
  ) {}

  /**
   * Counts one attempt against the address and/or the account given; a
   * RateLimitedError when either is over its limit. (refreshSession learns
   * its account only from the token, so it counts the two separately.)
   */
  async attempt(kind: AuthAttempt, who: { address?: string; account?: string }): Promise<RateLimitedError | null> {
    const w = this.limits.AUTH_RATE_LIMIT_WINDOW_SECONDS;
    const checks = [];
    if (who.address !== undefined) checks.push(this.limiter.hit(addressKey(kind, who.address), this.limits.AUTH_RATE_LIMIT_PER_ADDRESS, w));
    // Hashed into the key: the limiter's store is no list of who tried to sign in.
    if (who.account !== undefined) {
      const max = kind === 'refreshSession' ? this.limits.AUTH_REFRESH_RATE_LIMIT_PER_ACCOUNT : this.limits.AUTH_RATE_LIMIT_PER_ACCOUNT;
      checks.push(this.limiter.hit(`auth:${kind}:acct:${sha256(who.account).slice(0, 32)}`, max, w));
    }
    const refused = (await Promise.all(checks)).filter((d) => !d.allowed);
    if (!refused.length) return null;
    return new RateLimitedError(Math.max(...refused.map((d) => d.retryAfterSeconds)));
  }

  /** Seconds to wait when the address is already over its limit for any of these mutations (nothing is counted), else null. */
  async addressRefused(kinds: Iterable<AuthAttempt>, address: string): Promise<number | null> {
    const w = this.limits.AUTH_RATE_LIMIT_WINDOW_SECONDS;
    const decisions = await Promise.all(
      [...new Set(kinds)].map((k) => this.limiter.peek(addressKey(k, address), this.limits.AUTH_RATE_LIMIT_PER_ADDRESS, w)),
    );
    const refused = decisions.filter((d) => !d.allowed);
    return refused.length ? Math.max(...refused.map((d) => d.retryAfterSeconds)) : null;
  }
}

const addressKey = (kind: AuthAttempt, address: string) => `auth:${kind}:addr:${address}`;

/** The throttle for a request's app (counters live in its rate limiter, so creating one per call is free). */
export const authThrottle = (ctx: { app: { rateLimiter: RateLimiter; config: AuthLimits } }) => new AuthThrottle(ctx.app.rateLimiter, ctx.app.config);
