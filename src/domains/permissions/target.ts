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
