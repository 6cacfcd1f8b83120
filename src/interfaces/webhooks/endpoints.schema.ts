import { EventType } from '../../domains/events/events.schema.js';
import { PLATFORM_TARGET } from '../../kit/authorization.js';
import { resolveAppKey } from '../../platform/app-key.js';
import { ConflictError, ValidationError } from '../../platform/errors.js';
import { builder } from '../../kit/builder.js';
import type { Context } from '../../kit/context.js';
import { encodeGlobalID } from '../../kit/ids.js';
import { payload } from '../../kit/payload.js';
import { canField, canType, inheritedType } from '../../kit/rules.js';
import { inTransaction } from '../../kit/transaction.js';
import { IntegrationEnvironment } from '../integrations/apps.schema.js';
import { IntegrationConnectionType } from '../integrations/connections.schema.js';
import { loadPersistedManifest } from '../integrations/persisted-operations.js';
import { toIntegrationEnvironment } from '../integrations/principal.js';
import { deliveryCounts, healthOf, sendTest } from './deliveries.service.js';
import { WebhookDeliveryRef, WebhookDeliveryStatus, EndpointHealthEnum } from './deliveries.schema.js';
import { createEndpoint, type EndpointDeps, rotateEndpointSecret, updateEndpoint } from './endpoints.service.js';
import { requestLoader } from '../../kit/request-loader.js';

/*
 * Planners manage the webhook endpoints of the integrations connected to
 * their occasion: reading them is occasion data (access:read, like the
 * connection), changing them is integration:connect. What an endpoint may
 * hear is checked against the integration's grants (endpoints.service.ts).
 */

const manifest = loadPersistedManifest();
export const endpointDeps = (ctx: Context): EndpointDeps => ({
  appKey: resolveAppKey(ctx.app.config),
  allowedNetworks: ctx.app.config.WEBHOOK_ALLOWED_NETWORKS,
  actions: ctx.app.actions,
  manifest,
  secretOverlapHours: ctx.app.config.WEBHOOK_SECRET_OVERLAP_HOURS,
});

const EndpointStatus = builder.enumType('WebhookEndpointStatus', { values: ['ACTIVE', 'DISABLED'] as const });

const SecretInfo = builder.objectRef<{ id: string; hint: string; createdAt: Date; expiresAt: Date | null }>('WebhookSigningSecret').implement({
  ...inheritedType,
  description: 'A signing secret: its first characters only. A secret with expiresAt still signs until then (rotation overlap).',
  fields: (t) => ({
    hint: t.exposeString('hint', inheritedType),
    createdAt: t.field({ type: 'DateTime', ...inheritedType, resolve: (s) => s.createdAt }),
    expiresAt: t.field({ type: 'DateTime', nullable: true, ...inheritedType, resolve: (s) => s.expiresAt }),
  }),
});

/** Pending/failed counts for every endpoint of a response in one statement. */
const countsOf = requestLoader(async (ctx, ids) => {
  const counts = await deliveryCounts(ctx.prisma, ids);
  return new Map(ids.map((id, i) => [id, counts[i]!]));
});

