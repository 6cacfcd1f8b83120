import { afterAll, describe, expect, it } from 'vitest';
import { startServer, testSchema } from '../../support/harness.js';
import { rawId } from '../../support/rows.js';
import { verifyWebhook } from '../../../src/interfaces/webhooks/signing.js';
import { startWebhookWorker } from '../../../src/interfaces/webhooks/worker-runtime.js';
import { catererSetup, createCateringEndpoint, respond, settler, startReceiver, submitDinner } from '../../support/webhooks.js';

/**
 * The whole outbound path on real parts: a guest's RSVP commits with its
 * outbox row, the relay fans it out, the in-process dispatcher (the embedded
 * default's; BullMQ is covered in the reliability suite) sends it to a real
 * HTTP receiver on 127.0.0.1, signed, rendered as the caterer.
 */

const s = await startServer(
  {
    WEBHOOK_ALLOWED_NETWORKS: ['loopback'],
    WEBHOOK_RETRY_SCHEDULE: [0, 150, 300],
    WEBHOOK_TIMEOUT_MS: 600,
    WEBHOOK_SWEEP_INTERVAL_MS: 3_600_000,
    WEBHOOK_RELAY_POLL_MS: 60_000,
  },
  // Its worker relays every outbox row it finds: a database of its own keeps other suites' events out.
  { ownDatabase: true },
);
const receiver = await startReceiver();
// No background loops: each test relays and delivers when it says so (settle), so counts and timings are its own.
const worker = startWebhookWorker(s.app, { redisUrl: null, relay: false, schema: testSchema() });
afterAll(() => worker.stop());

const settle = settler(worker);

const deliveriesOf = (endpointId: string) =>
  s.app.db.prisma.webhookDelivery.findMany({ where: { endpointId }, include: { attempts: { orderBy: { number: 'asc' } } }, orderBy: { id: 'asc' } });

describe('outbound webhooks, end to end', () => {
  it('a guest’s RSVP reaches the caterer signed, with a thin envelope and its catering summary, never a name', async () => {
    const c = await catererSetup(s);
    const ep = await createCateringEndpoint(s, c, receiver.url('/e2e'));
    // Rendered at delivery time: each settles before the next answer, so each summary shows its own moment.
    await submitDinner(s, c, 0);
    await settle();
    await submitDinner(s, c, 1);
    await settle();
    const got = receiver.at('/e2e');
    expect(got).toHaveLength(2);
    const bodies = got.map((g) => {
      expect(verifyWebhook(ep.secret, g.headers as Record<string, string>, g.body)).toEqual({ ok: true });
      return JSON.parse(g.body);
    });
    for (const [i, b] of bodies.entries()) {
      expect(b).toMatchObject({ type: 'rsvp.submitted', occasionId: c.w.occasionId, eventId: c.w.eventIds[0] });
      expect(got[i]!.headers['webhook-id']).toBe(b.id);
      expect(b.data.event.cateringSummary.headcount).toBe(i === 0 ? 2 : 3);
    }
    // The per-occasion sequence counts every event of the occasion in publication order: increasing, never repeated.
    expect(bodies[1].sequence).toBeGreaterThan(bodies[0].sequence);
    expect(JSON.stringify(bodies)).not.toMatch(/Guest|Household|@example\.com/);
    const rows = await deliveriesOf(ep.endpointId);
    expect(rows.map((r) => [r.status, r.attemptCount, r.attempts[0]!.statusCode, r.attempts[0]!.outcome])).toEqual([
      ['SUCCEEDED', 1, 200, 'SUCCEEDED'],
      ['SUCCEEDED', 1, 200, 'SUCCEEDED'],
    ]);
  });

  it('events the endpoint does not want are not delivered: other types, other events, other occasions', async () => {
    const c = await catererSetup(s);
    const ep = await createCateringEndpoint(s, c, receiver.url('/filtered'), { eventTypes: ['rsvp.updated'] });
    const other = await catererSetup(s);
    await submitDinner(s, c, 0); // rsvp.submitted: not subscribed
    await submitDinner(s, other, 0); // another occasion
    await settle();
    expect(receiver.at('/filtered')).toHaveLength(0);
    await submitDinner(s, c, 0, 'DECLINED'); // rsvp.updated
    await settle();
    expect(receiver.at('/filtered').map((r) => JSON.parse(r.body).type)).toEqual(['rsvp.updated']);
    expect(await deliveriesOf(ep.endpointId)).toHaveLength(1);
  });

  it('a grant revoked between the event and its delivery: the payload shrinks to what is still allowed', async () => {
    const c = await catererSetup(s);
    await createCateringEndpoint(s, c, receiver.url('/shrink'));
    await submitDinner(s, c, 0);
    // event:read goes before the relay and the worker run; rsvp:read_catering stays.
    await s.app.db.prisma.grant.updateMany({
      where: { subjectIntegrationId: c.caterer.integrationId, actions: { has: 'event:read' } },
      data: { revokedAt: new Date() },
    });
    await settle();
    const [got] = receiver.at('/shrink');
    const body = JSON.parse(got!.body);
    expect(body.type).toBe('rsvp.submitted');
    // The document's root field needs event:read: its data is gone, and the error says which path was withheld.
    expect(body.data).toBeNull();
    expect(body.errors).toEqual([expect.objectContaining({ path: ['event'], code: 'FORBIDDEN' })]);
  });

  it('an integration that may no longer hear of the event at all gets nothing: the delivery is cancelled', async () => {
    const c = await catererSetup(s);
    const ep = await createCateringEndpoint(s, c, receiver.url('/revoked'));
    await submitDinner(s, c, 0);
    await settle();
    expect(receiver.at('/revoked')).toHaveLength(1);
    // Fanned out while allowed; by the time it is sent (again: a redelivery), every grant is gone.
    await s.app.db.prisma.grant.updateMany({ where: { subjectIntegrationId: c.caterer.integrationId }, data: { revokedAt: new Date() } });
    const [d] = await deliveriesOf(ep.endpointId);
    await s.app.db.prisma.webhookDelivery.update({ where: { id: d!.id }, data: { status: 'PENDING', nextAttemptAt: new Date() } });
    await worker.dispatcher.enqueue([{ id: d!.id, runAt: new Date() }]);
    await settle();
    expect((await deliveriesOf(ep.endpointId))[0]).toMatchObject({ status: 'CANCELLED', lastError: 'not_permitted' });
    expect(receiver.at('/revoked')).toHaveLength(1);
    // And new events are not even fanned out to it.
    await submitDinner(s, c, 1);
    await settle();
    expect(await deliveriesOf(ep.endpointId)).toHaveLength(1);
  });
});

