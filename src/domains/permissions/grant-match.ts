import type { ActionRegistry } from './actions.js';
import type { ScopeLevel, Target } from '../../kit/authorization.js';

/** The subset of a grants row the engine evaluates. */
export interface GrantRow {
  id: string;
  occasionId: string | null;
  role: string | null;
  actions: string[];
  scopeType: ScopeLevel;
  scopeEventId: string | null;
  scopeInstallationId: string | null;
  scopeEnablementId: string | null;
  resourceType: string | null;
  resourceId: string | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

export function grantIsLive(g: GrantRow, now: Date): boolean {
  return !g.revokedAt && (!g.expiresAt || g.expiresAt > now);
}

/** Expanded once per loaded grant row: decisions run for every object of a response. */
const expanded = new WeakMap<GrantRow, { registry: ActionRegistry; actions: Set<string> }>();

export function grantActions(g: GrantRow, registry: ActionRegistry): Set<string> {
  const hit = expanded.get(g);
  if (hit && hit.registry === registry) return hit.actions;
  const set = new Set(g.actions);
  if (g.role) for (const a of registry.roleActions(g.role) ?? []) set.add(a);
  expanded.set(g, { registry, actions: set });
  return set;
}

/** Does the grant's scope contain the target? Scopes nest; the target carries its ancestors. */
export function scopeCovers(g: GrantRow, t: Target): boolean {
  if (g.scopeType === 'PLATFORM') return true;
  if (g.occasionId !== t.occasionId) return false;
  switch (g.scopeType) {
    case 'OCCASION':
      return true;
    case 'EVENT':
      return !!t.eventId && t.eventId === g.scopeEventId;
    case 'MODULE_INSTALLATION':
      return !!t.installationId && t.installationId === g.scopeInstallationId;
    case 'MODULE_ENABLEMENT':
      return !!t.enablementId && t.enablementId === g.scopeEnablementId;
    case 'RESOURCE':
      return !!t.resource && t.resource.type === g.resourceType && t.resource.id === g.resourceId;
  }
}

/**
 * An integration's connection to an occasion may be limited to some of its
 * events: then every grant it holds there covers only targets inside those
 * events (an occasion-wide grant included; occasion-level targets are
 * outside). No limit (null or empty) covers what the grants cover.
 */
export function withinEvents(limit: readonly string[] | null | undefined, t: Target): boolean {
  return !limit?.length || (!!t.eventId && limit.includes(t.eventId));
}

export type Decision =
  | { allowed: true; grant: GrantRow }
  | {
      allowed: false;
      // PRIVATE_EVENT: decided in front of the grant match, by private-events.ts.
      reason: 'NO_ACCESS_TO_OCCASION' | 'NO_MATCHING_GRANT' | 'UNKNOWN_ACTION' | 'UNAUTHENTICATED' | 'PRIVATE_EVENT';
      detail: string;
    };

/** The whole decision, pure: deny unless one live grant holds the action at a covering scope. */
export function decide(grants: GrantRow[], action: string, target: Target, registry: ActionRegistry, now = new Date()): Decision {
  if (!registry.isAction(action)) return { allowed: false, reason: 'UNKNOWN_ACTION', detail: `No such action: ${action}` };
  const live = grants.filter((g) => grantIsLive(g, now) && (g.scopeType === 'PLATFORM' || g.occasionId === target.occasionId));
  if (live.length === 0) return { allowed: false, reason: 'NO_ACCESS_TO_OCCASION', detail: 'No live grant in this occasion.' };
  const holding = live.filter((g) => grantActions(g, registry).has(action));
  const grant = holding.find((g) => scopeCovers(g, target));
  if (grant) return { allowed: true, grant };
  const detail = holding.length
    ? `Grants hold ${action} only at scopes that do not contain this target (${holding.map((g) => g.scopeType).join(', ')}).`
    : `No live grant includes ${action}.`;
  return { allowed: false, reason: 'NO_MATCHING_GRANT', detail };
}