export const WebhookEndpointType = builder.prismaNode('WebhookEndpoint', {
  id: { field: 'id' },
  ...canType('access:read', 'OCCASION', (e: { occasionId: string | null }) => (e.occasionId ? { occasionId: e.occasionId } : PLATFORM_TARGET)),
  description: 'Where an integration connection gets business events (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature).',
  fields: (t) => ({
    url: t.exposeString('url'),
    description: t.exposeString('description', { nullable: true }),
    eventTypes: t.exposeStringList('eventTypes'),
    eventIds: t.idList({
      description: 'Only events of these events (empty: all).',
      resolve: (e) => e.eventIds.map((id) => encodeGlobalID('Event', id)),
    }),
    documentId: t.exposeString('documentId', { nullable: true, description: 'The persisted document rendered into each payload’s data.' }),
    environment: t.expose('environment', { type: IntegrationEnvironment }),
    status: t.expose('status', { type: EndpointStatus }),
    health: t.field({ type: EndpointHealthEnum, resolve: (e) => healthOf(e) }),
    disabledReason: t.exposeString('disabledReason', {
      nullable: true,
      description: 'disabled_by_user, gone (HTTP 410) or failing (days of failures).',
    }),
    disabledAt: t.expose('disabledAt', { type: 'DateTime', nullable: true }),
    failingSince: t.expose('failingSince', { type: 'DateTime', nullable: true }),
    lastSuccessAt: t.expose('lastSuccessAt', { type: 'DateTime', nullable: true }),
    lastFailureAt: t.expose('lastFailureAt', { type: 'DateTime', nullable: true }),
    pendingDeliveries: t.int({ resolve: async (e, _a, ctx) => (await countsOf(ctx, e.id))?.pending ?? 0 }),
    failedDeliveries: t.int({ resolve: async (e, _a, ctx) => (await countsOf(ctx, e.id))?.failed ?? 0 }),
    signingSecrets: t.field({
      type: [SecretInfo],
      description: 'Secrets signing now (newest last).',
      select: { secrets: { orderBy: { id: 'asc' } } },
      resolve: (e) => e.secrets.filter((s) => !s.expiresAt || s.expiresAt > new Date()),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    deliveries: t.relatedConnection('deliveries', {
      type: WebhookDeliveryRef,
      cursor: 'id',
      totalCount: true,
      args: { status: t.arg({ type: [WebhookDeliveryStatus] }) },
      query: (args) => ({ where: args.status?.length ? { status: { in: args.status } } : {}, orderBy: { id: 'desc' as const } }),
      description: 'Newest first.',
    }),
  }),
});

builder.prismaObjectField(IntegrationConnectionType, 'webhookEndpoints', (t) =>
  t.relation('endpoints', { query: { orderBy: { id: 'asc' } }, description: 'Its webhook endpoints.' }),
);

const CreateInput = builder.inputType('CreateWebhookEndpointInput', {
  fields: (t) => ({
    connectionId: t.globalID({ required: true, for: IntegrationConnectionType }),
    url: t.string({ required: true, description: 'https (plain http only to loopback where config allows it).' }),
    eventTypes: t.stringList({ required: true, description: 'From businessEventTypes; the integration must be allowed to read each.' }),
    eventIds: t.globalIDList({ for: EventType, description: 'Only events of these events of the occasion.' }),
    documentId: t.string({ description: 'A persisted document (sha256:<hex>) on the integration’s allowlist, rendered as it into each payload.' }),
    description: t.string(),
    environment: t.field({ type: IntegrationEnvironment, description: 'Defaults to the integration’s; another is refused.' }),
  }),
});
const UpdateInput = builder.inputType('UpdateWebhookEndpointInput', {
  fields: (t) => ({
    id: t.globalID({ required: true, for: WebhookEndpointType }),
    url: t.string(),
    eventTypes: t.stringList(),
    eventIds: t.globalIDList({ for: EventType }),
    documentId: t.string({ description: 'Empty string removes it.' }),
    description: t.string(),
    status: t.field({ type: EndpointStatus, description: 'DISABLED stops deliveries; ACTIVE re-enables (and clears the failing streak).' }),
  }),
});
const RotateInput = builder.inputType('RotateWebhookEndpointSecretInput', {
  fields: (t) => ({
    id: t.globalID({ required: true, for: WebhookEndpointType }),
    overlapHours: t.float({ description: 'How long the previous secrets keep signing (default 24; 0 for a leaked secret).' }),
  }),
});
const IdInput = builder.inputType('WebhookEndpointIdInput', {
  fields: (t) => ({ id: t.globalID({ required: true, for: WebhookEndpointType }) }),
});

const WithSecret = builder
  .objectRef<{ endpoint: unknown; secret: string; previousSecretsExpireAt?: Date }>('WebhookEndpointSecretPayload')
  .implement({
    ...inheritedType,
    fields: (t) => ({
      endpoint: t.field({ type: WebhookEndpointType, ...inheritedType, resolve: (p) => p.endpoint as never }),
      secret: t.exposeString('secret', { ...inheritedType, description: 'whsec_…: shown once, now. Verify webhook-signature with it.' }),
      previousSecretsExpireAt: t.field({
        type: 'DateTime',
        nullable: true,
        ...inheritedType,
        resolve: (p) => p.previousSecretsExpireAt ?? null,
      }),
    }),
  });

type ConnectArgs = { input: { id?: { id: string }; connectionId?: { id: string } } };
const connect = (target: (args: ConnectArgs, ctx: Context) => unknown) =>
  canField('integration:connect', 'OCCASION', (_p, args: ConnectArgs, ctx) => target(args, ctx) as never);
const byEndpoint = connect((args, ctx) => ctx.targets.webhookEndpoint(args.input.id!.id));

builder.mutationFields((t) => ({
  createWebhookEndpoint: t.field({
    type: WithSecret,
    ...connect((args, ctx) => ctx.targets.integrationConnection(args.input.connectionId!.id)),
    description: 'Subscribe an integration connection to event types. Returns the signing secret once.',
    args: { input: t.arg({ type: CreateInput, required: true }) },
    errors: { types: [ValidationError, ConflictError] },
    resolve: (_r, { input }, ctx) =>
      inTransaction(ctx, (tx) =>
        createEndpoint(tx, ctx.caller, endpointDeps(ctx), {
          connectionId: input.connectionId.id,
          url: input.url,
          eventTypes: input.eventTypes,
          eventIds: input.eventIds?.map((e) => e.id),
          documentId: input.documentId ?? undefined,
          description: input.description ?? undefined,
          environment: input.environment ?? undefined,
        }),
      ),
  }),
  updateWebhookEndpoint: t.field({
    type: payload('UpdateWebhookEndpointPayload', 'endpoint', WebhookEndpointType),
    ...byEndpoint,
    args: { input: t.arg({ type: UpdateInput, required: true }) },
    errors: { types: [ValidationError, ConflictError] },
    resolve: async (_r, { input }, ctx) => ({
      endpoint: await inTransaction(ctx, (tx) =>
        updateEndpoint(tx, ctx.caller, endpointDeps(ctx), input.id.id, {
          url: input.url ?? undefined,
          eventTypes: input.eventTypes ?? undefined,
          eventIds: input.eventIds?.map((e) => e.id),
          documentId: input.documentId === '' ? null : (input.documentId ?? undefined),
          description: input.description ?? undefined,
          status: input.status ?? undefined,
        }),
      ),
    }),
  }),
  rotateWebhookEndpointSecret: t.field({
    type: WithSecret,
    ...byEndpoint,
    description: 'A new signing secret (shown once); the previous ones keep signing until the overlap ends.',
    args: { input: t.arg({ type: RotateInput, required: true }) },
    errors: { types: [ValidationError] },
    resolve: (_r, { input }, ctx) =>
      inTransaction(ctx, (tx) => rotateEndpointSecret(tx, ctx.caller, endpointDeps(ctx), input.id.id, input.overlapHours ?? undefined)),
  }),
  sendTestWebhook: t.field({
    type: payload('SendTestWebhookPayload', 'delivery', WebhookDeliveryRef),
    ...byEndpoint,
    description: 'Send a webhook.test message to this endpoint now; follow it in delivery.attempts.',
    args: { input: t.arg({ type: IdInput, required: true }) },
    errors: { types: [ConflictError] },
    resolve: async (_r, { input }, ctx) => {
      const delivery = await inTransaction(ctx, (tx) =>
        sendTest(tx, ctx.caller, input.id.id, toIntegrationEnvironment(ctx.app.config.DEPLOYMENT_ENVIRONMENT)),
      );
      await ctx.app.webhookDispatch?.([{ id: delivery.id, runAt: new Date() }]);
      return { delivery };
    },
  }),
}));
