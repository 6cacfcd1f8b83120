import { createHmac, timingSafeEqual } from 'node:crypto';
import type { MessagingEnv } from './messaging-env.js';

/** How long the links in a message keep working: long enough for a guest who reads mail late, not forever. */
const LINK_TTL_SECONDS = 180 * 24 * 3600;

/**
 * Unsubscribe and preferences links carry a signed, expiring token naming the
 * delivery they came with (RFC 8058 wants the one-click URL to identify the
 * recipient and list without any other input). Signed with a key derived from
 * the app key, so the token needs no row of its own and cannot be forged or
 * moved to another message.
 */
export interface MessageLinks {
  unsubscribeUrl: string;
  preferencesUrl: string;
  /** The List-Unsubscribe target: POST List-Unsubscribe=One-Click to it unsubscribes at once. */
  oneClickUrl: string;
}

function signingKey(appKey: Buffer): Buffer {
  return createHmac('sha256', appKey).update('tovplus:communications:links:v1').digest();
}

function sign(appKey: Buffer, body: string): string {
  return createHmac('sha256', signingKey(appKey)).update(body).digest('base64url');
}

/** Expiry counts from when the message was queued, so every attempt at it carries the same links. */
export function linkToken(appKey: Buffer, deliveryId: string, queuedAt: Date): string {
  const body = `${deliveryId}.${Math.floor(queuedAt.getTime() / 1000) + LINK_TTL_SECONDS}`;
  return `${body}.${sign(appKey, body)}`;
}

export type LinkTokenProblem = 'invalid' | 'expired';

/** The delivery a token names, or why it names none. */
export function verifyLinkToken(appKey: Buffer, token: string, now = Date.now()): { deliveryId: string } | LinkTokenProblem {
  const m = /^([0-9a-f-]{36})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return 'invalid';
  const expected = Buffer.from(sign(appKey, `${m[1]}.${m[2]}`));
  const given = Buffer.from(m[3]!);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'invalid';
  if (Number(m[2]) * 1000 < now) return 'expired';
  return { deliveryId: m[1]! };
}

/** The links a message carries (a transactional one shows the preferences link only, and has no List-Unsubscribe). */
export function unsubscribeLinks(env: MessagingEnv, d: { id: string; queuedAt: Date }): MessageLinks {
  const t = linkToken(env.appKey, d.id, d.queuedAt);
  return {
    unsubscribeUrl: `${env.publicUrl}/communications/unsubscribe?t=${t}`,
    preferencesUrl: `${env.publicUrl}/communications/preferences?t=${t}`,
    oneClickUrl: `${env.publicUrl}/communications/unsubscribe?t=${t}&one-click=1`,
  };
}
