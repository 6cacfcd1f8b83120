import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/*
 * Standard Webhooks signatures (the scheme Svix and others use): the signed
 * content is `${id}.${timestamp}.${body}`, HMAC-SHA256 with the endpoint
 * secret (`whsec_` + base64), sent as `webhook-signature: v1,<base64>`.
 * During a secret rotation both secrets sign, space-separated, so receivers
 * holding either one verify. Receivers: see verifyWebhook below (the same code
 * is the verification example for partners).
 */

export const SECRET_PREFIX = 'whsec_';

export function newWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(24).toString('base64');
}

function keyOf(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error('A webhook secret starts with whsec_.');
  return Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
}

function signOne(secret: string, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', keyOf(secret)).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/** The three headers of one delivery attempt; `id` stays the same on every retry and replay. */
export function signWebhook(secrets: string[], msg: { id: string; timestamp: number; body: string }): Record<string, string> {
  if (!secrets.length) throw new Error('No signing secret.');
  return {
    'webhook-id': msg.id,
    'webhook-timestamp': String(msg.timestamp),
    'webhook-signature': secrets.map((s) => signOne(s, msg.id, msg.timestamp, msg.body)).join(' '),
  };
}

export type WebhookVerification = { ok: true } | { ok: false; reason: 'missing_headers' | 'stale_timestamp' | 'bad_signature' };

/**
 * Verifies a received webhook over the raw body: headers present, timestamp
 * within `toleranceSeconds` of now (replays of old messages fail), and one
 * `v1` signature matching in constant time.
 */
export function verifyWebhook(
  secret: string,
  headers: Record<string, string | undefined>,
  rawBody: string,
  { toleranceSeconds = 300, now = Date.now() }: { toleranceSeconds?: number; now?: number } = {},
): WebhookVerification {
  const id = headers['webhook-id'];
  const ts = headers['webhook-timestamp'];
  const sigs = headers['webhook-signature'];
  if (!id || !ts || !sigs || !/^\d+$/.test(ts)) return { ok: false, reason: 'missing_headers' };
  if (Math.abs(now / 1000 - Number(ts)) > toleranceSeconds) return { ok: false, reason: 'stale_timestamp' };
  const expected = Buffer.from(signOne(secret, id, Number(ts), rawBody));
  const match = sigs.split(' ').some((s) => {
    const got = Buffer.from(s);
    return got.length === expected.length && timingSafeEqual(got, expected);
  });
  return match ? { ok: true } : { ok: false, reason: 'bad_signature' };
}
