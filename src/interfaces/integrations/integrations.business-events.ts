import { z } from 'zod';
import { defineBusinessEvent } from '../../platform/outbox.js';

/*
 * Integration records are platform-level: their events carry no occasion
 * (outbox occasion_id null) except connections, which belong to the occasion
 * they connect. Payloads never carry secrets, secret hashes or configuration.
 */

const app = z.object({ integrationId: z.uuid() });

export const integrationCreated = defineBusinessEvent({
  type: 'integration.created',
  description: 'An integration app was defined.',
  payload: app.extend({ businessRole: z.string(), environment: z.string(), flags: z.array(z.string()) }),
  requiredAction: 'integration:read',
});
export const integrationConfigured = defineBusinessEvent({
  type: 'integration.configured',
  description: 'An integration’s definition configuration changed.',
  payload: app.extend({ status: z.string() }),
  requiredAction: 'integration:read',
});
export const integrationStatusChanged = defineBusinessEvent({
  type: 'integration.status_changed',
  description: 'An integration moved through its lifecycle (enabled, active, disabled, revoked, archived).',
  payload: app.extend({ from: z.string(), to: z.string() }),
  requiredAction: 'integration:read',
});
export const integrationCredentialIssued = defineBusinessEvent({
  type: 'integration_credential.issued',
  description: 'A credential (key id + secret) was issued to an integration.',
  payload: app.extend({ credentialId: z.uuid(), keyId: z.string(), expiresAt: z.string().nullable() }),
  requiredAction: 'integration:read',
});
export const integrationCredentialRevoked = defineBusinessEvent({
  type: 'integration_credential.revoked',
  description: 'A credential stopped working.',
  payload: app.extend({ credentialId: z.uuid(), keyId: z.string() }),
  requiredAction: 'integration:read',
});
export const integrationSecretSet = defineBusinessEvent({
  type: 'integration_secret.set',
  description: 'A webhook/adapter secret was set or rotated (the value is never in the event).',
  payload: app.extend({ secretId: z.uuid(), name: z.string(), replacesId: z.uuid().nullable() }),
  requiredAction: 'integration:read',
});
export const integrationConnected = defineBusinessEvent({
  type: 'integration.connected',
  description: 'An integration was connected to an occasion (or at platform scope), or its connection reconfigured.',
  payload: app.extend({ connectionId: z.uuid(), occasionId: z.uuid().nullable(), eventIds: z.array(z.uuid()) }),
  requiredAction: 'integration:connect',
});
export const integrationDisconnected = defineBusinessEvent({
  type: 'integration.disconnected',
  description: 'An integration was disconnected; its grants in the occasion were revoked.',
  payload: app.extend({ connectionId: z.uuid(), occasionId: z.uuid().nullable(), revokedGrants: z.number().int() }),
  requiredAction: 'integration:connect',
});
export const integrationPlatformAccessGranted = defineBusinessEvent({
  type: 'integration.platform_access_granted',
  description: 'An operator granted a platform integration platform-service actions at platform scope.',
  payload: app.extend({ grantId: z.uuid(), actions: z.array(z.string()), expiresAt: z.string().nullable() }),
  requiredAction: 'integration:read',
});
export const integrationPlatformAccessRevoked = defineBusinessEvent({
  type: 'integration.platform_access_revoked',
  description: 'An operator revoked a platform integration’s platform-scope grant.',
  payload: app.extend({ grantId: z.uuid() }),
  requiredAction: 'integration:read',
});

export const INTEGRATION_BUSINESS_EVENTS = [
  integrationCreated,
  integrationConfigured,
  integrationStatusChanged,
  integrationCredentialIssued,
  integrationCredentialRevoked,
  integrationSecretSet,
  integrationConnected,
  integrationDisconnected,
  integrationPlatformAccessGranted,
  integrationPlatformAccessRevoked,
];
