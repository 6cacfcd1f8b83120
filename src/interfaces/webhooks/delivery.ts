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
import { type EnvelopeSource, renderEnvelope } from './render.js';
import { batched } from './batcher.js';
import { delayBefore } from './retry-schedule.js';
import { signWebhook } from './signing.js';
import { integrationPrincipal, resourceOf, SubscriberAccess } from './subscriber-access.js';
import { webhookDeliveryExhausted, webhookEndpointDisabled } from './webhooks.business-events.js';

/*
 * One attempt at one delivery. The delivery row is the truth: an attempt first
 * claims it (PENDING and due, or DELIVERING with an expired lease: its worker
 * died), so two workers woken for the same delivery never both send it. The
 * claim leases the row to this worker for WEBHOOK_LEASE_MS, renewed by its
 * heartbeat while the attempt runs, so a worker that dies loses it soon.
 * Attempts running side by side are claimed and loaded together (one
 * statement per batch, batcher.ts) and their successes recorded together. A
 * failure (attempt row, next state, endpoint health, operational events) is
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

/** A claimed delivery with everything its attempt reads: the event, the endpoint, its secrets, connection and integration. */
interface Loaded {
  id: string;
  endpointId: string;
  occasionId: string | null;
  eventType: string;
  attempt: number;
  manual: boolean;
  event: EnvelopeSource;
  endpoint: {
    url: string;
    status: string;
    environment: string;
    documentId: string | null;
    connectionId: string;
    integrationId: string;
    secrets: { valueEnc: string; expiresAt: Date | null }[];
    connection: { disabledAt: Date | null; integration: { id: string; status: string; environment: string; expiresAt: Date | null } };
  };
}

/** What claiming one delivery came to: claimed (and loaded), leased to another worker until a moment, or nothing due. */
type Claim = { loaded: Loaded; cancelled: string | null } | { busyUntil: Date } | null;

interface ClaimRow {
  id: string;
  busy_until: Date | null;
  endpoint_id: string | null;
  occasion_id: string | null;
  event_type: string;
  attempt_count: number;
  manual_pending: boolean;
  outbox_event_id: string;
  occurred_at: Date;
  event_occasion_id: string | null;
  event_event_id: string | null;
  resource_type: string | null;
  resource_id: string | null;
  /** As text: the drivers disagree on int8 (pg: string, PGlite: number). */
  sequence: string | null;
  url: string;
  endpoint_status: string;
  endpoint_environment: string;
  document_id: string | null;
  connection_id: string;
  integration_id: string;
  secrets: { valueEnc: string; expiresAt: string | null }[];
  disabled_at: Date | null;
  integration_status: string;
  integration_environment: string;
  integration_expires_at: Date | null;
}

/**
 * Claims the deliveries of `ids` that are due (PENDING and due, or DELIVERING
 * with an expired lease: their worker died) and loads what their attempts
 * read, in one statement; one row per id, in order. A delivery another worker
 * holds under a live lease comes back with that lease's end (busy_until).
 */
async function claimBatch(deps: DeliveryDeps, ids: string[]): Promise<ClaimRow[]> {
  return deps.app.db.query<ClaimRow>(
    `WITH claimed AS (
      UPDATE webhook_deliveries
      SET status = 'DELIVERING', lease_until = now() + make_interval(secs => $2), attempt_count = attempt_count + 1, last_attempt_at = now()
      WHERE id = ANY($1::uuid[])
        AND ((status = 'PENDING' AND next_attempt_at <= now()) OR (status = 'DELIVERING' AND lease_until < now()))
      RETURNING id, endpoint_id, occasion_id, event_type, attempt_count, manual_pending, outbox_event_id
    )
    SELECT wanted.id, busy.lease_until AS busy_until, c.endpoint_id, c.occasion_id, c.event_type, c.attempt_count, c.manual_pending,
           c.outbox_event_id, e.occurred_at, e.occasion_id AS event_occasion_id, e.event_id AS event_event_id, e.sequence::text AS sequence,
           e.resource_type, e.resource_id,
           ep.url, ep.status::text AS endpoint_status, ep.environment::text AS endpoint_environment, ep.document_id, ep.connection_id,
           ep.integration_id, cn.disabled_at, i.status::text AS integration_status, i.environment::text AS integration_environment,
           i.expires_at AS integration_expires_at,
           (SELECT coalesce(json_agg(json_build_object('valueEnc', s.value_enc, 'expiresAt', s.expires_at) ORDER BY s.id), '[]')
              FROM webhook_endpoint_secrets s WHERE s.endpoint_id = ep.id) AS secrets
    FROM unnest($1::uuid[]) WITH ORDINALITY AS wanted(id, n)
    LEFT JOIN claimed c ON c.id = wanted.id
    LEFT JOIN webhook_deliveries busy ON c.id IS NULL AND busy.id = wanted.id AND busy.status = 'DELIVERING' AND busy.lease_until >= now()
    LEFT JOIN outbox_events e ON e.id = c.outbox_event_id
    LEFT JOIN webhook_endpoints ep ON ep.id = c.endpoint_id
    LEFT JOIN integration_connections cn ON cn.id = ep.connection_id
    LEFT JOIN integration_apps i ON i.id = cn.integration_id
    ORDER BY wanted.n`,
    [ids, deps.leaseMs / 1000],
  );
}

