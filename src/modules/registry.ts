import { createModuleRegistry } from '../domains/module-platform/manifest.js';
import { createActionRegistry } from '../domains/permissions/actions.js';
import { formsManifest } from './forms/manifest.js';
import { rsvpManifest } from './rsvp/manifest.js';
import { seatingManifest } from './seating/manifest.js';
import { timelineManifest } from './timeline/manifest.js';

/** Every module this server ships. Adding a module = adding its manifest here. */
export const moduleRegistry = createModuleRegistry([rsvpManifest, formsManifest, seatingManifest, timelineManifest]);

/** Core actions and roles plus every module's. */
export const actionRegistry = createActionRegistry(
  Object.fromEntries(moduleRegistry.list().flatMap((m) => Object.entries(m.actions))),
  Object.fromEntries(moduleRegistry.list().flatMap((m) => Object.entries(m.roles))),
  moduleRegistry.list().flatMap((m) => m.platformServiceActions ?? []),
);
