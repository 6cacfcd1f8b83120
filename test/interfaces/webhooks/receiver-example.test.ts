import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createReceiver, type TovplusWebhook } from '../../../docs/webhooks/receiver-example.js';
import { newWebhookSecret, signWebhook } from '../../../src/interfaces/webhooks/signing.js';

/** The receiver example partners copy really verifies what the worker signs, and refuses the rest. */

const secret = newWebhookSecret();
const got: TovplusWebhook[] = [];
const server = createReceiver(secret, (e) => got.push(e));
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const body = JSON.stringify({
  type: 'rsvp.submitted',
  id: 'evt_1',
  occurredAt: new Date().toISOString(),
  occasionId: 'o',
  eventId: 'e',
  sequence: 7,
});
const post = (headers: Record<string, string>, b = body) => fetch(url, { method: 'POST', headers, body: b }).then((r) => r.status);
const now = () => Math.floor(Date.now() / 1000);

describe('docs/webhooks/receiver-example.ts', () => {
  it('accepts a signed message once (by webhook-id), also when signed with old and new secret during a rotation', async () => {
    const headers = signWebhook([newWebhookSecret(), secret], { id: 'evt_1', timestamp: now(), body });
    expect(await post(headers)).toBe(204);
    expect(await post(headers)).toBe(204);
    expect(got.map((e) => e.sequence)).toEqual([7]);
  });

  it('refuses a tampered body, another secret, a stale timestamp and missing headers', async () => {
    const ok = signWebhook([secret], { id: 'evt_2', timestamp: now(), body });
    expect(await post(ok, body.replace('7', '8'))).toBe(401);
    expect(await post(signWebhook([newWebhookSecret()], { id: 'evt_2', timestamp: now(), body }))).toBe(401);
    expect(await post(signWebhook([secret], { id: 'evt_2', timestamp: now() - 301, body }))).toBe(401);
    expect(await post({})).toBe(401);
    expect(got.map((e) => e.id)).toEqual(['evt_1']);
  });
});
