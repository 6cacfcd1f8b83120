import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordBusinessEvents } from '../../../src/platform/outbox.js';
import { rsvpUpdated } from '../../../src/modules/rsvp/rsvp.business-events.js';
import { usePglite } from '../../support/env.js';
import { workerFleet } from '../../support/worker-fleet.js';
import { rawId } from '../../support/rows.js';
import { catererSetup, createCateringEndpoint, type Receiver, submitDinner } from '../../support/webhooks.js';

/**
 * A worker killed with SIGKILL in the middle of its attempts: the deliveries
 * it had claimed (and the BullMQ jobs it had fetched) go to another worker as
 * soon as its lease (WEBHOOK_LEASE_MS, default) lapses and BullMQ's stalled-job
 * check puts the jobs back, not after a sweep: the sweeper is an hour away here,
 * so those two mechanisms are the only way back. Real worker processes, Redis
 * and receiver; how long it took is printed, next to the bound the config sets.
 */

const EVENTS = 20;
const CONCURRENCY = 5;

describe.skipIf(usePglite())('a killed worker’s deliveries are taken over after its lease (PostgreSQL + Redis + worker processes)', () => {
  const fleet = workerFleet('crash', {
    WEBHOOK_CONCURRENCY: String(CONCURRENCY),
    // Only the lease and BullMQ's stalled check may bring the killed worker's deliveries back.
    WEBHOOK_SWEEP_INTERVAL_MS: '3600000',
  });
  const worker = () => fleet.worker();
  let s: Awaited<ReturnType<typeof fleet.start>>['s'];
  let receiver: Receiver;
  beforeAll(async () => void ({ s, receiver } = await fleet.start()));
  afterAll(() => fleet.stop());

  it(`the ${CONCURRENCY} deliveries a SIGKILLed worker was sending are sent again by another, each as a second attempt`, async () => {
    const c = await catererSetup(s);
    const ep = await createCateringEndpoint(s, c, receiver.url('/crash'));
    // The receiver never answers the first worker's first requests: its attempts are claimed and in flight when it dies.
    const held: ServerResponse[] = [];
    receiver.on('/crash', (res) => (held.length < CONCURRENCY ? held.push(res) : res.writeHead(200).end()));
    await submitDinner(s, c, 0);
    const response = await s.app.db.prisma.rsvpResponse.findFirstOrThrow({ where: { eventId: rawId(c.w.eventIds[0]!), status: 'ATTENDING' } });
    const first = await worker();
    // The first answer's rsvp.submitted, then EVENTS - 1 updates in one transaction.
    await s.app.db.prisma.$transaction((tx) =>
      recordBusinessEvents(
        tx,
        { principal: { kind: 'system', reason: 'test', actions: [] }, requestId: 'crash-recovery' },
        rsvpUpdated,
        Array(EVENTS - 1).fill({
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
        }),
      ),
    );
    while (held.length < CONCURRENCY) await new Promise((r) => setTimeout(r, 20));
    const inFlight = new Set(receiver.at('/crash').map((r) => r.headers['webhook-id'] as string));
    expect(inFlight.size).toBe(CONCURRENCY);
    // The second worker is running (and sends the rest) before the first dies, as in a deployment of several.
    await worker();
    const killedAt = new Date();
    await first.kill();
    while (new Set(receiver.at('/crash').map((r) => r.headers['webhook-id'])).size < EVENTS) await new Promise((r) => setTimeout(r, 50));
    // The receiver answers before the worker records the success: wait for the rows.
    while (await s.app.db.prisma.webhookDelivery.count({ where: { endpointId: ep.endpointId, status: { not: 'SUCCEEDED' } } })) {
      await new Promise((r) => setTimeout(r, 50));
    }

    const deliveries = await s.app.db.prisma.webhookDelivery.findMany({
      where: { endpointId: ep.endpointId },
      include: { attempts: { orderBy: { number: 'asc' } } },
    });
    expect(deliveries).toHaveLength(EVENTS);
    // The killed worker's attempts left no row (it died before recording); its claims count: the retry is attempt 2.
    const retaken = deliveries.filter((d) => inFlight.has(d.outboxEventId));
    expect(retaken.map((d) => [d.status, d.attemptCount, d.attempts.map((a) => a.number)])).toEqual(Array(CONCURRENCY).fill(['SUCCEEDED', 2, [2]]));
    expect(deliveries.filter((d) => !inFlight.has(d.outboxEventId)).every((d) => d.status === 'SUCCEEDED' && d.attemptCount === 1)).toBe(true);

    const recoveredAfter = Math.max(...retaken.map((d) => d.attempts[0]!.startedAt.getTime())) - killedAt.getTime();
    const lease = s.app.config.WEBHOOK_LEASE_MS; // the default, as the workers run
    console.info(
      `SIGKILL recovery: ${CONCURRENCY} in-flight deliveries sent again ${recoveredAfter} ms after the kill ` +
        `(bound: lease ${lease} ms + BullMQ stalled check ${lease / 2} ms)`,
    );
  }, 120_000);
});
