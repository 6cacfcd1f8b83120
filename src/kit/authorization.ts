import type { Tx } from '../platform/db/client.js';

/** Scope levels, outermost first. A grant at one level covers every target inside it. */
export const SCOPE_LEVELS = ['PLATFORM', 'OCCASION', 'EVENT', 'MODULE_INSTALLATION', 'MODULE_ENABLEMENT', 'RESOURCE'] as const;
export type ScopeLevel = (typeof SCOPE_LEVELS)[number];

/**
 * What an action is asked about, with all its ancestors filled in, so that a
 * grant at any enclosing scope can be matched without another query.
 */
export interface Target {
  occasionId: string;
  eventId?: string;
  installationId?: string;
  enablementId?: string;
  resource?: { type: string; id: string };
}

export function targetKey(t: Target): string {
  return [t.occasionId, t.eventId ?? '', t.installationId ?? '', t.enablementId ?? '', t.resource?.type ?? '', t.resource?.id ?? ''].join('|');
}

/**
 * Platform-level records (integration apps, their credentials and secrets,
 * platform connections) belong to no occasion. Their target names this
 * reserved id, which no occasion has (ids are uuid v7): only PLATFORM grants
 * cover it, so the engine needs no other special case.
 */
export const PLATFORM_OCCASION_ID = '00000000-0000-0000-0000-000000000000';
export const PLATFORM_TARGET: Target = Object.freeze({ occasionId: PLATFORM_OCCASION_ID });
export const isPlatformTarget = (t: Target) => t.occasionId === PLATFORM_OCCASION_ID;

/**
 * What the kit itself asks of the permission engine: scope-auth's `can` check
 * (rules.ts) and the transaction helper's read-your-writes (transaction.ts).
 * The engine (domains/permissions/authorizer.ts) implements it and adds the
 * rest of its API to this interface by declaration merging.
 */
export interface Authorization {
  /** true, or throws the refusal (NOT_FOUND without access to the occasion, FORBIDDEN naming the action). */
  check(action: string, target: Target): true | Promise<true>;
  /** The same decision made in a resolver's body (rules.ts declaredChecks): throws the refusal, NOT_FOUND naming `what`. */
  assert(action: string, target: Target, what?: string): Promise<void>;
  /** The same decision, as a boolean: for checks that narrow what a field returns rather than refuse it. */
  can(action: string, target: Target): Promise<boolean>;
  /** Runs fn with the engine's reads going through the open transaction. */
  within<T>(tx: Tx, fn: () => Promise<T>): Promise<T>;
  /** Drops cached grants (after a write, or an access change of one occasion). */
  clear(occasionId?: string): void;
}