describe('receivers that misbehave', () => {
  it('500 is retried on the schedule with the same webhook-id until it succeeds; every attempt is recorded', async () => {
    const c = await catererSetup(s);
    receiver.on('/flaky', respond.failFirst(2, 500));
    const ep = await createCateringEndpoint(s, c, receiver.url('/flaky'));
    await submitDinner(s, c, 0);
    await settle.until(async () => (await deliveriesOf(ep.endpointId))[0]?.status === 'SUCCEEDED');
    const got = receiver.at('/flaky');
    expect(got).toHaveLength(3);
    expect(new Set(got.map((g) => g.headers['webhook-id'])).size).toBe(1);
    // The schedule's delays (150 ms, 300 ms, ±10%) separate the attempts.
    expect(got[1]!.at - got[0]!.at).toBeGreaterThanOrEqual(130);
    const [d] = await deliveriesOf(ep.endpointId);
    expect(d!.status).toBe('SUCCEEDED');
    expect(d!.attempts.map((a) => [a.number, a.statusCode, a.outcome, a.errorClass])).toEqual([
      [1, 500, 'RETRYABLE', 'http_500'],
      [2, 500, 'RETRYABLE', 'http_500'],
      [3, 204, 'SUCCEEDED', null],
    ]);
    expect(d!.attempts[0]!.responseExcerpt).toBe('not yet');
  });

  it('failing every attempt: the delivery is marked failed and webhook_delivery.exhausted recorded', async () => {
    const c = await catererSetup(s);
    receiver.on('/down', respond.status(500));
    const ep = await createCateringEndpoint(s, c, receiver.url('/down'));
    await submitDinner(s, c, 0);
    await settle.until(async () => (await deliveriesOf(ep.endpointId))[0]?.status === 'FAILED');
    const [d] = await deliveriesOf(ep.endpointId);
    expect(d).toMatchObject({ status: 'FAILED', attemptCount: 3, lastError: 'HTTP 500.' });
    const events = await s.app.db.prisma.outboxEvent.findMany({ where: { type: 'webhook_delivery.exhausted', occasionId: rawId(c.w.occasionId) } });
    expect(events.map((e) => e.payload)).toEqual([expect.objectContaining({ deliveryId: d!.id, attempts: 3 })]);
    const endpoint = await s.app.db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: ep.endpointId } });
    expect(endpoint.failingSince).not.toBeNull();
    expect(endpoint.status).toBe('ACTIVE');
  });

  it('410 Gone disables the endpoint at once (kept, with webhook_endpoint.disabled); later deliveries are cancelled', async () => {
    const c = await catererSetup(s);
    receiver.on('/gone', respond.status(410));
    const ep = await createCateringEndpoint(s, c, receiver.url('/gone'));
    await submitDinner(s, c, 0);
    await settle();
    const endpoint = await s.app.db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: ep.endpointId } });
    expect(endpoint).toMatchObject({ status: 'DISABLED', disabledReason: 'gone' });
    const [d] = await deliveriesOf(ep.endpointId);
    expect(d).toMatchObject({ status: 'FAILED', attemptCount: 1 });
    expect(d!.attempts[0]).toMatchObject({ outcome: 'TERMINAL', errorClass: 'http_410' });
    const disabled = await s.app.db.prisma.outboxEvent.findMany({ where: { type: 'webhook_endpoint.disabled', occasionId: rawId(c.w.occasionId) } });
    expect(disabled.map((e) => (e.payload as { reason: string }).reason)).toEqual(['gone']);
    await submitDinner(s, c, 1);
    await settle();
    expect(receiver.at('/gone')).toHaveLength(1);
  });

  it('429 with Retry-After: the next attempt waits at least that long', async () => {
    const c = await catererSetup(s);
    receiver.on('/slow-down', (res, n) => (n === 1 ? res.writeHead(429, { 'retry-after': '1' }).end() : res.writeHead(200).end()));
    const ep = await createCateringEndpoint(s, c, receiver.url('/slow-down'));
    await submitDinner(s, c, 0);
    await settle();
    const [d] = await deliveriesOf(ep.endpointId);
    expect(d!.status).toBe('PENDING');
    // The schedule says 150 ms; the receiver asked for 1 s.
    expect(d!.nextAttemptAt!.getTime() - d!.attempts[0]!.startedAt.getTime()).toBeGreaterThanOrEqual(1000);
    await settle.until(async () => (await deliveriesOf(ep.endpointId))[0]?.status === 'SUCCEEDED');
    expect(receiver.at('/slow-down')).toHaveLength(2);
    expect((await deliveriesOf(ep.endpointId))[0]!.status).toBe('SUCCEEDED');
  });

  it('a redirect is not followed, and a receiver that never answers times out; both are retried', async () => {
    const c = await catererSetup(s);
    receiver.on('/moved', respond.status(302, { location: receiver.url('/elsewhere') }));
    receiver.on('/hang', respond.hang());
    const moved = await createCateringEndpoint(s, c, receiver.url('/moved'));
    const hang = await createCateringEndpoint(s, c, receiver.url('/hang'));
    await submitDinner(s, c, 0);
    await settle();
    expect(receiver.at('/elsewhere')).toHaveLength(0);
    const [m] = await deliveriesOf(moved.endpointId);
    expect(m!.attempts[0]).toMatchObject({ statusCode: 302, outcome: 'RETRYABLE', errorClass: 'redirect' });
    const [h] = await deliveriesOf(hang.endpointId);
    // errorClass 'timeout' is the client's total timeout firing (a hang is never answered). Its duration is not
    // asserted: undici's header/body timers tick coarsely (measured 528–539 ms for a 600 ms timeout under load).
    expect(h!.attempts[0]).toMatchObject({ statusCode: null, outcome: 'RETRYABLE', errorClass: 'timeout' });
  });

  it('continuous failure for the disable window (5 days) disables the endpoint', async () => {
    const c = await catererSetup(s);
    receiver.on('/long-outage', respond.status(503));
    const ep = await createCateringEndpoint(s, c, receiver.url('/long-outage'));
    await s.app.db.prisma.webhookEndpoint.update({ where: { id: ep.endpointId }, data: { failingSince: new Date(Date.now() - 121 * 3_600_000) } });
    await submitDinner(s, c, 0);
    await settle();
    const endpoint = await s.app.db.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: ep.endpointId } });
    expect(endpoint).toMatchObject({ status: 'DISABLED', disabledReason: 'failing' });
  });
});

