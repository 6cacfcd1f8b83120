import { builder } from '../../kit/builder.js';
import { encodeGlobalID } from '../../kit/ids.js';
import { inheritedType } from '../../kit/rules.js';

/*
 * Deliveries and their attempts. Planners reach them through their occasion's
 * endpoints (WebhookEndpoint.deliveries); platform operators through
 * operator.schema.ts. Deliveries are not nodes: nothing fetches one by id
 * around those two paths, so they carry no rule of their own.
 */

export const WebhookDeliveryStatus = builder.enumType('WebhookDeliveryStatus', {
  values: ['PENDING', 'DELIVERING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const,
});
export const EndpointHealthEnum = builder.enumType('WebhookEndpointHealth', {
  values: ['HEALTHY', 'FAILING', 'DISABLED'] as const,
  description: 'FAILING: every attempt since failingSince has failed; DISABLED: no deliveries until re-enabled.',
});
const AttemptOutcome = builder.enumType('WebhookAttemptOutcome', { values: ['SUCCEEDED', 'RETRYABLE', 'TERMINAL'] as const });
const AttemptTrigger = builder.enumType('WebhookAttemptTrigger', { values: ['SCHEDULE', 'MANUAL', 'TEST'] as const });

builder.prismaObject('WebhookAttempt', {
  ...inheritedType,
  fields: (t) => ({
    number: t.exposeInt('number', inheritedType),
    trigger: t.expose('trigger', { type: AttemptTrigger, ...inheritedType }),
    startedAt: t.expose('startedAt', { type: 'DateTime', ...inheritedType }),
    durationMs: t.exposeInt('durationMs', inheritedType),
    statusCode: t.exposeInt('statusCode', { nullable: true, ...inheritedType }),
    outcome: t.expose('outcome', { type: AttemptOutcome, ...inheritedType }),
    errorClass: t.exposeString('errorClass', { nullable: true, ...inheritedType, description: 'timeout, connect_refused, http_500, redirect, …' }),
    error: t.exposeString('error', { nullable: true, ...inheritedType }),
    responseExcerpt: t.exposeString('responseExcerpt', { nullable: true, ...inheritedType, description: 'The first 1 KiB of the response body.' }),
  }),
});

export const WebhookDeliveryRef = builder.prismaObject('WebhookDelivery', {
  ...inheritedType,
  description: 'One event for one endpoint: its state, schedule and attempts.',
  fields: (t) => ({
    id: t.id({ ...inheritedType, resolve: (d) => encodeGlobalID('WebhookDelivery', d.id) }),
    webhookId: t.exposeString('outboxEventId', { ...inheritedType, description: 'The webhook-id header: the same on every retry and redelivery.' }),
    endpointId: t.id({ ...inheritedType, resolve: (d) => encodeGlobalID('WebhookEndpoint', d.endpointId) }),
    endpointUrl: t.string({ ...inheritedType, select: { endpoint: { select: { url: true } } }, resolve: (d) => d.endpoint.url }),
    eventType: t.exposeString('eventType', inheritedType),
    status: t.expose('status', { type: WebhookDeliveryStatus, ...inheritedType }),
    attemptCount: t.exposeInt('attemptCount', inheritedType),
    nextAttemptAt: t.expose('nextAttemptAt', { type: 'DateTime', nullable: true, ...inheritedType }),
    lastAttemptAt: t.expose('lastAttemptAt', { type: 'DateTime', nullable: true, ...inheritedType }),
    lastError: t.exposeString('lastError', { nullable: true, ...inheritedType }),
    completedAt: t.expose('completedAt', { type: 'DateTime', nullable: true, ...inheritedType }),
    createdAt: t.expose('createdAt', { type: 'DateTime', ...inheritedType }),
    attempts: t.relation('attempts', { ...inheritedType, query: { orderBy: { number: 'asc' } } }),
  }),
});
