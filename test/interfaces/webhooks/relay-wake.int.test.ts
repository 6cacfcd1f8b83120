import { describe, expect, it } from 'vitest';
import { startWebhookWorker } from '../../../src/interfaces/webhooks/worker-runtime.js';
import { startServer, testSchema } from '../../support/harness.js';
import { catererSetup, createCateringEndpoint, startReceiver, submitDinner } from '../../support/webhooks.js';

/**
 * The relay is woken by the commit itself (a trigger NOTIFYs at commit; the
 * worker LISTENs on PostgreSQL, PGlite signals in process), not by its poll:
 * here the fallback poll and the sweep are an hour away, so only the
 * notification can bring an event to the receiver.
 */

// Its worker relays every outbox row it finds: a database of its own keeps other suites' events out.
const s = await startServer(
  { WEBHOOK_ALLOWED_NETWORKS: ['loopback'], WEBHOOK_RELAY_POLL_MS: 3_600_000, WEBHOOK_SWEEP_INTERVAL_MS: 3_600_000 },
  { ownDatabase: true },
);
const receiver = await startReceiver();

/** Waits for ok(); a wake-up that never comes fails the test at its timeout (the poll would take an hour). */
async function until(ok: () => boolean) {
  while (!ok()) await new Promise((r) => setTimeout(r, 20));
}

describe('outbox relay: woken at commit', () => {
  it('each committed event reaches the receiver with the fallback poll an hour away', async () => {
    const c = await catererSetup(s);
    await createCateringEndpoint(s, c, receiver.url('/woken'));
    const worker = startWebhookWorker(s.app, { redisUrl: null, schema: testSchema() });
    try {
      // The first answer may be found by the worker's start-up pass; the loop then sleeps for the hour.
      await submitDinner(s, c, 0);
      await until(() => receiver.at('/woken').length === 1);
      for (const [i, status] of (['DECLINED', 'ATTENDING', 'DECLINED'] as const).entries()) {
        const committed = Date.now();
        await submitDinner(s, c, 0, status);
        await until(() => receiver.at('/woken').length === i + 2);
        console.info(`answer sent → receipt ${receiver.at('/woken')[i + 1]!.at - committed} ms (relay poll: 1 h)`);
      }
      expect(receiver.at('/woken').map((r) => JSON.parse(r.body).type)).toEqual(['rsvp.submitted', 'rsvp.updated', 'rsvp.updated', 'rsvp.updated']);
    } finally {
      await worker.stop();
    }
  }, 60_000);
});
