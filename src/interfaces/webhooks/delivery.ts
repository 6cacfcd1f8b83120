import type { GraphQLSchema } from 'graphql';
import { v7 as uuidv7 } from 'uuid';
import { recordAudit } from '../../platform/audit.js';
import { decrypt } from '../../platform/crypto.js';
import type { Tx } from '../../platform/db/client.js';
import { recordBusinessEvent } from '../../platform/outbox.js';
import type { Caller } from '../../platform/principal.js';
import type { AppServices } from '../../kit/context.js';
import type { PersistedManifest } from '../integrations/persisted-operations.js';
import { type IntegrationEnvironment, USABLE_STATUSES } from '../integrations/principal.js';
import { eventCatalog } from './event-catalog.js';
import type { PostResult, WebhookHttpClient } from './http-client.js';
import { renderEnvelope } from './render.js';
import { delayBefore } from './retry-schedule.js';
import { signWebhook } from './signing.js';
import { integrationPrincipal, SubscriberAccess } from './subscriber-access.js';
import { webhookDeliveryExhausted, webhookEndpointDisabled } from './webhooks.business-events.js';

/*
 * One attempt at one delivery. The delivery row is the truth: an attempt first
 * claims it (PENDING and due, or DELIVERING with an expired lease: its worker
 * died), so two workers woken for the same delivery never both send it. The
 * result (attempt row, next state, endpoint health, operational events) is
 * written in one transaction after the HTTP call; no transaction is held open
 * across the network.
 */

export interface DeliveryDeps {
  app: AppServices;
  schema: GraphQLSchema;
  manifest: PersistedManifest;
  http: WebhookHttpClient;
  appKey: Buffer;
  schedule: readonly number[];
  maxPayloadBytes: number;
  disableAfterMs: number;
  leaseMs: number;
  /** This deployment's environment: endpoints and integrations of another never get a request from it. */
  environment: IntegrationEnvironment;
}

export type AttemptOutcome = { status: 'SKIPPED' } | { status: 'SUCCEEDED' | 'FAILED' | 'CANCELLED' } | { status: 'PENDING'; nextAttemptAt: Date };

const system = (deliveryId: string): Caller => ({
  principal: { kind: 'system', reason: 'webhook-delivery', actions: [] },
  requestId: `delivery:${deliveryId}`,
});

async function claim(deps: DeliveryDeps, id: string): Promise<{ attempt: number; manual: boolean } | null> {
  const rows = await deps.app.db.prisma.$queryRaw<{ attempt_count: number; manual_pending: boolean }[]>`
    UPDATE webhook_deliveries
    SET status = 'DELIVERING', lease_until = now() + make_interval(secs => ${deps.leaseMs / 1000}),
        attempt_count = attempt_count + 1, last_attempt_at = now()
    WHERE id = ${id}::uuid
      AND ((status = 'PENDING' AND next_attempt_at <= now()) OR (status = 'DELIVERING' AND lease_until < now()))
    RETURNING attempt_count, manual_pending`;
  return rows[0] ? { attempt: rows[0].attempt_count, manual: rows[0].manual_pending } : null;
}

async function load(deps: DeliveryDeps, id: string) {
  return deps.app.db.prisma.webhookDelivery.findUniqueOrThrow({
    where: { id },
    include: {
      event: true,
      endpoint: {
        include: {
          secrets: { orderBy: { id: 'asc' } },
          connection: { select: { disabledAt: true, integration: { select: { id: true, status: true, environment: true, expiresAt: true } } } },
        },
      },
    },
  });
}
type Loaded = Awaited<ReturnType<typeof load>>;

/** Why this delivery must not be sent at all any more, or null. */
async function cancellation(deps: DeliveryDeps, d: Loaded): Promise<string | null> {
  const ep = d.endpoint;
  const integration = ep.connection.integration;
  if (ep.status !== 'ACTIVE') return 'endpoint_disabled';
  // The relay never fans out across environments, but test-sends, redeliveries and recoveries do not pass through it.
  if (ep.environment !== deps.environment || integration.environment !== deps.environment) return 'environment_mismatch';
  if (ep.connection.disabledAt) return 'integration_disconnected';
  if (!(USABLE_STATUSES as readonly string[]).includes(integration.status)) return `integration_${integration.status.toLowerCase()}`;
  if (integration.expiresAt && integration.expiresAt <= new Date()) return 'integration_expired';
  const entry = eventCatalog().get(d.eventType);
  // Test messages go to the one endpoint they were sent to; every other type is checked again now.
  if (entry && d.eventType !== 'webhook.test') {
    const access = new SubscriberAccess(deps.app.db.prisma, deps.app.actions);
    if (!(await access.allowed(integration, entry, d.event.occasionId, d.event.eventId))) return 'not_permitted';
  }
  return null;
}

