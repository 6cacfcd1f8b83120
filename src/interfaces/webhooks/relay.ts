import { Prisma as P } from '../../generated/prisma/client.js';
import type { ActionRegistry } from '../../domains/permissions/actions.js';
import type { Database, Tx } from '../../platform/db/client.js';
import { USABLE_STATUSES } from '../integrations/principal.js';
import { eventCatalog } from './event-catalog.js';
import { delayBefore } from './retry-schedule.js';
import { resourceOf, SubscriberAccess } from './subscriber-access.js';
import { webhookTestSent } from './webhooks.business-events.js';

/*
 * The outbox relay: committed outbox rows → webhook_deliveries rows. Any
 * number of relays (worker processes) may run: one batch is relayed at a time
 * (a transaction-level advisory lock), so the per-occasion sequence follows
 * publication order — with batches claimed side by side, a relay holding later
 * rows could reach the counter first and number them lower. Relaying is cheap
 * next to delivering, which stays parallel. A relay that dies mid-batch
 * rolls back (releasing the lock) and the rows are claimed again. In the same
 * transaction (claimed, numbered and marked in one statement) it gives
 * each event its per-occasion sequence number, finds the endpoints that want
 * it (type, occasion, event filter, environment, live connection) and whose
 * integration may hear of it (the permission engine, as that integration),
 * and writes one delivery per event × endpoint (unique, so a replayed batch
 * adds nothing). Enqueueing happens after commit: the caller gets the new
 * deliveries and hands them to the queue, and the sweeper re-enqueues
 * anything the queue lost. PostgreSQL is the source of truth throughout.
 */

export interface RelayDeps {
  db: Database;
  actions: ActionRegistry;
  /** The deployment's environment as integrations spell it (PRODUCTION…): other environments' endpoints get nothing. */
  environment: 'DEVELOPMENT' | 'STAGING' | 'PRODUCTION';
  schedule: readonly number[];
  batchSize?: number;
}

export interface RelayResult {
  claimed: number;
  /** Another relay's batch was open (skipIfBusy): nothing was looked at. */
  busy?: boolean;
  deliveries: { id: string; runAt: Date }[];
}

interface ClaimedRow {
  id: string;
  type: string;
  occasion_id: string | null;
  event_id: string | null;
  resource_type: string | null;
  resource_id: string | null;
}

const PLATFORM_KEY = 'platform';
/** The advisory lock one relay batch holds (any constant no other lock in this database uses). */
const RELAY_LOCK = 7_401_128_310_042n;

/**
 * One batch. With `skipIfBusy` (the worker loop), a relay that finds another's
 * batch open relays nothing and reports busy instead of waiting its turn: the
 * holder goes round again after its batch, and every commit notifies the
 * holder's process too, so nothing is left behind; several workers woken by
 * one commit then cost one pass, not one each.
 */
