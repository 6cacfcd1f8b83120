import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { relayBatch, type RelayDeps } from '../../../src/interfaces/webhooks/relay.js';
import { startServer } from '../../support/harness.js';

/**
 * Receivers are told to order an occasion's events by `sequence`. With several
 * relays (worker processes) at once, each claiming a batch with SKIP LOCKED,
 * the sequence must still follow publication order: a relay that claimed later
 * rows must not take lower numbers because it reached the counter first.
 */

// Its relays take every unrelayed outbox row: a database of its own keeps other suites' events out.
const s = await startServer({}, { ownDatabase: true });

const deps: RelayDeps = {
  db: s.app.db,
  actions: s.app.actions,
  environment: 'DEVELOPMENT',
  schedule: [0],
  batchSize: 7,
};

/** One relay: batches until nothing is left to claim (or, skipping when busy as the worker loop does, until another holds the lock). */
async function relay(skipIfBusy: boolean): Promise<void> {
  while ((await relayBatch(deps, { skipIfBusy })).claimed > 0);
}

describe('outbox relay: the per-occasion sequence', () => {
  it('follows publication order with several relays running at once', async () => {
    const occasions = [randomUUID(), randomUUID()];
    const rows = Array.from({ length: 400 }, (_, i) => ({
      type: 'relay.sequence_probe',
      occasionId: occasions[i % 2]!,
      payload: { i },
    }));
    await s.app.db.prisma.outboxEvent.createMany({ data: rows });

    // Six relays at once, as six worker processes would, on the pool's connections; half skip a busy lock.
    await Promise.all(Array.from({ length: 6 }, (_, i) => relay(i % 2 === 1)));

    for (const occasionId of occasions) {
      const published = await s.app.db.prisma.outboxEvent.findMany({
        where: { occasionId },
        orderBy: { position: 'asc' },
        select: { sequence: true, relayedAt: true },
      });
      expect(published).toHaveLength(200);
      // Everything was committed before the relays started, so publication order is position order: 1, 2, 3, …
      expect(published.map((r) => Number(r.sequence))).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    }
  });
});
