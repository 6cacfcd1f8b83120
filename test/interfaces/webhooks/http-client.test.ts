import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { createWebhookHttpClient, parseRetryAfter } from '../../../src/interfaces/webhooks/http-client.js';
import { judge } from '../../../src/interfaces/webhooks/delivery.js';
import { urlProblem } from '../../../src/interfaces/webhooks/network-policy.js';
import { delayBefore } from '../../../src/interfaces/webhooks/retry-schedule.js';

/** The network policy where it matters most: at connect time, on the resolved address (a name can point anywhere). */

const server = createServer((_req, res) => res.writeHead(200).end('hello'));
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const port = (server.address() as AddressInfo).port;
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('webhook HTTP client', () => {
  it('a host name that resolves to loopback is refused at connect time unless loopback is allowed (terminal, never retried)', async () => {
    const strict = createWebhookHttpClient({ connectTimeoutMs: 1000, totalTimeoutMs: 2000, allowedNetworks: [] });
    // The URL check refuses localhost names too, but the guard stands on its own: any name can resolve to loopback
    // (and an endpoint saved while loopback was allowed outlives a config change).
    expect(urlProblem(`https://localhost:${port}/`, [])).toContain('this server itself');
    const refused = await strict.post(`http://localhost:${port}/`, {}, '{}');
    expect(refused).toMatchObject({ statusCode: null, errorClass: 'address_refused' });
    expect(judge(refused).outcome).toBe('TERMINAL');
    const literal = await strict.post(`http://127.0.0.1:${port}/`, {}, '{}');
    expect(literal.errorClass).toBe('address_refused');
    const metadata = await strict.post('http://169.254.169.254/latest/meta-data', {}, '{}');
    expect(metadata.errorClass).toBe('address_refused');
    // The same hosts written as IPv6 that carries them (IPv4-compatible, NAT64): refused before any connect.
    for (const host of ['[::169.254.169.254]', '[::127.0.0.1]', '[::10.0.0.1]', '[64:ff9b::127.0.0.1]']) {
      expect((await strict.post(`http://${host}:${port}/`, {}, '{}')).errorClass, host).toBe('address_refused');
    }
    await strict.close();

    const open = createWebhookHttpClient({ connectTimeoutMs: 1000, totalTimeoutMs: 2000, allowedNetworks: ['loopback'] });
    expect(await open.post(`http://localhost:${port}/`, {}, '{}')).toMatchObject({ statusCode: 200, excerpt: 'hello', errorClass: null });
    // Link-local stays refused whatever is allowed.
    expect((await open.post('http://169.254.169.254/', {}, '{}')).errorClass).toBe('address_refused');
    await open.close();
  });

  it('503 with Retry-After as an HTTP date is honoured; the schedule caps it at a day', () => {
    const inTwoMinutes = new Date(Date.now() + 120_000).toUTCString();
    const ms = parseRetryAfter(inTwoMinutes)!;
    expect(ms).toBeGreaterThan(115_000);
    expect(judge({ durationMs: 1, statusCode: 503, excerpt: null, retryAfterMs: ms, errorClass: null, error: null }).outcome).toBe('RETRYABLE');
    expect(delayBefore([0, 5000], 2, ms, () => 0.5)).toBe(ms);
    expect(delayBefore([0, 5000], 2, 7 * 86_400_000, () => 0.5)).toBe(86_400_000);
    expect(delayBefore([0, 5000], 3, null)).toBeNull();
  });
});