export async function relayBatch(deps: RelayDeps, opts: { skipIfBusy?: boolean } = {}): Promise<RelayResult> {
  const batchSize = deps.batchSize ?? 200;
  return deps.db.prisma.$transaction(
    async (tx) => {
      // Released at COMMIT or ROLLBACK. A statement of its own: the claim below must take its snapshot after
      // the previous holder committed.
      if (opts.skipIfBusy) {
        const [{ locked }] = (await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(${RELAY_LOCK}) AS locked`) as [
          { locked: boolean },
        ];
        if (!locked) return { claimed: 0, deliveries: [], busy: true };
      } else {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${RELAY_LOCK})`;
      }
      const rows = await claimBatch(tx, batchSize);
      if (!rows.length) return { claimed: 0, deliveries: [] };
      const deliveries = await fanOut(tx, deps, rows);
      return { claimed: rows.length, deliveries };
    },
    { timeout: 30_000, maxWait: 10_000 },
  );
}

/**
 * Claims the oldest unrelayed rows, numbers them and marks them relayed, in
 * one statement: per occasion (or the platform), the counter row is bumped by
 * the number of rows claimed for it (counter rows in key order, so two relays
 * never wait on each other in a cycle) and the rows take the numbers below
 * it in position order.
 */
async function claimBatch(tx: Tx, batchSize: number): Promise<ClaimedRow[]> {
  return tx.$queryRaw<ClaimedRow[]>`
    WITH claimed AS (
      SELECT id, position, coalesce(occasion_id::text, ${PLATFORM_KEY}) AS scope_key FROM outbox_events
      WHERE relayed_at IS NULL ORDER BY position LIMIT ${batchSize}
      FOR UPDATE SKIP LOCKED
    ), counters AS (
      INSERT INTO outbox_sequences (scope_key, last_value)
      SELECT scope_key, count(*) FROM claimed GROUP BY scope_key ORDER BY scope_key
      ON CONFLICT (scope_key) DO UPDATE SET last_value = outbox_sequences.last_value + EXCLUDED.last_value
      RETURNING scope_key, last_value
    ), numbered AS (
      SELECT c.id, k.last_value - count(*) OVER scope + row_number() OVER (scope ORDER BY c.position) AS seq
      FROM claimed c JOIN counters k USING (scope_key)
      WINDOW scope AS (PARTITION BY c.scope_key)
    ), relayed AS (
      UPDATE outbox_events o SET relayed_at = now(), sequence = n.seq FROM numbered n WHERE o.id = n.id
      RETURNING o.id, o.position, o.type, o.occasion_id, o.event_id, o.resource_type, o.resource_id
    )
    SELECT id, type, occasion_id, event_id, resource_type, resource_id FROM relayed ORDER BY position`;
}

async function fanOut(tx: Tx, deps: RelayDeps, rows: ClaimedRow[]) {
  const catalog = eventCatalog();
  const relevant = rows.filter((r) => r.type !== webhookTestSent.type && catalog.has(r.type));
  if (!relevant.length) return [];
  const occasionIds = [...new Set(relevant.map((r) => r.occasion_id).filter((o): o is string => o !== null))];
  const anyPlatform = relevant.some((r) => r.occasion_id === null);
  const endpoints = await tx.webhookEndpoint.findMany({
    where: {
      status: 'ACTIVE',
      environment: deps.environment,
      eventTypes: { hasSome: [...new Set(relevant.map((r) => r.type))] },
      OR: [{ occasionId: { in: occasionIds } }, ...(anyPlatform ? [{ occasionId: null }] : [])],
      connection: { disabledAt: null, integration: { status: { in: [...USABLE_STATUSES] }, environment: deps.environment } },
    },
    select: {
      id: true,
      occasionId: true,
      eventTypes: true,
      eventIds: true,
      integrationId: true,
      connection: { select: { integration: { select: { id: true, environment: true, expiresAt: true } } } },
    },
  });
  if (!endpoints.length) return [];
  const access = new SubscriberAccess(tx, deps.actions);
  const now = new Date();
  const data: P.WebhookDeliveryCreateManyInput[] = [];
  for (const row of relevant) {
    const entry = catalog.get(row.type)!;
    for (const ep of endpoints) {
      const integration = ep.connection.integration;
      if (ep.occasionId !== row.occasion_id || !ep.eventTypes.includes(row.type)) continue;
      if (ep.eventIds.length && (!row.event_id || !ep.eventIds.includes(row.event_id))) continue;
      if (integration.expiresAt && integration.expiresAt <= now) continue;
      if (!(await access.allowed(integration, entry, row.occasion_id, row.event_id, resourceOf(row)))) continue;
      data.push({
        outboxEventId: row.id,
        endpointId: ep.id,
        occasionId: row.occasion_id,
        eventType: row.type,
        nextAttemptAt: new Date(now.getTime() + (delayBefore(deps.schedule, 1) ?? 0)),
      });
    }
  }
  if (!data.length) return [];
  const created = await tx.webhookDelivery.createManyAndReturn({ data, skipDuplicates: true, select: { id: true, nextAttemptAt: true } });
  return created.map((d) => ({ id: d.id, runAt: d.nextAttemptAt ?? now }));
}
