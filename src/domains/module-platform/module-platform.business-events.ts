import { z } from 'zod';
import { defineEvent } from '../../platform/outbox.js';

const base = z.object({ occasionId: z.uuid(), moduleKey: z.string(), installationId: z.uuid() });

export const moduleInstalled = defineEvent({
  type: 'module.installed',
  description: 'A module was installed on the occasion.',
  payload: base.extend({ version: z.string() }),
  requiredAction: 'module:read',
});
export const moduleConfigured = defineEvent({
  type: 'module.configured',
  description: 'A module’s occasion-level configuration changed.',
  payload: base,
  requiredAction: 'module:read',
});
export const moduleUninstalled = defineEvent({
  type: 'module.uninstalled',
  description: 'A module was removed from the occasion (and from every event).',
  payload: base,
  requiredAction: 'module:read',
});
export const moduleEnabled = defineEvent({
  type: 'module.enabled',
  description: 'A module was enabled on an event, or its event configuration changed.',
  payload: base.extend({ eventId: z.uuid() }),
  requiredAction: 'module:read',
});
export const moduleDisabled = defineEvent({
  type: 'module.disabled',
  description: 'A module was disabled on an event.',
  payload: base.extend({ eventId: z.uuid() }),
  requiredAction: 'module:read',
});

export const MODULE_EVENTS = [moduleInstalled, moduleConfigured, moduleUninstalled, moduleEnabled, moduleDisabled];
