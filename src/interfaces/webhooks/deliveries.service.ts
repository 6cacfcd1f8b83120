import { recordAudit } from '../../platform/audit.js';
import type { Prisma, Tx } from '../../platform/db/client.js';
import { ConflictError, notFound, ValidationError } from '../../platform/errors.js';

import { type Caller, userIdOf } from '../../platform/principal.js';
import type { IntegrationEnvironment } from '../integrations/principal.js';
import { loadEndpoint } from './endpoints.service.js';
import { webhookTestSent } from './webhooks.business-events.js';

/*
 * What people do to deliveries: send one again, recover every failure of an
 * outage window, send a test message. Each only marks rows due (PENDING,
 * now, manual); the worker sends them like any other attempt, with the same
 * webhook-id, so a receiver that already processed one sees a duplicate it
 * can recognise.
 */

const MANUAL = { status: 'PENDING', nextAttemptAt: new Date(0), manualPending: true, completedAt: null, leaseUntil: null } as const;

export async function redeliver(tx: Tx, caller: Caller, deliveryId: string) {
  const before = await tx.webhookDelivery.findUnique({ where: { id: deliveryId } });
  if (!before) throw notFound('Webhook delivery');
  if (before.status === 'DELIVERING') throw new ConflictError('This delivery is being attempted right now.');
  const after = await tx.webhookDelivery.update({ where: { id: deliveryId }, data: { ...MANUAL, nextAttemptAt: new Date() } });
  await recordAudit(tx, caller, {
    action: 'integration:manage',
    occasionId: before.occasionId,
    target: { type: 'WebhookDelivery', id: deliveryId },
    before: { status: before.status },
    after: { status: after.status },
  });
  return after;
}

export interface RecoverWindow {
  from: Date;
  to: Date;
  endpointId?: string | null;
}

/** Every FAILED (and CANCELLED) delivery created in the window, due again now. */
export async function recoverFailed(tx: Tx, caller: Caller, w: RecoverWindow) {
  if (!(w.from < w.to)) throw new ValidationError('The window ends after it starts.', [{ path: 'input.to', message: 'After from.' }]);
  if (w.to.getTime() - w.from.getTime() > 31 * 86_400_000) {
    throw new ValidationError('Recover at most 31 days at once.', [{ path: 'input.from', message: 'Window too long.' }]);
  }
  const where = {
    status: { in: ['FAILED', 'CANCELLED'] as ('FAILED' | 'CANCELLED')[] },
    createdAt: { gte: w.from, lt: w.to },
    ...(w.endpointId ? { endpointId: w.endpointId } : {}),
    // A disabled endpoint's deliveries would only be cancelled again: re-enable it first.
    endpoint: { status: 'ACTIVE' as const },
  };
  const rows = await tx.webhookDelivery.findMany({ where, select: { id: true } });
  if (rows.length)
    await tx.webhookDelivery.updateMany({ where: { id: { in: rows.map((r) => r.id) } }, data: { ...MANUAL, nextAttemptAt: new Date() } });
  await recordAudit(tx, caller, {
    action: 'integration:manage',
    scope: { from: w.from.toISOString(), to: w.to.toISOString(), endpointId: w.endpointId ?? null },
    after: { recovered: rows.length },
  });
  return rows.map((r) => r.id);
}

/**
 * A `webhook.test` message to one endpoint (whatever it subscribes to): the way to check URL and signature set-up.
 * `environment` is this deployment's: a staging endpoint never gets a request from a development server, test or not.
 */
export async function sendTest(tx: Tx, caller: Caller, endpointId: string, environment: IntegrationEnvironment) {
  const endpoint = await loadEndpoint(tx, endpointId);
  if (endpoint.status !== 'ACTIVE') throw new ConflictError('This endpoint is disabled: enable it first.');
  if (endpoint.environment !== environment) {
    throw new ConflictError(`This endpoint is ${endpoint.environment}; this server is ${environment}: environments never mix.`);
  }
  const requestedBy = userIdOf(caller.principal);
  // Written as already relayed: a test goes to this endpoint only, never through the fan-out.
  const event = await tx.outboxEvent.create({
    data: {
      type: webhookTestSent.type,
      occasionId: endpoint.occasionId,
      payload: webhookTestSent.payload.parse({ endpointId, requestedBy }),
      requestId: caller.requestId,
      relayedAt: new Date(),
    },
  });
  const delivery = await tx.webhookDelivery.create({
    data: {
      outboxEventId: event.id,
      endpointId,
      occasionId: endpoint.occasionId,
      eventType: webhookTestSent.type,
      nextAttemptAt: new Date(),
      manualPending: true,
    },
  });
  await recordAudit(tx, caller, {
    action: 'integration:connect',
    occasionId: endpoint.occasionId,
    target: { type: 'WebhookEndpoint', id: endpointId },
    after: { testDeliveryId: delivery.id },
  });
  return delivery;
}

export type EndpointHealth = 'HEALTHY' | 'FAILING' | 'DISABLED';
export const healthOf = (e: { status: string; failingSince: Date | null }): EndpointHealth =>
  e.status !== 'ACTIVE' ? 'DISABLED' : e.failingSince ? 'FAILING' : 'HEALTHY';

/** Pending/failed counts per endpoint, one statement for a page of endpoints. */
export async function deliveryCounts(db: Prisma, endpointIds: readonly string[]) {
  const rows = await db.webhookDelivery.groupBy({
    by: ['endpointId', 'status'],
    where: { endpointId: { in: [...endpointIds] }, status: { in: ['PENDING', 'DELIVERING', 'FAILED'] } },
    _count: { _all: true },
  });
  return endpointIds.map((id) => {
    const of = (s: string) => rows.find((r) => r.endpointId === id && r.status === s)?._count._all ?? 0;
    return { pending: of('PENDING') + of('DELIVERING'), failed: of('FAILED') };
  });
}

/** Endpoints that are failing or disabled (or all), worst first, with their pending/failed counts: what an operator looks at first. */
export async function endpointHealth(db: Prisma, opts: { includeHealthy?: boolean | null } = {}) {
  const rows = await db.webhookEndpoint.findMany({
    where: opts.includeHealthy ? {} : { OR: [{ status: 'DISABLED' }, { failingSince: { not: null } }] },
    orderBy: [{ failingSince: { sort: 'asc', nulls: 'last' } }, { id: 'asc' }],
    take: 500,
  });
  const counts = await deliveryCounts(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r, i) => ({ ...r, ...counts[i]! }));
}
