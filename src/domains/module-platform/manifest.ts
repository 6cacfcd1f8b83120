import type { z } from 'zod';
import type { Tx } from '../../platform/db/client.js';
import { reactInTransaction, type BusinessEventType, type Reaction } from '../../platform/outbox.js';
import type { InboundAdapter } from '../../kit/inbound-adapter.js';
import type { HttpRoute } from '../../kit/http-route.js';
import type { LivePublisher } from '../../kit/live.js';
import type { TargetDefinitions } from '../../kit/targets.js';
import type { RoleDefinition } from '../permissions/actions.js';
import type { ReminderSource } from '../communications/reminders/source.js';

declare module '../../kit/context.js' {
  interface AppServices {
    /** Every module this server ships (src/modules/registry.ts); where each is installed is `ctx.moduleState`. */
    moduleRegistry: ModuleRegistry;
  }
}

/**
 * What a module declares about itself (Vendure-style plugin metadata). The
 * module platform installs, configures and enables modules only from these.
 */
export interface ModuleManifest {
  key: string;
  version: string;
  name: string;
  description: string;
  /** Modules that must be installed on the occasion first (and cannot be uninstalled while this one is). */
  dependsOn: string[];
  /** Modules whose code it calls when they are installed, without requiring them (RSVP reads a linked form's questions). */
  uses?: string[];
  actions: Record<string, string>;
  roles: Record<string, RoleDefinition>;
  /** Of its actions, those a platform integration may hold at PLATFORM scope (a platform contract such as message delivery). */
  platformServiceActions?: readonly string[];
  /** Installation-level (occasion) configuration. */
  config: z.ZodType<Record<string, unknown>>;
  /** Enablement-level (per event) configuration. */
  eventConfig: z.ZodType<Record<string, unknown>>;
  /**
   * What the eventConfig schema cannot see: rows the config names (they must
   * exist in the same occasion). Runs on the parsed config inside the enabling
   * transaction; throws ValidationError with paths under `input.config`.
   */
  checkEventConfig?(tx: Tx, ctx: { occasionId: string; eventId: string }, config: Record<string, unknown>): Promise<void>;
  /** Its business events (`*.business-events.ts`), with payload schemas: they join the event catalog (webhooks, outbox). */
  businessEvents: BusinessEventType[];
  /** Work the module does inside the transaction of other domains' events (event type → reaction). */
  reactions?: Record<string, Reaction>;
  /**
   * Its GraphQL files (`import * as x from '../modules/x.schema.js'`). Importing a
   * schema file registers its types on the kit's builder; listing them here is
   * what brings them into the API (interfaces/graphql/schema.ts reads them from
   * the registry), so the manifest shows everything a module adds.
   */
  schema: readonly object[];
  /** Turns its committed events into live messages (capabilities/live runs them after every commit). */
  live?: readonly LivePublisher[];
  /** Partner webhooks it accepts (POST /webhooks/inbound/…): each turns a payload into one of its GraphQL operations. */
  inbound?: readonly InboundAdapter[];
  /** Ids its fields take, as permission targets (`ctx.targets.<name>(id)`). */
  targets?: TargetDefinitions;
  /** Plain HTTP routes it serves (a calendar feed), mounted by the api's server under their prefix. */
  routes?: readonly HttpRoute[];
  /** The deadlines reminders count back from and whom they reach (Communications runs them; RSVP contributes one). */
  reminderSource?: ReminderSource;
}

export function defineModule(m: ModuleManifest): ModuleManifest {
  for (const a of Object.keys(m.actions)) {
    if (!a.startsWith(`${m.key}:`)) throw new Error(`Module ${m.key} declares action ${a} outside its own area`);
  }
  return m;
}

export interface ModuleRegistry {
  list(): ModuleManifest[];
  get(key: string): ModuleManifest | undefined;
}

export function createModuleRegistry(manifests: ModuleManifest[]): ModuleRegistry {
  const byKey = new Map(manifests.map((m) => [m.key, m]));
  for (const m of manifests) {
    for (const d of [...m.dependsOn, ...(m.uses ?? [])]) if (!byKey.has(d)) throw new Error(`Module ${m.key} depends on unknown module ${d}`);
  }
  return { list: () => [...byKey.values()], get: (k) => byKey.get(k) };
}

/** Which of `key`'s dependencies are missing from the installed set? */
export function missingDependencies(registry: ModuleRegistry, key: string, installed: Set<string>): string[] {
  return (registry.get(key)?.dependsOn ?? []).filter((d) => !installed.has(d));
}

/** Which installed modules depend on `key` (blocking its uninstall)? */
export function installedDependents(registry: ModuleRegistry, key: string, installed: Set<string>): string[] {
  return [...installed].filter((k) => k !== key && registry.get(k)?.dependsOn.includes(key));
}

/** Wires every module's in-transaction reactions (called once by the composition root). */
export function registerModuleReactions(registry: ModuleRegistry): void {
  for (const m of registry.list()) for (const [type, fn] of Object.entries(m.reactions ?? {})) reactInTransaction(type, m.key, fn);
}
