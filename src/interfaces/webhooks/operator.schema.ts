import { PLATFORM_TARGET } from '../../kit/authorization.js';
import { ConflictError, ValidationError } from '../../platform/errors.js';
import { builder } from '../../kit/builder.js';
import { encodeGlobalID } from '../../kit/ids.js';
import { payload } from '../../kit/payload.js';
import { canField, inheritedType } from '../../kit/rules.js';
import { inTransaction } from '../../kit/transaction.js';
import { endpointHealth, healthOf, recoverFailed, redeliver } from './deliveries.service.js';
import { EndpointHealthEnum, WebhookDeliveryRef, WebhookDeliveryStatus } from './deliveries.schema.js';
import { WebhookEndpointType } from './endpoints.schema.js';

/*
 * Platform operators' view of webhooks across every occasion: deliveries by
 * status/endpoint/type, endpoint health, redeliver one, recover an outage
 * window (integration:read / integration:manage at PLATFORM).
 */

const platform = () => PLATFORM_TARGET;

const DeliveryFilter = builder.inputType('WebhookDeliveryFilter', {
  fields: (t) => ({
    status: t.field({ type: [WebhookDeliveryStatus] }),
    endpointId: t.globalID({ for: WebhookEndpointType }),
    eventType: t.string(),
    createdAfter: t.field({ type: 'DateTime' }),
    createdBefore: t.field({ type: 'DateTime' }),
  }),
});

type Filter = {
  status?: string[] | null;
  endpointId?: { id: string } | null;
  eventType?: string | null;
  createdAfter?: Date | null;
  createdBefore?: Date | null;
};
const deliveryWhere = (f: Filter) => ({
  ...(f.status?.length ? { status: { in: f.status as never } } : {}),
  ...(f.endpointId ? { endpointId: f.endpointId.id } : {}),
  ...(f.eventType ? { eventType: f.eventType } : {}),
  ...(f.createdAfter || f.createdBefore ? { createdAt: { gte: f.createdAfter ?? undefined, lt: f.createdBefore ?? undefined } } : {}),
});

/** An operator's view of an endpoint: where it points and how it is doing, not its configuration. */
const EndpointHealthRow = builder
  .objectRef<{
    id: string;
    url: string;
    integrationId: string;
    occasionId: string | null;
    status: string;
    failingSince: Date | null;
    lastSuccessAt: Date | null;
    lastFailureAt: Date | null;
    disabledReason: string | null;
    pending: number;
    failed: number;
  }>('WebhookEndpointHealthRow')
  .implement({
    ...inheritedType,
    fields: (t) => ({
      endpointId: t.id({ ...inheritedType, resolve: (e) => encodeGlobalID('WebhookEndpoint', e.id) }),
      url: t.exposeString('url', inheritedType),
      integrationId: t.id({ ...inheritedType, resolve: (e) => encodeGlobalID('IntegrationApp', e.integrationId) }),
      occasionId: t.id({ nullable: true, ...inheritedType, resolve: (e) => (e.occasionId ? encodeGlobalID('Occasion', e.occasionId) : null) }),
      health: t.field({ type: EndpointHealthEnum, ...inheritedType, resolve: (e) => healthOf(e) }),
      disabledReason: t.exposeString('disabledReason', { nullable: true, ...inheritedType }),
      failingSince: t.field({ type: 'DateTime', nullable: true, ...inheritedType, resolve: (e) => e.failingSince }),
      lastSuccessAt: t.field({ type: 'DateTime', nullable: true, ...inheritedType, resolve: (e) => e.lastSuccessAt }),
      lastFailureAt: t.field({ type: 'DateTime', nullable: true, ...inheritedType, resolve: (e) => e.lastFailureAt }),
      pendingDeliveries: t.exposeInt('pending', inheritedType),
      failedDeliveries: t.exposeInt('failed', inheritedType),
    }),
  });

builder.queryFields((t) => ({
  webhookDeliveries: t.prismaConnection({
    type: 'WebhookDelivery',
    cursor: 'id',
    ...canField('integration:read', 'PLATFORM', platform),
    description: 'Deliveries across every occasion, newest first (platform operators).',
    args: { filter: t.arg({ type: DeliveryFilter }) },
    resolve: (query, _p, args, ctx) =>
      ctx.prisma.webhookDelivery.findMany({ ...query, where: deliveryWhere(args.filter ?? {}), orderBy: { id: 'desc' } }),
    totalCount: (_p, args, ctx) => ctx.prisma.webhookDelivery.count({ where: deliveryWhere(args.filter ?? {}) }),
  }),
  webhookEndpointHealth: t.field({
    type: [EndpointHealthRow],
    ...canField('integration:read', 'PLATFORM', platform),
    description: 'Every endpoint that is failing or disabled (or all, with includeHealthy), worst first (platform operators).',
    args: { includeHealthy: t.arg.boolean() },
    resolve: (_p, args, ctx) => endpointHealth(ctx.prisma, { includeHealthy: args.includeHealthy }),
  }),
}));

const RecoverInput = builder.inputType('RecoverWebhookDeliveriesInput', {
  fields: (t) => ({
    from: t.field({ type: 'DateTime', required: true }),
    to: t.field({ type: 'DateTime', required: true }),
    endpointId: t.globalID({ for: WebhookEndpointType, description: 'Only this endpoint.' }),
  }),
});

builder.mutationFields((t) => ({
  redeliverWebhook: t.field({
    type: payload('RedeliverWebhookPayload', 'delivery', WebhookDeliveryRef),
    ...canField('integration:manage', 'PLATFORM', platform),
    description: 'Send a delivery again now (same webhook-id), whatever its state (platform operators).',
    args: { deliveryId: t.arg.globalID({ required: true, for: WebhookDeliveryRef }) },
    errors: { types: [ConflictError] },
    resolve: async (_r, args, ctx) => {
      const delivery = await inTransaction(ctx, (tx) => redeliver(tx, ctx.caller, args.deliveryId.id));
      await ctx.app.webhookDispatch?.([{ id: delivery.id, runAt: new Date() }]);
      return { delivery };
    },
  }),
  recoverWebhookDeliveries: t.field({
    type: builder.objectRef<{ count: number }>('RecoverWebhookDeliveriesPayload').implement({
      ...inheritedType,
      fields: (f) => ({ recovered: f.exposeInt('count', { ...inheritedType, description: 'Deliveries due again now.' }) }),
    }),
    ...canField('integration:manage', 'PLATFORM', platform),
    description: 'After an outage: every failed or cancelled delivery created in [from, to) is sent again (platform operators).',
    args: { input: t.arg({ type: RecoverInput, required: true }) },
    errors: { types: [ValidationError] },
    resolve: async (_r, { input }, ctx) => {
      const ids = await inTransaction(ctx, (tx) =>
        recoverFailed(tx, ctx.caller, { from: input.from, to: input.to, endpointId: input.endpointId?.id }),
      );
      const now = new Date();
      await ctx.app.webhookDispatch?.(ids.map((id) => ({ id, runAt: now })));
      return { count: ids.length };
    },
  }),
}));
