/*
 * When the next attempt happens. The schedule (config WEBHOOK_RETRY_SCHEDULE)
 * lists the delay before each attempt: attempt 1 after schedule[0] (usually
 * immediately), attempt n after schedule[n-1]. Jitter (±10%) keeps a
 * receiver that came back from being hit by every retry at the same instant.
 * A Retry-After from the receiver (429, 503) is honoured when it asks for
 * longer, up to a day.
 */

export const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

export function withJitter(ms: number, random = Math.random): number {
  return Math.round(ms * (0.9 + 0.2 * random()));
}

/** The delay before attempt number `attemptNumber` (1-based), or null when the schedule has no such attempt. */
export function delayBefore(
  schedule: readonly number[],
  attemptNumber: number,
  retryAfterMs: number | null = null,
  random = Math.random,
): number | null {
  const base = schedule[attemptNumber - 1];
  if (base === undefined) return null;
  const jittered = withJitter(base, random);
  return retryAfterMs === null ? jittered : Math.max(jittered, Math.min(retryAfterMs, MAX_RETRY_AFTER_MS));
}