/** Runs one attempt if the delivery is due (or its worker died); otherwise does nothing. */
export async function attemptDelivery(deps: DeliveryDeps, id: string): Promise<AttemptOutcome> {
  const claimed = await claim(deps, id);
  if (!claimed) return { status: 'SKIPPED' };
  const d = await load(deps, id);
  const startedAt = new Date();
  const trigger = d.eventType === 'webhook.test' ? 'TEST' : claimed.manual ? 'MANUAL' : 'SCHEDULE';

  const cancelled = await cancellation(deps, d);
  if (cancelled) {
    await deps.app.db.prisma.webhookDelivery.update({
      where: { id },
      data: {
        status: 'CANCELLED',
        leaseUntil: null,
        completedAt: new Date(),
        lastError: cancelled,
        attemptCount: { decrement: 1 },
        manualPending: false,
      },
    });
    return { status: 'CANCELLED' };
  }

  const integration = d.endpoint.connection.integration;
  let body: string;
  try {
    const envelope = await renderEnvelope(
      deps,
      d.event,
      d.endpoint.documentId,
      integrationPrincipal(integration.id, integration.environment),
      `delivery:${id}`,
    );
    body = JSON.stringify(envelope);
  } catch (e) {
    deps.app.logger.error({ err: e, deliveryId: id }, 'webhook payload could not be rendered');
    return finish(deps, d, claimed.attempt, trigger, startedAt, failure('render_failed', 'The payload could not be rendered.', 'RETRYABLE'));
  }
  if (Buffer.byteLength(body) > deps.maxPayloadBytes) {
    const msg = `Payload of ${Buffer.byteLength(body)} bytes exceeds the ${deps.maxPayloadBytes}-byte cap.`;
    return finish(deps, d, claimed.attempt, trigger, startedAt, failure('payload_too_large', msg, 'TERMINAL'));
  }
  const now = Date.now();
  const secrets = d.endpoint.secrets.filter((s) => !s.expiresAt || s.expiresAt.getTime() > now).map((s) => decrypt(s.valueEnc, deps.appKey));
  const headers = signWebhook(secrets, { id: d.event.id, timestamp: Math.floor(now / 1000), body });
  const result = await deps.http.post(d.endpoint.url, headers, body);
  return finish(deps, d, claimed.attempt, trigger, startedAt, judge(result));
}

interface Judgement {
  outcome: 'SUCCEEDED' | 'RETRYABLE' | 'TERMINAL';
  result: Pick<PostResult, 'durationMs' | 'statusCode' | 'excerpt' | 'retryAfterMs'> & { errorClass: string | null; error: string | null };
  /** The receiver said the endpoint is gone (410). */
  gone?: boolean;
}

function failure(errorClass: string, error: string, outcome: 'RETRYABLE' | 'TERMINAL'): Judgement {
  return { outcome, result: { durationMs: 0, statusCode: null, excerpt: null, retryAfterMs: null, errorClass, error } };
}

/** Only 2xx is success; 410 is final (and disables the endpoint); the rest is retried. */
export function judge(r: PostResult): Judgement {
  if (r.statusCode === null) return { outcome: r.errorClass === 'address_refused' ? 'TERMINAL' : 'RETRYABLE', result: r };
  if (r.statusCode >= 200 && r.statusCode < 300) return { outcome: 'SUCCEEDED', result: r };
  if (r.statusCode === 410)
    return { outcome: 'TERMINAL', result: { ...r, errorClass: 'http_410', error: 'Gone: the receiver retired this endpoint.' }, gone: true };
  const errorClass = r.statusCode >= 300 && r.statusCode < 400 ? 'redirect' : `http_${r.statusCode}`;
  const error = errorClass === 'redirect' ? `Redirect (${r.statusCode}) not followed: update the endpoint URL.` : `HTTP ${r.statusCode}.`;
  return { outcome: 'RETRYABLE', result: { ...r, errorClass, error } };
}

async function finish(
  deps: DeliveryDeps,
  d: Loaded,
  attempt: number,
  trigger: 'SCHEDULE' | 'MANUAL' | 'TEST',
  startedAt: Date,
  j: Judgement,
): Promise<AttemptOutcome> {
  const r = j.result;
  const now = new Date();
  // Manual and test attempts are one-offs: a failure there does not restart the schedule.
  const delay = j.outcome === 'RETRYABLE' && trigger === 'SCHEDULE' ? delayBefore(deps.schedule, attempt + 1, r.retryAfterMs) : null;
  const status = j.outcome === 'SUCCEEDED' ? 'SUCCEEDED' : delay !== null ? 'PENDING' : 'FAILED';
  const nextAttemptAt = delay !== null ? new Date(now.getTime() + delay) : null;
  const caller = system(d.id);
  const ids = { endpointId: d.endpointId, connectionId: d.endpoint.connectionId, integrationId: d.endpoint.integrationId };

  if (j.outcome === 'SUCCEEDED') {
    await recordSuccess(deps, d, attempt, trigger, startedAt, r, now);
    return { status: 'SUCCEEDED' };
  }
  await deps.app.db.prisma.$transaction(async (tx) => {
    await tx.webhookAttempt.create({
      data: {
        deliveryId: d.id,
        number: attempt,
        trigger,
        startedAt,
        durationMs: r.durationMs,
        statusCode: r.statusCode,
        outcome: j.outcome,
        errorClass: r.errorClass,
        error: r.error,
        responseExcerpt: r.excerpt,
      },
    });
    await tx.webhookDelivery.update({
      where: { id: d.id },
      data: {
        status,
        nextAttemptAt,
        leaseUntil: null,
        manualPending: false,
        lastError: j.outcome === 'SUCCEEDED' ? null : r.error,
        completedAt: status === 'PENDING' ? null : now,
      },
    });
    if (status === 'FAILED' && trigger === 'SCHEDULE') {
      await recordBusinessEvent(
        tx,
        caller,
        webhookDeliveryExhausted,
        { ...ids, deliveryId: d.id, eventType: d.eventType, attempts: attempt, lastError: r.error },
        { occasionId: d.occasionId },
      );
    }
    if (trigger !== 'TEST') await updateHealth(tx, deps, d, j, now, caller);
  });
  return status === 'PENDING' ? { status, nextAttemptAt: nextAttemptAt! } : { status };
}

