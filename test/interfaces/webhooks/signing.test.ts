import { describe, expect, it } from 'vitest';
import { newWebhookSecret, signWebhook, verifyWebhook } from '../../../src/interfaces/webhooks/signing.js';

// The Standard Webhooks specification's own example.
const SPEC = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

describe('Standard Webhooks signing', () => {
  it('matches the specification’s example', () => {
    const h = signWebhook([SPEC.secret], SPEC);
    expect(h).toEqual({ 'webhook-id': SPEC.id, 'webhook-timestamp': String(SPEC.timestamp), 'webhook-signature': SPEC.signature });
    expect(verifyWebhook(SPEC.secret, h, SPEC.body, { now: SPEC.timestamp * 1000 })).toEqual({ ok: true });
  });

  it('during a rotation both secrets sign, and a receiver with either verifies', () => {
    const [old, next] = [newWebhookSecret(), newWebhookSecret()];
    const msg = { id: 'msg_1', timestamp: Math.floor(Date.now() / 1000), body: '{"type":"rsvp.submitted"}' };
    const h = signWebhook([old, next], msg);
    expect(h['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(verifyWebhook(old, h, msg.body)).toEqual({ ok: true });
    expect(verifyWebhook(next, h, msg.body)).toEqual({ ok: true });
    expect(verifyWebhook(newWebhookSecret(), h, msg.body)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a changed body, a stale timestamp and missing headers', () => {
    const secret = newWebhookSecret();
    const msg = { id: 'msg_2', timestamp: Math.floor(Date.now() / 1000), body: '{"a":1}' };
    const h = signWebhook([secret], msg);
    expect(verifyWebhook(secret, h, '{"a":2}')).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyWebhook(secret, h, msg.body, { now: (msg.timestamp + 301) * 1000 })).toEqual({ ok: false, reason: 'stale_timestamp' });
    expect(verifyWebhook(secret, { ...h, 'webhook-id': undefined }, msg.body)).toEqual({ ok: false, reason: 'missing_headers' });
  });
});
