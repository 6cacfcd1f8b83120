import { Kind, OperationTypeNode, parse } from 'graphql';
import { z } from 'zod';
import type { ActionRegistry } from '../../domains/permissions/actions.js';
import { recordAudit } from '../../platform/audit.js';
import { encrypt } from '../../platform/crypto.js';
import type { Tx } from '../../platform/db/client.js';
import { ConflictError, type FieldIssue, notFound, ValidationError } from '../../platform/errors.js';
import { recordBusinessEvent } from '../../platform/outbox.js';
import { type Caller, userIdOf } from '../../platform/principal.js';
import { parseInput } from '../../platform/validation.js';
import { assertUsable, INTEGRATION_ENVIRONMENTS } from '../integrations/apps.service.js';
import type { PersistedManifest } from '../integrations/persisted-operations.js';
import { documentProblems } from './document-variables.js';
import { type CatalogEntry, eventCatalog } from './event-catalog.js';
import type { AllowedNetwork } from './network-policy.js';
import { urlProblem } from './network-policy.js';
import { newWebhookSecret } from './signing.js';
import { SubscriberAccess } from './subscriber-access.js';
import { webhookEndpointCreated, webhookEndpointDisabled, webhookEndpointSecretRotated, webhookEndpointUpdated } from './webhooks.business-events.js';

/*
 * Webhook endpoints belong to an integration connection: the occasion it is
 * connected to bounds what it can hear. Subscribing is checked against the
 * integration's grants, not the caller's: a planner cannot subscribe a
 * caterer to guest events the caterer may not read. The signing secret is
 * returned once (create, rotate) and otherwise kept encrypted.
 */

export interface EndpointDeps {
  appKey: Buffer;
  allowedNetworks: readonly AllowedNetwork[];
  actions: ActionRegistry;
  manifest: PersistedManifest;
  /** Hours the previous secret keeps signing after a rotation. */
  secretOverlapHours: number;
}

export const MAX_ENDPOINTS_PER_CONNECTION = 10;

const eventTypeName = z.string().regex(/^[a-z_]+\.[a-z_A-Z]+$/, 'An event type such as rsvp.submitted.');
const fields = {
  url: z.string().trim().min(1).max(2000),
  description: z.string().trim().max(500).nullable().optional(),
  eventTypes: z.array(eventTypeName).min(1, 'Subscribe to at least one event type.').max(50),
  eventIds: z.array(z.uuid()).max(100),
  documentId: z
    .string()
    .regex(/^sha256:[0-9a-f]{64}$/, 'A persisted document id (sha256:<hex>).')
    .nullable()
    .optional(),
};
const createInput = z.object({
  connectionId: z.uuid(),
  environment: z.enum(INTEGRATION_ENVIRONMENTS).optional(),
  ...fields,
  eventIds: fields.eventIds.default([]),
});
const updateInput = z.object({
  url: fields.url.optional(),
  description: fields.description,
  eventTypes: fields.eventTypes.optional(),
  eventIds: fields.eventIds.optional(),
  documentId: fields.documentId,
  status: z.enum(['ACTIVE', 'DISABLED']).optional(),
});

async function loadConnection(tx: Tx, connectionId: string) {
  const c = await tx.integrationConnection.findUnique({
    where: { id: connectionId },
    include: { integration: { select: { id: true, status: true, environment: true, allowedOperationIds: true } } },
  });
  if (!c) throw notFound('Connection');
  return c;
}
type Connection = Awaited<ReturnType<typeof loadConnection>>;

