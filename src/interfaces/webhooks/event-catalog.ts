import { z } from 'zod';
import { ACTOR_BUSINESS_EVENTS } from '../../domains/actors/actors.business-events.js';
import { ASSET_BUSINESS_EVENTS } from '../../domains/assets/assets.business-events.js';
import { COMMUNICATIONS_BUSINESS_EVENTS } from '../../domains/communications/communications.business-events.js';
import { EVENT_BUSINESS_EVENTS } from '../../domains/events/events.business-events.js';
import { GUEST_ACCESS_BUSINESS_EVENTS } from '../../domains/guest-access/guest-access.business-events.js';
import { IDENTITY_BUSINESS_EVENTS } from '../../domains/identity/identity.business-events.js';
import type { ModuleRegistry } from '../../domains/module-platform/manifest.js';
import { moduleRegistry } from '../../modules/registry.js';
import { MODULE_BUSINESS_EVENTS } from '../../domains/module-platform/module-platform.business-events.js';
import { OCCASION_BUSINESS_EVENTS } from '../../domains/occasions/occasions.business-events.js';
import { PERMISSION_BUSINESS_EVENTS } from '../../domains/permissions/permissions.business-events.js';
import type { BusinessEventType } from '../../platform/outbox.js';
import { INTEGRATION_BUSINESS_EVENTS } from '../integrations/integrations.business-events.js';
import { PUBLISHING_BUSINESS_EVENTS } from '../../capabilities/publishing/publishing.business-events.js';
import { COLLABORATION_BUSINESS_EVENTS } from '../../capabilities/collaboration/collaboration.business-events.js';
import { WEBHOOK_BUSINESS_EVENTS } from './webhooks.business-events.js';

/*
 * The event catalog: every business event this server emits, contributed by
 * the core domains and by each module's manifest, with its payload schema,
 * description and the action a subscriber needs to receive it. Webhook
 * subscriptions are checked against it; partners read it to know what exists.
 */

const CORE_BUSINESS_EVENTS: readonly BusinessEventType[] = [
  ...OCCASION_BUSINESS_EVENTS,
  ...EVENT_BUSINESS_EVENTS,
  ...ACTOR_BUSINESS_EVENTS,
  ...MODULE_BUSINESS_EVENTS,
  ...PERMISSION_BUSINESS_EVENTS,
  ...GUEST_ACCESS_BUSINESS_EVENTS,
  ...COMMUNICATIONS_BUSINESS_EVENTS,
  ...PUBLISHING_BUSINESS_EVENTS,
  ...COLLABORATION_BUSINESS_EVENTS,
  ...ASSET_BUSINESS_EVENTS,
  ...IDENTITY_BUSINESS_EVENTS,
  ...INTEGRATION_BUSINESS_EVENTS,
  ...WEBHOOK_BUSINESS_EVENTS,
];

export interface CatalogEntry {
  type: string;
  description: string;
  requiredAction: string;
  /** requiredAction or any of these suffices. */
  anyOfActions: string[];
  /** Where it comes from: "core" or the module key. */
  source: string;
  /** The resource type its events name (their envelope's resourceId), if any. */
  resource: string | null;
  /** The payload as JSON Schema (from its zod schema). */
  payloadSchema: unknown;
}

export function buildEventCatalog(registry: ModuleRegistry): Map<string, CatalogEntry> {
  const catalog = new Map<string, CatalogEntry>();
  const add = (e: BusinessEventType, source: string) => {
    if (catalog.has(e.type)) throw new Error(`Event type ${e.type} is declared twice (${catalog.get(e.type)!.source} and ${source})`);
    catalog.set(e.type, {
      type: e.type,
      description: e.description,
      requiredAction: e.requiredAction,
      anyOfActions: [e.requiredAction, ...(e.alsoAllowedWith ?? [])],
      source,
      resource: e.resource ?? null,
      payloadSchema: z.toJSONSchema(e.payload, { unrepresentable: 'any' }),
    });
  };
  for (const e of CORE_BUSINESS_EVENTS) add(e, 'core');
  for (const m of registry.list()) for (const e of m.businessEvents) add(e, m.key);
  return new Map([...catalog.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

let shared: Map<string, CatalogEntry> | null = null;

/** The catalog of this server's modules, built once. */
export function eventCatalog(): Map<string, CatalogEntry> {
  shared ??= buildEventCatalog(moduleRegistry);
  return shared;
}