describe('cost', () => {
  it('each delivery costs the same few SQL statements: no N+1 over events', async () => {
    const c = await catererSetup(s);
    const ep = await createCateringEndpoint(s, c, receiver.url('/cost'), { documentId: null });
    // Retries of the misbehaving receivers above would be counted too: settle them out of the way first.
    await s.app.db.prisma.webhookDelivery.updateMany({
      where: { endpointId: { not: ep.endpointId }, status: { in: ['PENDING', 'DELIVERING'] } },
      data: { status: 'CANCELLED' },
    });
    let flip = false;
    /** n answers that each change (one event each), then relay and deliver them all; statements spent. */
    const measure = async (n: number) => {
      for (let i = 0; i < n; i++) {
        flip = !flip;
        await submitDinner(s, c, 0, flip ? 'DECLINED' : 'ATTENDING');
      }
      const before = s.app.db.statements.count;
      await settle();
      return s.app.db.statements.count - before;
    };
    const two = await measure(2);
    const six = await measure(6);
    expect(receiver.at('/cost')).toHaveLength(8);
    const perDelivery = (six - two) / 4;
    console.info(`statements: 2 deliveries → ${two}, 6 → ${six} (${perDelivery} per delivery)`);
    // Claim, load, the integration’s grants (and the event’s module enablement), one statement for the result; the relay’s share is per batch.
    expect(perDelivery).toBeLessThanOrEqual(5);
  });
});