/** Everything about what an endpoint hears that can be wrong, as field issues (all at once, not the first only). */
async function subscriptionIssues(
  tx: Tx,
  deps: EndpointDeps,
  conn: Connection,
  s: { url?: string; eventTypes?: string[]; eventIds?: string[]; documentId?: string | null },
): Promise<FieldIssue[]> {
  const issues: FieldIssue[] = [];
  if (s.url !== undefined) {
    const problem = urlProblem(s.url, deps.allowedNetworks);
    if (problem) issues.push({ path: 'input.url', message: problem });
  }
  const eventIds = s.eventIds ?? [];
  if (eventIds.length) {
    if (!conn.occasionId) issues.push({ path: 'input.eventIds', message: 'A platform connection has no events.' });
    else if ((await tx.event.count({ where: { id: { in: eventIds }, occasionId: conn.occasionId } })) !== eventIds.length) {
      throw notFound('Event');
    }
  }
  if (s.eventTypes) {
    const catalog = eventCatalog();
    const access = new SubscriberAccess(tx, deps.actions);
    for (const [i, type] of s.eventTypes.entries()) {
      const entry = catalog.get(type);
      if (!entry) {
        issues.push({ path: `input.eventTypes.${i}`, message: `No event type ${type} (see businessEventTypes).` });
        continue;
      }
      const scopes = eventIds.length ? eventIds : [null];
      // Events about a resource: granted some resources of that type (a printer, its artifact), it hears of those.
      if (!eventIds.length && entry.resource && conn.occasionId && (await grantedSomeResource(tx, access, conn, entry))) continue;
      for (const eventId of scopes) {
        if (await access.allowed(conn.integration, entry, conn.occasionId, eventId)) continue;
        issues.push({
          path: `input.eventTypes.${i}`,
          message: `This integration may not read ${type}: it needs ${entry.anyOfActions.join(' or ')} on ${eventId ? 'each filtered event' : 'the whole occasion (or filter by events it may read)'}.`,
        });
        break;
      }
    }
  }
  if (s.documentId) {
    const doc = deps.manifest.get(s.documentId);
    if (!doc) issues.push({ path: 'input.documentId', message: 'Not a persisted document.' });
    else if (!conn.integration.allowedOperationIds.includes(s.documentId)) {
      issues.push({ path: 'input.documentId', message: 'Not on this integration’s operation allowlist.' });
    } else if (parse(doc).definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION && d.operation !== OperationTypeNode.QUERY)) {
      issues.push({ path: 'input.documentId', message: 'Only a query can render a payload.' });
    } else {
      const catalog = eventCatalog();
      const aboutResources = s.eventTypes ? s.eventTypes.every((t) => !!catalog.get(t)?.resource) : true;
      for (const message of documentProblems(parse(doc), { eventFiltered: eventIds.length > 0, aboutResources })) {
        issues.push({ path: 'input.documentId', message });
      }
    }
  }
  return issues;
}

/** Does the integration hold a RESOURCE grant, on a resource of the entry's type in this occasion, that lets it hear the entry? */
async function grantedSomeResource(tx: Tx, access: SubscriberAccess, conn: Connection, entry: CatalogEntry): Promise<boolean> {
  const grants = await tx.grant.findMany({
    where: {
      subjectIntegrationId: conn.integration.id,
      occasionId: conn.occasionId,
      scopeType: 'RESOURCE',
      resourceType: entry.resource,
      revokedAt: null,
      OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }],
    },
    select: { resourceType: true, resourceId: true },
  });
  for (const g of grants) {
    if (await access.allowed(conn.integration, entry, conn.occasionId, null, { type: g.resourceType!, id: g.resourceId! })) return true;
  }
  return false;
}

function assertConnectionLive(conn: Connection) {
  assertUsable(conn.integration, 'it cannot receive webhooks');
  if (conn.disabledAt) throw new ConflictError('This integration is disconnected: reconnect it first.');
}

async function addSecret(tx: Tx, appKey: Buffer, endpointId: string) {
  const secret = newWebhookSecret();
  const row = await tx.webhookEndpointSecret.create({
    data: { endpointId, valueEnc: encrypt(secret, appKey), hint: secret.slice(0, 10) },
    select: { id: true },
  });
  return { id: row.id, secret };
}

export async function createEndpoint(tx: Tx, caller: Caller, deps: EndpointDeps, input: unknown) {
  const d = parseInput(createInput, input);
  const conn = await loadConnection(tx, d.connectionId);
  assertConnectionLive(conn);
  const environment = d.environment ?? conn.integration.environment;
  const issues = await subscriptionIssues(tx, deps, conn, d);
  if (environment !== conn.integration.environment) {
    // Environments never mix: a staging integration's endpoint never gets production traffic, and the reverse.
    issues.push({ path: 'input.environment', message: `This integration is ${conn.integration.environment}.` });
  }
  if (issues.length) throw new ValidationError(issues.map((i) => i.message).join(' '), issues);
  if ((await tx.webhookEndpoint.count({ where: { connectionId: conn.id } })) >= MAX_ENDPOINTS_PER_CONNECTION) {
    throw new ConflictError(`A connection has at most ${MAX_ENDPOINTS_PER_CONNECTION} webhook endpoints.`);
  }
  const endpoint = await tx.webhookEndpoint.create({
    data: {
      connectionId: conn.id,
      integrationId: conn.integrationId,
      occasionId: conn.occasionId,
      url: d.url,
      description: d.description ?? null,
      eventTypes: [...new Set(d.eventTypes)],
      eventIds: [...new Set(d.eventIds)],
      documentId: d.documentId ?? null,
      environment,
      createdByUserId: userIdOf(caller.principal),
    },
  });
  const { secret } = await addSecret(tx, deps.appKey, endpoint.id);
  await recordAudit(tx, caller, {
    action: 'integration:connect',
    occasionId: conn.occasionId,
    target: { type: 'WebhookEndpoint', id: endpoint.id },
    after: endpoint,
  });
  await recordBusinessEvent(
    tx,
    caller,
    webhookEndpointCreated,
    { endpointId: endpoint.id, connectionId: conn.id, integrationId: conn.integrationId, eventTypes: endpoint.eventTypes },
    { occasionId: conn.occasionId },
  );
  return { endpoint, secret };
}

