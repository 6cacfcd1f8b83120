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
