import { z } from 'zod';
import { defineBusinessEvent } from '../../platform/outbox.js';

const base = z.object({ occasionId: z.uuid(), moduleKey: z.string(), installationId: z.uuid() });

export const moduleInstalled = defineBusinessEvent({
  type: 'module.installed',
  description: 'A module was installed on the occasion.',
  payload: base.extend({ version: z.string() }),
  requiredAction: 'module:read',
});
export const moduleConfigured = defineBusinessEvent({
  type: 'module.configured',
  description: 'A module’s occasion-level configuration changed.',
  payload: base,
  requiredAction: 'module:read',
});
export const moduleUninstalled = defineBusinessEvent({
  type: 'module.uninstalled',
  description: 'A module was removed from the occasion (and from every event).',
  payload: base,
  requiredAction: 'module:read',
});
export const moduleEnabled = defineBusinessEvent({
  type: 'module.enabled',
  description: 'A module was enabled on an event, or its event configuration changed.',
  payload: base.extend({ eventId: z.uuid() }),
  requiredAction: 'module:read',
});
export const moduleDisabled = defineBusinessEvent({
  type: 'module.disabled',
  description: 'A module was disabled on an event.',
  payload: base.extend({ eventId: z.uuid() }),
  requiredAction: 'module:read',
});

export const MODULE_BUSINESS_EVENTS = [moduleInstalled, moduleConfigured, moduleUninstalled, moduleEnabled, moduleDisabled];
