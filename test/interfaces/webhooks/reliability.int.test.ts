import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordBusinessEvents } from '../../../src/platform/outbox.js';
import { rsvpUpdated } from '../../../src/modules/rsvp/rsvp.business-events.js';
import { verifyWebhook } from '../../../src/interfaces/webhooks/signing.js';
import { usePglite } from '../../support/env.js';
import { workerFleet } from '../../support/worker-fleet.js';
import { rawId } from '../../support/rows.js';
import { catererSetup, createCateringEndpoint, type Receiver, submitDinner } from '../../support/webhooks.js';

/**
 * Real worker processes (src/bin/worker.ts) on BullMQ with a Redis of their
 * own, delivering to a real receiver on 127.0.0.1, while the test kills a
 * worker with SIGKILL or restarts Redis mid-run. PostgreSQL is the source of
 * truth: every event arrives, and an event arrives twice only as a retry of
 * the same delivery (same webhook-id, counted in its attempts).
 */

const EVENTS = 1000;

describe.skipIf(usePglite())('webhook delivery survives crashes (PostgreSQL + Redis + worker processes)', () => {
  const fleet = workerFleet('rel', {
    WEBHOOK_TIMEOUT_MS: '1000',
    WEBHOOK_SWEEP_INTERVAL_MS: '500',
    WEBHOOK_RELAY_POLL_MS: '50',
    WEBHOOK_RETRY_SCHEDULE: '0,200ms,500ms,1s,2s,2s,2s,2s,2s,2s',
  });
  const { workers } = fleet;
  const worker = () => fleet.worker();
  let s: Awaited<ReturnType<typeof fleet.start>>['s'];
  let receiver: Receiver;
  let redis: Awaited<ReturnType<typeof fleet.start>>['redis'];
  beforeAll(async () => void ({ s, receiver, redis } = await fleet.start()));
  afterAll(() => fleet.stop());

  /** A caterer's endpoint at `path` and a way to commit `n` rsvp.updated events for it, in transactions of 100. */
  async function scenario(path: string) {
    const c = await catererSetup(s);
    const ep = await createCateringEndpoint(s, c, receiver.url(path));
    await submitDinner(s, c, 0);
    const response = await s.app.db.prisma.rsvpResponse.findFirstOrThrow({ where: { eventId: rawId(c.w.eventIds[0]!), status: 'ATTENDING' } });
    const commit = async (n: number) => {
      const item = {
        occasionId: rawId(c.w.occasionId),
        eventId: response.eventId,
        payload: {
          occasionId: rawId(c.w.occasionId),
          eventId: response.eventId,
          invitationId: response.invitationId,
          responseId: response.id,
          status: 'ATTENDING' as const,
          previousStatus: 'DECLINED' as const,
          headcount: 2,
        },
      };
      for (let done = 0; done < n; done += 100) {
        await s.app.db.prisma.$transaction((tx) =>
          recordBusinessEvents(
            tx,
            { principal: { kind: 'system', reason: 'test', actions: [] }, requestId: 'reliability' },
            rsvpUpdated,
            Array(Math.min(100, n - done)).fill(item),
          ),
        );
      }
    };
    return { c, ep, commit };
  }

  async function untilDistinct(path: string, n: number, timeoutMs: number) {
    const until = Date.now() + timeoutMs;
    while (new Set(receiver.at(path).map((r) => r.headers['webhook-id'])).size < n) {
      if (Date.now() > until) throw new Error(`only ${new Set(receiver.at(path).map((r) => r.headers['webhook-id'])).size} of ${n} arrived`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Every event of the endpoint arrived, signed; duplicates are retries of the same delivery. */
  async function expectAllDelivered(path: string, endpointId: string, secret: string, expected: number) {
    const got = receiver.at(path);
    const byId = new Map<string, number>();
    for (const g of got) {
      expect(verifyWebhook(secret, g.headers as Record<string, string>, g.body)).toEqual({ ok: true });
      const id = g.headers['webhook-id'] as string;
      byId.set(id, (byId.get(id) ?? 0) + 1);
    }
    // The receiver has answered before the worker records the success: give the last ones a moment to be written.
    for (let i = 0; i < 100; i++) {
      if (!(await s.app.db.prisma.webhookDelivery.count({ where: { endpointId, status: { not: 'SUCCEEDED' } } }))) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const deliveries = await s.app.db.prisma.webhookDelivery.findMany({
      where: { endpointId },
      select: { outboxEventId: true, status: true, attemptCount: true },
    });
    expect(deliveries).toHaveLength(expected);
    expect(deliveries.every((d) => d.status === 'SUCCEEDED')).toBe(true);
    expect(new Set(byId.keys())).toEqual(new Set(deliveries.map((d) => d.outboxEventId)));
    // Received more than once ⇒ attempted more than once (a retry after a worker died mid-request).
    for (const d of deliveries) expect(byId.get(d.outboxEventId)!).toBeLessThanOrEqual(d.attemptCount);
    return { received: got.length, duplicates: got.length - byId.size };
  }

  it(`${EVENTS} events, one of two workers killed with SIGKILL mid-run and another started: every delivery arrives`, async () => {
    const { ep, commit } = await scenario('/kill');
    await Promise.all([worker(), worker()]);
    await commit(EVENTS);
    await untilDistinct('/kill', 300, 60_000);
    await workers[0]!.kill();
    await worker();
    await untilDistinct('/kill', EVENTS + 1, 120_000);
    const r = await expectAllDelivered('/kill', ep.endpointId, ep.secret, EVENTS + 1);
    console.info(`SIGKILL run: ${r.received} requests for ${EVENTS + 1} events (${r.duplicates} retried after the kill)`);
  }, 240_000);

  it('Redis restarted (its queues lost) during delivery: the sweeper re-enqueues from PostgreSQL, nothing is lost', async () => {
    const { ep, commit } = await scenario('/redis');
    receiver.on('/redis', (res) => setTimeout(() => res.writeHead(200).end(), 5));
    await commit(EVENTS);
    await untilDistinct('/redis', 200, 60_000);
    await redis.restart();
    await untilDistinct('/redis', EVENTS + 1, 120_000);
    const r = await expectAllDelivered('/redis', ep.endpointId, ep.secret, EVENTS + 1);
    console.info(`Redis restart run: ${r.received} requests for ${EVENTS + 1} events (${r.duplicates} duplicates)`);
  }, 240_000);
});