export async function loadEndpoint(tx: Tx, id: string) {
  const e = await tx.webhookEndpoint.findUnique({ where: { id } });
  if (!e) throw notFound('Webhook endpoint');
  return e;
}

export async function updateEndpoint(tx: Tx, caller: Caller, deps: EndpointDeps, id: string, input: unknown) {
  const d = parseInput(updateInput, input);
  const before = await loadEndpoint(tx, id);
  const conn = await loadConnection(tx, before.connectionId);
  if (d.status !== 'DISABLED') assertConnectionLive(conn);
  // What the endpoint will hear is checked as a whole: narrowing the event filter may drop access to a type.
  const eventTypes = d.eventTypes ?? before.eventTypes;
  const eventIds = d.eventIds ?? before.eventIds;
  const touchesSubscription = d.eventTypes || d.eventIds || (d.status === 'ACTIVE' && before.status !== 'ACTIVE');
  const issues = await subscriptionIssues(tx, deps, conn, {
    url: d.url,
    eventTypes: touchesSubscription ? eventTypes : undefined,
    eventIds,
    // The document is checked against the filter it will run under: dropping the event filter may strand its $eventId.
    documentId: d.documentId !== undefined ? d.documentId : d.eventIds ? before.documentId : undefined,
  });
  if (issues.length) throw new ValidationError(issues.map((i) => i.message).join(' '), issues);
  const reenabled = d.status === 'ACTIVE' && before.status !== 'ACTIVE';
  const disabled = d.status === 'DISABLED' && before.status !== 'DISABLED';
  const after = await tx.webhookEndpoint.update({
    where: { id },
    data: {
      url: d.url,
      description: d.description,
      eventTypes: d.eventTypes ? [...new Set(d.eventTypes)] : undefined,
      eventIds: d.eventIds ? [...new Set(d.eventIds)] : undefined,
      documentId: d.documentId,
      status: d.status,
      ...(reenabled ? { disabledAt: null, disabledReason: null, failingSince: null } : {}),
      ...(disabled ? { disabledAt: new Date(), disabledReason: 'disabled_by_user' } : {}),
    },
  });
  const changed = (['url', 'description', 'eventTypes', 'eventIds', 'documentId', 'status'] as const).filter(
    (k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]),
  );
  await recordAudit(tx, caller, {
    action: 'integration:connect',
    occasionId: before.occasionId,
    target: { type: 'WebhookEndpoint', id },
    before,
    after,
  });
  const ids = { endpointId: id, connectionId: before.connectionId, integrationId: before.integrationId };
  await recordBusinessEvent(tx, caller, webhookEndpointUpdated, { ...ids, changed }, { occasionId: before.occasionId });
  if (disabled)
    await recordBusinessEvent(tx, caller, webhookEndpointDisabled, { ...ids, reason: 'disabled_by_user' }, { occasionId: before.occasionId });
  return after;
}

/**
 * A new signing secret, returned once. Secrets still live keep signing beside
 * it until the overlap ends (default 24 h), so a receiver can switch without
 * a window where it rejects genuine messages; overlapHours 0 retires them now
 * (a leaked secret).
 */
export async function rotateEndpointSecret(tx: Tx, caller: Caller, deps: EndpointDeps, id: string, overlapHours = deps.secretOverlapHours) {
  const endpoint = await loadEndpoint(tx, id);
  if (!(overlapHours >= 0 && overlapHours <= 720)) {
    throw new ValidationError('The overlap is 0 to 720 hours.', [{ path: 'input.overlapHours', message: 'Between 0 and 720.' }]);
  }
  const now = new Date();
  const until = new Date(now.getTime() + overlapHours * 3_600_000);
  // Only shorten: a secret already due to expire sooner keeps its earlier end.
  await tx.webhookEndpointSecret.updateMany({
    where: { endpointId: id, OR: [{ expiresAt: null }, { expiresAt: { gt: until } }] },
    data: { expiresAt: until },
  });
  const { id: secretId, secret } = await addSecret(tx, deps.appKey, id);
  await recordAudit(tx, caller, {
    action: 'integration:connect',
    occasionId: endpoint.occasionId,
    target: { type: 'WebhookEndpoint', id },
    after: { secretId, previousSecretsExpireAt: until },
  });
  await recordBusinessEvent(
    tx,
    caller,
    webhookEndpointSecretRotated,
    {
      endpointId: id,
      connectionId: endpoint.connectionId,
      integrationId: endpoint.integrationId,
      secretId,
      previousExpiresAt: until.toISOString(),
    },
    { occasionId: endpoint.occasionId },
  );
  return { endpoint, secret, previousSecretsExpireAt: until };
}