/**
 * The common case in one statement (atomic on its own, no transaction round
 * trips): the attempt row, the delivery done, and the endpoint's health
 * (its failing streak ended; lastSuccessAt at most a minute stale, so a busy
 * endpoint's row is not rewritten, and locked, by every delivery).
 */
async function recordSuccess(
  deps: DeliveryDeps,
  d: Loaded,
  attempt: number,
  trigger: 'SCHEDULE' | 'MANUAL' | 'TEST',
  startedAt: Date,
  r: Judgement['result'],
  now: Date,
) {
  const healthUpdate = trigger !== 'TEST';
  await deps.app.db.prisma.$executeRaw`
    WITH attempt AS (
      INSERT INTO webhook_attempts (id, delivery_id, number, trigger, started_at, duration_ms, status_code, outcome, response_excerpt)
      VALUES (${uuidv7()}::uuid, ${d.id}::uuid, ${attempt}, ${trigger}::"WebhookAttemptTrigger", ${startedAt}, ${r.durationMs},
              ${r.statusCode}, 'SUCCEEDED', ${r.excerpt})
    ), delivery AS (
      UPDATE webhook_deliveries
      SET status = 'SUCCEEDED', next_attempt_at = NULL, lease_until = NULL, manual_pending = false, last_error = NULL, completed_at = ${now}
      WHERE id = ${d.id}::uuid
    )
    UPDATE webhook_endpoints SET last_success_at = ${now}, failing_since = NULL, updated_at = ${now}
    WHERE id = ${d.endpointId}::uuid AND ${healthUpdate}
      AND (failing_since IS NOT NULL OR last_success_at IS NULL OR last_success_at < ${new Date(now.getTime() - 60_000)})`;
}

/**
 * Endpoint health: a success clears the failing streak; a failure starts one
 * (or continues it). Gone (410) disables at once; a streak as long as
 * WEBHOOK_DISABLE_AFTER_HOURS (5 days) disables too. Disabled endpoints stay,
 * with their history, for a person to fix and re-enable.
 */
async function updateHealth(tx: Tx, deps: DeliveryDeps, d: Loaded, j: Judgement, now: Date, caller: Caller) {
  if (j.outcome === 'SUCCEEDED') {
    // A busy endpoint succeeds many times a second: write (and lock its row) only when the streak ends or the
    // last success recorded is over a minute old, so concurrent deliveries do not queue on one row.
    await tx.webhookEndpoint.updateMany({
      where: {
        id: d.endpointId,
        OR: [{ failingSince: { not: null } }, { lastSuccessAt: null }, { lastSuccessAt: { lt: new Date(now.getTime() - 60_000) } }],
      },
      data: { lastSuccessAt: now, failingSince: null },
    });
    return;
  }
  const ep = await tx.webhookEndpoint.findUniqueOrThrow({ where: { id: d.endpointId }, select: { status: true, failingSince: true } });
  const failingSince = ep.failingSince ?? now;
  const reason = j.gone ? 'gone' : now.getTime() - failingSince.getTime() >= deps.disableAfterMs ? 'failing' : null;
  const disable = reason !== null && ep.status === 'ACTIVE';
  await tx.webhookEndpoint.update({
    where: { id: d.endpointId },
    data: {
      lastFailureAt: now,
      failingSince,
      ...(disable ? { status: 'DISABLED', disabledAt: now, disabledReason: reason } : {}),
    },
  });
  if (!disable) return;
  const ids = { endpointId: d.endpointId, connectionId: d.endpoint.connectionId, integrationId: d.endpoint.integrationId };
  await recordAudit(tx, caller, {
    action: 'integration:connect',
    occasionId: d.occasionId,
    target: { type: 'WebhookEndpoint', id: d.endpointId },
    before: { status: 'ACTIVE' },
    after: { status: 'DISABLED', reason },
    reason: reason === 'gone' ? 'The receiver answered 410 Gone.' : `Every attempt failed since ${failingSince.toISOString()}.`,
  });
  await recordBusinessEvent(tx, caller, webhookEndpointDisabled, { ...ids, reason }, { occasionId: d.occasionId });
}
