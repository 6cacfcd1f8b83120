import { z } from 'zod';
import { defineBusinessEvent } from '../../platform/outbox.js';

/*
 * Events about webhook endpoints and deliveries themselves: operational, for
 * the audit trail and operators (integration:read is a platform action, so no
 * partner endpoint subscribes to them). Never a URL's secret or a payload.
 */

const endpoint = z.object({ endpointId: z.uuid(), connectionId: z.uuid(), integrationId: z.uuid() });

export const webhookEndpointCreated = defineBusinessEvent({
  type: 'webhook_endpoint.created',
  description: 'A webhook endpoint was added to an integration connection.',
  payload: endpoint.extend({ eventTypes: z.array(z.string()) }),
  requiredAction: 'integration:read',
});
export const webhookEndpointUpdated = defineBusinessEvent({
  type: 'webhook_endpoint.updated',
  description: 'A webhook endpoint’s URL, event types, filter, document or status changed.',
  payload: endpoint.extend({ changed: z.array(z.string()) }),
  requiredAction: 'integration:read',
});
export const webhookEndpointSecretRotated = defineBusinessEvent({
  type: 'webhook_endpoint.secret_rotated',
  description: 'A webhook endpoint got a new signing secret; the previous one keeps signing until the overlap ends.',
  payload: endpoint.extend({ secretId: z.uuid(), previousExpiresAt: z.string().nullable() }),
  requiredAction: 'integration:read',
});
export const webhookEndpointDisabled = defineBusinessEvent({
  type: 'webhook_endpoint.disabled',
  description: 'A webhook endpoint was disabled: by a person, on HTTP 410 Gone, or after failing continuously for days.',
  payload: endpoint.extend({ reason: z.string() }),
  requiredAction: 'integration:read',
});
export const webhookDeliveryExhausted = defineBusinessEvent({
  type: 'webhook_delivery.exhausted',
  description: 'A webhook delivery failed on every scheduled attempt (or terminally) and was marked failed.',
  payload: endpoint.extend({ deliveryId: z.uuid(), eventType: z.string(), attempts: z.number().int(), lastError: z.string().nullable() }),
  requiredAction: 'integration:read',
});
export const webhookTestSent = defineBusinessEvent({
  type: 'webhook.test',
  description: 'A test message sent to one endpoint on request (never fanned out to subscribers).',
  payload: z.object({ endpointId: z.uuid(), requestedBy: z.string().nullable() }),
  requiredAction: 'integration:read',
});

export const WEBHOOK_BUSINESS_EVENTS = [
  webhookEndpointCreated,
  webhookEndpointUpdated,
  webhookEndpointSecretRotated,
  webhookEndpointDisabled,
  webhookDeliveryExhausted,
  webhookTestSent,
];
