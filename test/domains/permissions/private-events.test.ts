import { describe, expect, it } from 'vitest';
import type { GrantRow } from '../../../src/domains/permissions/grant-match.js';
import { hiddenEventIds, privateEventRefusal, privateEventsOf } from '../../../src/domains/permissions/private-events.js';
import { actionRegistry } from '../../../src/modules/registry.js';
import { grantRow } from '../../support/grant-rows.js';

/** The private-event gate, pure: which grants reach a private event. */

const OCC = 'occ-1';
const HENNA = 'ev-henna'; // private, RSVP enabled (EN_HENNA)
const DINNER = 'ev-dinner'; // public
const EN_HENNA = 'en-rsvp-henna';
const EN_DINNER = 'en-rsvp-dinner';
const NOW = new Date('2027-01-01T12:00:00Z');
const registry = actionRegistry;
const privateEvents = privateEventsOf([{ id: HENNA, enablements: [{ id: EN_HENNA }] }]);

const grant = (over: Partial<GrantRow>): GrantRow => grantRow(OCC, over);

const sees = (grants: GrantRow[]) => privateEventRefusal(grants, { occasionId: OCC, eventId: HENNA }, privateEvents, registry, NOW) === null;

describe('private events (pure)', () => {
  it('occasion-wide: only event managers (owner, planner, co_planner, or explicit event:update) see it', () => {
    for (const role of ['owner', 'planner', 'co_planner']) expect(sees([grant({ role })]), role).toBe(true);
    for (const role of ['helper', 'vendor', 'viewer', 'rsvp_manager', 'rsvp_viewer']) expect(sees([grant({ role })]), role).toBe(false);
    expect(sees([grant({ actions: ['event:update'] })])).toBe(true);
    expect(sees([grant({ actions: ['event:read', 'rsvp:view'] })])).toBe(false);
  });

  it('a grant at the event or its enablement reaches it; one at another event, the installation or an actor does not', () => {
    expect(sees([grant({ scopeType: 'EVENT', scopeEventId: HENNA, role: 'vendor' })])).toBe(true);
    expect(sees([grant({ scopeType: 'MODULE_ENABLEMENT', scopeEnablementId: EN_HENNA, actions: ['rsvp:view'] })])).toBe(true);
    expect(sees([grant({ scopeType: 'EVENT', scopeEventId: DINNER, role: 'vendor' })])).toBe(false);
    expect(sees([grant({ scopeType: 'MODULE_ENABLEMENT', scopeEnablementId: EN_DINNER, actions: ['rsvp:view'] })])).toBe(false);
    expect(sees([grant({ scopeType: 'MODULE_INSTALLATION', scopeInstallationId: 'inst', role: 'rsvp_manager' })])).toBe(false);
    expect(sees([grant({ scopeType: 'RESOURCE', resourceType: 'Actor', resourceId: 'a', actions: ['actor:read'] })])).toBe(false);
  });

  it('expired and revoked grants reach nothing; public events and event-less targets are not gated', () => {
    expect(sees([grant({ scopeType: 'EVENT', scopeEventId: HENNA, role: 'vendor', expiresAt: new Date('2026-12-31T00:00:00Z') })])).toBe(false);
    expect(sees([grant({ role: 'planner', revokedAt: new Date('2026-12-31T00:00:00Z') })])).toBe(false);
    expect(privateEventRefusal([], { occasionId: OCC, eventId: DINNER }, privateEvents, registry, NOW)).toBeNull();
    expect(privateEventRefusal([], { occasionId: OCC }, privateEvents, registry, NOW)).toBeNull();
    expect(privateEventRefusal([], { occasionId: OCC, eventId: HENNA }, privateEvents, registry, NOW)).toMatchObject({ reason: 'PRIVATE_EVENT' });
  });

  it('hiddenEventIds: what SQL lists leave out', () => {
    expect(hiddenEventIds([grant({ role: 'vendor' })], privateEvents, registry, NOW)).toEqual([HENNA]);
    expect(hiddenEventIds([grant({ role: 'co_planner' })], privateEvents, registry, NOW)).toEqual([]);
  });
});
