import type { GrantRow } from '../../src/domains/permissions/grant-match.js';

let seq = 0;

/** A grant row as the engine sees it, for pure decision tests: occasion-wide, no actions, live, unless `over` says otherwise. */
export function grantRow(occasionId: string, over: Partial<GrantRow> = {}): GrantRow {
  return {
    id: `g-${++seq}`,
    occasionId,
    role: null,
    actions: [],
    scopeType: 'OCCASION',
    scopeEventId: null,
    scopeInstallationId: null,
    scopeEnablementId: null,
    resourceType: null,
    resourceId: null,
    expiresAt: null,
    revokedAt: null,
    ...over,
  };
}