function loadedOf(r: ClaimRow): Loaded {
  return {
    id: r.id,
    endpointId: r.endpoint_id!,
    occasionId: r.occasion_id,
    eventType: r.event_type,
    attempt: r.attempt_count,
    manual: r.manual_pending,
    event: {
      id: r.outbox_event_id,
      type: r.event_type,
      occurredAt: r.occurred_at,
      occasionId: r.event_occasion_id,
      eventId: r.event_event_id,
      resource: resourceOf(r),
      sequence: r.sequence === null ? null : BigInt(r.sequence),
    },
    endpoint: {
      url: r.url,
      status: r.endpoint_status,
      environment: r.endpoint_environment,
      documentId: r.document_id,
      connectionId: r.connection_id,
      integrationId: r.integration_id,
      secrets: r.secrets.map((x) => ({ valueEnc: x.valueEnc, expiresAt: x.expiresAt === null ? null : new Date(x.expiresAt) })),
      connection: {
        disabledAt: r.disabled_at,
        integration: {
          id: r.integration_id,
          status: r.integration_status,
          environment: r.integration_environment,
          expiresAt: r.integration_expires_at,
        },
      },
    },
  };
}

/** Why this delivery must not be sent at all any more, or null. One SubscriberAccess serves a whole claimed batch. */
async function cancellation(deps: DeliveryDeps, d: Loaded, access: SubscriberAccess): Promise<string | null> {
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
    if (!(await access.allowed(integration, entry, d.event.occasionId, d.event.eventId, d.event.resource ?? null))) return 'not_permitted';
  }
  return null;
}

/** Decrypted signing secrets by ciphertext: a ciphertext always decrypts to the same secret, so this is never stale. */
const secretCache = new Map<string, string>();
function secretOf(valueEnc: string, key: Buffer): string {
  let v = secretCache.get(valueEnc);
  if (v === undefined) {
    if (secretCache.size >= 1_000) secretCache.clear();
    v = decrypt(valueEnc, key);
    secretCache.set(valueEnc, v);
  }
  return v;
}

export interface DeliveryRunner {
  /** Runs one attempt if the delivery is due (or its worker died); otherwise does nothing. */
  attempt(id: string): Promise<AttemptOutcome>;
  /** Pushes the leases of the deliveries this worker is attempting forward (its heartbeat); a dead worker's lapse. */
  renewLeases(): Promise<void>;
}

/** Attempts claim, load and permission-check together (one statement per batch) and record their successes together. */
export function createDeliveryRunner(deps: DeliveryDeps): DeliveryRunner {
  const attempting = new Set<string>();
  const claim = batched<string, Claim>(async (ids) => {
    const rows = await claimBatch(deps, ids);
    // The grants of each integration are read once for the batch, and afresh for the next one.
    const access = new SubscriberAccess(deps.app.db.prisma, deps.app.actions);
    return Promise.all(
      rows.map(async (r): Promise<Claim> => {
        if (r.busy_until) return { busyUntil: r.busy_until };
        if (!r.endpoint_id) return null;
        const loaded = loadedOf(r);
        attempting.add(loaded.id);
        return { loaded, cancelled: await cancellation(deps, loaded, access) };
      }),
    );
  }, MAX_BATCH);
  const succeeded = batched<Success, void>(async (items) => {
    await recordSuccesses(deps, items);
    return items.map(() => undefined);
  }, MAX_BATCH);

  async function attempt(id: string): Promise<AttemptOutcome> {
    const c = await claim(id);
    if (!c) return { status: 'SKIPPED' };
    // Another worker is attempting it: look again when its lease ends (it is gone by then if that worker died).
    if ('busyUntil' in c) return { status: 'PENDING', nextAttemptAt: c.busyUntil };
    try {
      return await run(deps, c.loaded, c.cancelled, succeeded);
    } finally {
      attempting.delete(id);
    }
  }

  return {
    attempt,
    async renewLeases() {
      if (!attempting.size) return;
      await deps.app.db.query(
        `UPDATE webhook_deliveries SET lease_until = now() + make_interval(secs => $2) WHERE id = ANY($1::uuid[]) AND status = 'DELIVERING'`,
        [[...attempting], deps.leaseMs / 1000],
      );
    },
  };
}

/** Claims (and recorded successes) per statement at most. */
const MAX_BATCH = 100;

async function run(deps: DeliveryDeps, d: Loaded, cancelled: string | null, succeeded: (s: Success) => Promise<void>): Promise<AttemptOutcome> {
  const id = d.id;
  const startedAt = new Date();
  const trigger = d.eventType === 'webhook.test' ? 'TEST' : d.manual ? 'MANUAL' : 'SCHEDULE';

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
    return finish(deps, d, d.attempt, trigger, startedAt, failure('render_failed', 'The payload could not be rendered.', 'RETRYABLE'));
  }
  if (Buffer.byteLength(body) > deps.maxPayloadBytes) {
    const msg = `Payload of ${Buffer.byteLength(body)} bytes exceeds the ${deps.maxPayloadBytes}-byte cap.`;
    return finish(deps, d, d.attempt, trigger, startedAt, failure('payload_too_large', msg, 'TERMINAL'));
  }
  const now = Date.now();
  const secrets = d.endpoint.secrets.filter((s) => !s.expiresAt || s.expiresAt.getTime() > now).map((s) => secretOf(s.valueEnc, deps.appKey));
  const headers = signWebhook(secrets, { id: d.event.id, timestamp: Math.floor(now / 1000), body });
  const result = await deps.http.post(d.endpoint.url, headers, body);
  const j = judge(result);
  if (j.outcome === 'SUCCEEDED') {
    await succeeded({ d, attempt: d.attempt, trigger, startedAt, r: j.result, now: new Date() });
    return { status: 'SUCCEEDED' };
  }
  return finish(deps, d, d.attempt, trigger, startedAt, j);
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
  const status = delay !== null ? 'PENDING' : 'FAILED';
  const nextAttemptAt = delay !== null ? new Date(now.getTime() + delay) : null;
  const caller = system(d.id);
  const ids = { endpointId: d.endpointId, connectionId: d.endpoint.connectionId, integrationId: d.endpoint.integrationId };

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
        lastError: r.error,
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

interface Success {
  d: Loaded;
  attempt: number;
  trigger: 'SCHEDULE' | 'MANUAL' | 'TEST';
  startedAt: Date;
  r: Judgement['result'];
  now: Date;
}

/**
 * The common case, for a batch of successes in one statement (atomic on its
 * own, no transaction round trips): the attempt rows, the deliveries done, and
 * their endpoints' health (a failing streak ended; lastSuccessAt at most a
 * minute stale, so a busy endpoint's row is not rewritten, and locked, by
 * every delivery). Test messages leave health alone.
 */
async function recordSuccesses(deps: DeliveryDeps, items: Success[]) {
  const now = items.reduce((a, b) => (b.now > a ? b.now : a), items[0]!.now);
  const healthOf = [...new Set(items.filter((i) => i.trigger !== 'TEST').map((i) => i.d.endpointId))];
  await deps.app.db.query(
    `WITH done AS (
      SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[], $5::timestamptz[], $6::int[], $7::int[], $8::text[], $9::timestamptz[])
        AS t(attempt_id, delivery_id, number, trigger, started_at, duration_ms, status_code, excerpt, completed_at)
    ), attempt AS (
      INSERT INTO webhook_attempts (id, delivery_id, number, trigger, started_at, duration_ms, status_code, outcome, response_excerpt)
      SELECT attempt_id, delivery_id, number, trigger::"WebhookAttemptTrigger", started_at, duration_ms, status_code, 'SUCCEEDED', excerpt FROM done
    ), delivery AS (
      UPDATE webhook_deliveries d
      SET status = 'SUCCEEDED', next_attempt_at = NULL, lease_until = NULL, manual_pending = false, last_error = NULL, completed_at = done.completed_at
      FROM done WHERE d.id = done.delivery_id
    )
    UPDATE webhook_endpoints SET last_success_at = $10, failing_since = NULL, updated_at = $10
    WHERE id = ANY($11::uuid[]) AND (failing_since IS NOT NULL OR last_success_at IS NULL OR last_success_at < $12)`,
    [
      items.map(() => uuidv7()),
      items.map((i) => i.d.id),
      items.map((i) => i.attempt),
      items.map((i) => i.trigger),
      items.map((i) => i.startedAt.toISOString()),
      items.map((i) => i.r.durationMs),
      items.map((i) => i.r.statusCode),
      items.map((i) => i.r.excerpt),
      items.map((i) => i.now.toISOString()),
      now.toISOString(),
      healthOf,
      new Date(now.getTime() - 60_000).toISOString(),
    ],
  );
}

/**
 * Endpoint health after a failure (a success clears the streak: recordSuccesses): a failure starts one
 * (or continues it). Gone (410) disables at once; a streak as long as
 * WEBHOOK_DISABLE_AFTER_HOURS (5 days) disables too. Disabled endpoints stay,
 * with their history, for a person to fix and re-enable.
 */
async function updateHealth(tx: Tx, deps: DeliveryDeps, d: Loaded, j: Judgement, now: Date, caller: Caller) {
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
