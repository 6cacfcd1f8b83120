import { describe, expect, it } from 'vitest';
import { CORE_ACTIONS, createActionRegistry, OWNER_ONLY, PLATFORM_ONLY, PLATFORM_SERVICE_ACTIONS } from '../../../src/domains/permissions/actions.js';
import { decideAsActor } from '../../../src/domains/permissions/authorizer.js';
import { decide, grantActions, grantIsLive, type GrantRow, scopeCovers, withinEvents } from '../../../src/domains/permissions/grant-match.js';
import type { Target } from '../../../src/kit/authorization.js';
import { actionRegistry, moduleRegistry } from '../../../src/modules/registry.js';
import { grantRow } from '../../support/grant-rows.js';

/**
 * The pure half of the permission engine: which grant (if any) lets a subject
 * do `action` on `target`. No database; every id is a fixed string.
 */

const OCC = 'occ-1';
const OTHER_OCC = 'occ-2';
const EV1 = 'ev-1';
const EV2 = 'ev-2';
const INST = 'inst-rsvp';
const OTHER_INST = 'inst-other';
const EN1 = 'en-rsvp-ev1'; // rsvp enabled on EV1
const EN2 = 'en-rsvp-ev2'; // rsvp enabled on EV2
const ACTOR = 'actor-1';

const NOW = new Date('2027-01-01T12:00:00Z');

const grant = (over: Partial<GrantRow> = {}): GrantRow => grantRow(OCC, over);

// Targets carry their ancestors, as the GraphQL target loaders build them.
const occasionTarget: Target = { occasionId: OCC };
const event1: Target = { occasionId: OCC, eventId: EV1 };
const event2: Target = { occasionId: OCC, eventId: EV2 };
const installation: Target = { occasionId: OCC, installationId: INST };
const enablement1: Target = { occasionId: OCC, eventId: EV1, installationId: INST, enablementId: EN1 };
const enablement2: Target = { occasionId: OCC, eventId: EV2, installationId: INST, enablementId: EN2 };
const actorTarget: Target = { occasionId: OCC, resource: { type: 'Actor', id: ACTOR } };

const registry = actionRegistry;
const allowedBy = (grants: GrantRow[], action: string, target: Target) => decide(grants, action, target, registry, NOW);

describe('scopeCovers: scopes nest and a grant covers every target inside its scope', () => {
  const occasionGrant = grant({ scopeType: 'OCCASION' });
  const eventGrant = grant({ scopeType: 'EVENT', scopeEventId: EV1 });
  const installationGrant = grant({ scopeType: 'MODULE_INSTALLATION', scopeInstallationId: INST });
  const enablementGrant = grant({ scopeType: 'MODULE_ENABLEMENT', scopeEnablementId: EN1 });
  const resourceGrant = grant({ scopeType: 'RESOURCE', resourceType: 'Actor', resourceId: ACTOR });
  const platformGrant = grant({ scopeType: 'PLATFORM', occasionId: null });

  // rows: grant; columns: occasion, event1, event2, installation, enablement1, enablement2, actor
  const table: [string, GrantRow, boolean[]][] = [
    ['PLATFORM', platformGrant, [true, true, true, true, true, true, true]],
    ['OCCASION', occasionGrant, [true, true, true, true, true, true, true]],
    ['EVENT(ev1)', eventGrant, [false, true, false, false, true, false, false]],
    ['MODULE_INSTALLATION', installationGrant, [false, false, false, true, true, true, false]],
    ['MODULE_ENABLEMENT(en1)', enablementGrant, [false, false, false, false, true, false, false]],
    ['RESOURCE(actor)', resourceGrant, [false, false, false, false, false, false, true]],
  ];
  const targets = [occasionTarget, event1, event2, installation, enablement1, enablement2, actorTarget];

  it.each(table)('%s grant covers exactly the expected targets', (_name, g, expected) => {
    expect(targets.map((t) => scopeCovers(g, t))).toEqual(expected);
  });

  it('occasion ⊃ event: an occasion grant covers each event, an event grant not the occasion', () => {
    expect(scopeCovers(occasionGrant, event1)).toBe(true);
    expect(scopeCovers(eventGrant, occasionTarget)).toBe(false);
  });

  it('event ⊃ enablement: an event grant covers the module enabled on that event only', () => {
    expect(scopeCovers(eventGrant, enablement1)).toBe(true);
    expect(scopeCovers(eventGrant, enablement2)).toBe(false);
  });

  it('installation ⊃ enablement: an installation grant covers its enablements on every event, not another installation', () => {
    expect(scopeCovers(installationGrant, enablement1)).toBe(true);
    expect(scopeCovers(installationGrant, enablement2)).toBe(true);
    expect(scopeCovers(grant({ scopeType: 'MODULE_INSTALLATION', scopeInstallationId: OTHER_INST }), enablement1)).toBe(false);
  });

  it('a resource grant matches on type and id, never on id alone', () => {
    expect(scopeCovers(resourceGrant, { occasionId: OCC, resource: { type: 'Tag', id: ACTOR } })).toBe(false);
    expect(scopeCovers(resourceGrant, { occasionId: OCC, resource: { type: 'Actor', id: 'actor-2' } })).toBe(false);
  });

  it('no scope except PLATFORM reaches into another occasion, even with matching ids', () => {
    const foreign = (t: Target): Target => ({ ...t, occasionId: OTHER_OCC });
    for (const g of [occasionGrant, eventGrant, installationGrant, enablementGrant, resourceGrant]) {
      for (const t of targets) expect(scopeCovers(g, foreign(t)), `${g.scopeType} on ${JSON.stringify(t)}`).toBe(false);
    }
    expect(scopeCovers(platformGrant, foreign(event1))).toBe(true);
  });

  it('a scoped grant with its id column missing covers nothing (no null = undefined match)', () => {
    expect(scopeCovers(grant({ scopeType: 'EVENT', scopeEventId: null }), occasionTarget)).toBe(false);
    expect(scopeCovers(grant({ scopeType: 'MODULE_ENABLEMENT', scopeEnablementId: null }), event1)).toBe(false);
    expect(scopeCovers(grant({ scopeType: 'RESOURCE' }), occasionTarget)).toBe(false);
  });
});

describe('withinEvents: a connection limited to events bounds what grants cover', () => {
  it('no limit covers everything; a limit covers targets in its events only, occasion-level targets not at all', () => {
    expect(withinEvents(null, { occasionId: 'o' })).toBe(true);
    expect(withinEvents([], { occasionId: 'o', eventId: 'e2' })).toBe(true);
    expect(withinEvents(['e1'], { occasionId: 'o', eventId: 'e1', enablementId: 'en' })).toBe(true);
    expect(withinEvents(['e1'], { occasionId: 'o', eventId: 'e2' })).toBe(false);
    expect(withinEvents(['e1'], { occasionId: 'o' })).toBe(false);
    expect(withinEvents(['e1'], { occasionId: 'o', installationId: 'i' })).toBe(false);
  });
});

describe('grantIsLive', () => {
  it('is live without expiry or revocation, and until the instant of expiry (exclusive)', () => {
    expect(grantIsLive(grant(), NOW)).toBe(true);
    expect(grantIsLive(grant({ expiresAt: new Date(NOW.getTime() + 1) }), NOW)).toBe(true);
    expect(grantIsLive(grant({ expiresAt: NOW }), NOW)).toBe(false);
    expect(grantIsLive(grant({ expiresAt: new Date(NOW.getTime() - 1) }), NOW)).toBe(false);
    expect(grantIsLive(grant({ revokedAt: new Date(NOW.getTime() - 60_000) }), NOW)).toBe(false);
  });
});

describe('decide', () => {
  it('denies by default: no grants at all', () => {
    expect(allowedBy([], 'occasion:read', occasionTarget)).toMatchObject({ allowed: false, reason: 'NO_ACCESS_TO_OCCASION' });
  });

  it('allows with the grant that holds the action at a covering scope', () => {
    const g = grant({ role: 'viewer' });
    const d = allowedBy([g], 'event:read', event1);
    expect(d).toEqual({ allowed: true, grant: g });
  });

  it('denies an action the grants do not hold, naming it', () => {
    const d = allowedBy([grant({ role: 'viewer' })], 'event:update', event1);
    expect(d).toEqual({ allowed: false, reason: 'NO_MATCHING_GRANT', detail: 'No live grant includes event:update.' });
  });

  it('denies when the action is held only at a scope that does not contain the target, and says which', () => {
    const d = allowedBy([grant({ role: 'vendor', scopeType: 'EVENT', scopeEventId: EV1 })], 'event:read', event2);
    expect(d.allowed).toBe(false);
    expect(d).toMatchObject({ reason: 'NO_MATCHING_GRANT' });
    expect(!d.allowed && d.detail).toContain('(EVENT)');
  });

  it('an unknown action is denied even to an owner', () => {
    expect(allowedBy([grant({ role: 'owner' })], 'occasion:teleport', occasionTarget)).toMatchObject({ allowed: false, reason: 'UNKNOWN_ACTION' });
    expect(allowedBy([grant({ role: 'owner' })], 'not-an-action', occasionTarget)).toMatchObject({ allowed: false, reason: 'UNKNOWN_ACTION' });
  });

  it('an explicitly granted but unregistered action still is not allowed', () => {
    expect(allowedBy([grant({ actions: ['occasion:teleport'] })], 'occasion:teleport', occasionTarget)).toMatchObject({ reason: 'UNKNOWN_ACTION' });
  });

  it('an expired grant is denied (and counts as no access to the occasion)', () => {
    const expired = grant({ role: 'owner', expiresAt: new Date(NOW.getTime() - 1000) });
    expect(allowedBy([expired], 'occasion:read', occasionTarget)).toMatchObject({ allowed: false, reason: 'NO_ACCESS_TO_OCCASION' });
  });

  it('a revoked grant is denied', () => {
    const revoked = grant({ role: 'owner', revokedAt: new Date(NOW.getTime() - 1000) });
    expect(allowedBy([revoked], 'occasion:read', occasionTarget)).toMatchObject({ allowed: false, reason: 'NO_ACCESS_TO_OCCASION' });
  });

  it('an expired grant does not help even when another live grant gives standing', () => {
    const live = grant({ role: 'viewer' });
    const expired = grant({ actions: ['event:update'], expiresAt: new Date(NOW.getTime() - 1000) });
    expect(allowedBy([live, expired], 'event:update', event1)).toMatchObject({ allowed: false, reason: 'NO_MATCHING_GRANT' });
    expect(allowedBy([live, expired], 'event:read', event1)).toMatchObject({ allowed: true, grant: { id: live.id } });
  });

  it('a grant that expires in the future still allows', () => {
    const g = grant({ role: 'viewer', expiresAt: new Date(NOW.getTime() + 60_000) });
    expect(allowedBy([g], 'event:read', event1)).toEqual({ allowed: true, grant: g });
  });

  it('grants of another occasion give no standing here', () => {
    const foreign = grant({ role: 'owner', occasionId: OTHER_OCC });
    expect(allowedBy([foreign], 'occasion:read', occasionTarget)).toMatchObject({ allowed: false, reason: 'NO_ACCESS_TO_OCCASION' });
  });

  it('a platform grant applies in every occasion', () => {
    const platform = grant({ scopeType: 'PLATFORM', occasionId: null, actions: ['occasion:read'] });
    expect(allowedBy([platform], 'occasion:read', { occasionId: OTHER_OCC })).toEqual({ allowed: true, grant: platform });
  });

  it('picks the grant that covers the target among several holding the action', () => {
    const onEv1 = grant({ role: 'vendor', scopeType: 'EVENT', scopeEventId: EV1 });
    const onEv2 = grant({ role: 'vendor', scopeType: 'EVENT', scopeEventId: EV2 });
    expect(allowedBy([onEv1, onEv2], 'event:read', event2)).toEqual({ allowed: true, grant: onEv2 });
  });

  it('module scopes: an enablement grant allows on that enablement only; installation and event grants reach down to it', () => {
    const onEnablement = grant({ role: 'rsvp_viewer', scopeType: 'MODULE_ENABLEMENT', scopeEnablementId: EN1 });
    expect(allowedBy([onEnablement], 'rsvp:view', enablement1).allowed).toBe(true);
    expect(allowedBy([onEnablement], 'rsvp:view', enablement2)).toMatchObject({ allowed: false, reason: 'NO_MATCHING_GRANT' });
    // The role also bundles event:read, but the grant sits below the event: it does not open the event itself.
    expect(allowedBy([onEnablement], 'event:read', event1)).toMatchObject({ allowed: false, reason: 'NO_MATCHING_GRANT' });

    const onInstallation = grant({ actions: ['rsvp:view'], scopeType: 'MODULE_INSTALLATION', scopeInstallationId: INST });
    expect(allowedBy([onInstallation], 'rsvp:view', enablement1).allowed).toBe(true);
    expect(allowedBy([onInstallation], 'rsvp:view', enablement2).allowed).toBe(true);

    const onEvent = grant({ actions: ['rsvp:view'], scopeType: 'EVENT', scopeEventId: EV2 });
    expect(allowedBy([onEvent], 'rsvp:view', enablement2).allowed).toBe(true);
    expect(allowedBy([onEvent], 'rsvp:view', enablement1).allowed).toBe(false);
  });

  it('a resource grant allows on that resource only', () => {
    const g = grant({ actions: ['actor:update'], scopeType: 'RESOURCE', resourceType: 'Actor', resourceId: ACTOR });
    expect(allowedBy([g], 'actor:update', actorTarget)).toEqual({ allowed: true, grant: g });
    expect(allowedBy([g], 'actor:update', { occasionId: OCC, resource: { type: 'Actor', id: 'actor-2' } }).allowed).toBe(false);
    expect(allowedBy([g], 'actor:update', occasionTarget).allowed).toBe(false);
  });

  it('role actions and explicit actions of one grant add up', () => {
    const g = grant({ role: 'vendor', actions: ['actor:read'] });
    expect(allowedBy([g], 'event:read', event1).allowed).toBe(true);
    expect(allowedBy([g], 'actor:read', actorTarget).allowed).toBe(true);
    expect(allowedBy([g], 'actor:update', actorTarget).allowed).toBe(false);
  });

  it('a grant naming a role the registry does not know holds nothing from it', () => {
    const g = grant({ role: 'ghost', actions: ['occasion:read'] });
    expect([...grantActions(g, registry)]).toEqual(['occasion:read']);
    expect(allowedBy([g], 'event:read', event1)).toMatchObject({ allowed: false, reason: 'NO_MATCHING_GRANT' });
  });

  it('uses the clock it is given: a grant live at NOW is dead a second after its expiry', () => {
    const g = grant({ role: 'viewer', expiresAt: new Date(NOW.getTime() + 1000) });
    expect(decide([g], 'event:read', event1, registry, NOW).allowed).toBe(true);
    expect(decide([g], 'event:read', event1, registry, new Date(NOW.getTime() + 2000)).allowed).toBe(false);
  });
});

describe('decideAsActor: the implicit right to read one’s own actor', () => {
  const own: Target = { occasionId: OCC, resource: { type: 'Actor', id: ACTOR } };
  const vendorOnEv1 = grant({ role: 'vendor', scopeType: 'EVENT', scopeEventId: EV1 });

  it('anyone with a live grant in the occasion reads their own actor and contact', () => {
    expect(decideAsActor(ACTOR, [vendorOnEv1], 'actor:read', own, registry, NOW)).toEqual({ allowed: true, grant: vendorOnEv1 });
    expect(decideAsActor(ACTOR, [vendorOnEv1], 'actor:read_contact', own, registry, NOW).allowed).toBe(true);
  });

  it('reads only, only their own, and only while they take part', () => {
    expect(decideAsActor(ACTOR, [vendorOnEv1], 'actor:update', own, registry, NOW)).toMatchObject({ allowed: false, reason: 'NO_MATCHING_GRANT' });
    expect(decideAsActor(ACTOR, [vendorOnEv1], 'actor:read_notes', own, registry, NOW).allowed).toBe(false);
    expect(decideAsActor('actor-2', [vendorOnEv1], 'actor:read', own, registry, NOW).allowed).toBe(false);
    expect(decideAsActor(null, [vendorOnEv1], 'actor:read', own, registry, NOW).allowed).toBe(false);
    const expired = grant({ ...vendorOnEv1, id: 'expired', expiresAt: new Date(NOW.getTime() - 1) });
    expect(decideAsActor(ACTOR, [expired], 'actor:read', own, registry, NOW)).toMatchObject({ allowed: false, reason: 'NO_ACCESS_TO_OCCASION' });
  });
});

describe('createActionRegistry: role expansion', () => {
  const core = Object.keys(CORE_ACTIONS);
  /** Every module's actions (RSVP, forms, timeline…): a new module's join without touching this test. */
  const modules = moduleRegistry.list().flatMap((m) => Object.keys(m.actions));
  /** Every occasion action: what roles bundle. */
  const all = [...core, ...modules].sort();
  /** Platform-service actions (communications:deliver): registered, in no role. */
  const platformService = Object.keys(PLATFORM_SERVICE_ACTIONS);
  const actionsOf = (role: string) => [...(registry.roleActions(role) ?? [])].sort();

  it('registers core and module actions', () => {
    expect([...registry.actions.keys()].sort()).toEqual([...all, ...platformService].sort());
    expect(registry.isAction('rsvp:view')).toBe(true);
    expect(registry.isAction('rsvp:teleport')).toBe(false);
  });

  it('owner holds every occasion action, module actions included; platform actions belong to no occasion role', () => {
    expect(PLATFORM_ONLY).toEqual(['integration:read', 'integration:manage']);
    expect(actionsOf('owner')).toEqual(all.filter((a) => !PLATFORM_ONLY.includes(a)));
    expect(platformService).toEqual(['communications:deliver']);
    for (const role of registry.roles.keys()) for (const a of [...PLATFORM_ONLY, ...platformService]) expect(actionsOf(role), role).not.toContain(a);
  });

  it('planner holds everything but the owner-only actions', () => {
    expect(OWNER_ONLY).toEqual(['occasion:delete', 'audit:read']);
    expect(actionsOf('planner')).toEqual(all.filter((a) => ![...OWNER_ONLY, ...PLATFORM_ONLY].includes(a)));
    expect(actionsOf('planner')).toContain('access:manage');
    expect(actionsOf('planner')).toContain('integration:connect');
    expect(actionsOf('planner')).toContain('rsvp:override');
  });

  it('co_planner additionally lacks access:manage, module:manage and integration:connect', () => {
    const expected = all.filter((a) => ![...OWNER_ONLY, ...PLATFORM_ONLY, 'access:manage', 'module:manage', 'integration:connect'].includes(a));
    expect(actionsOf('co_planner')).toEqual(expected);
    expect(actionsOf('co_planner')).toContain('access:read');
  });

  it('explicit roles hold exactly their list', () => {
    expect(actionsOf('helper')).toEqual(['actor:read', 'actor:update', 'event:read', 'module:read', 'occasion:read']);
    expect(actionsOf('vendor')).toEqual(['event:read', 'occasion:read']);
    expect(actionsOf('viewer')).toEqual(['actor:read', 'event:read', 'module:read', 'occasion:read']);
    expect(actionsOf('rsvp_viewer')).toEqual(['actor:read', 'event:read', 'forms:read_answers', 'forms:view', 'occasion:read', 'rsvp:view']);
    expect(actionsOf('rsvp_manager')).toEqual([
      'actor:read',
      'event:read',
      'forms:read_answers',
      'forms:view',
      'guest:invite',
      'guest:read',
      'occasion:read',
      'rsvp:manage',
      'rsvp:override',
      'rsvp:view',
    ]);
  });

  it('an unknown role expands to nothing', () => {
    expect(registry.roleActions('superuser')).toBeUndefined();
  });

  it('"allExcept" roles are computed after module actions join, so they follow new modules', () => {
    const r = createActionRegistry({ 'seating:view': 'See seating.' }, {});
    expect(r.roleActions('owner')?.has('seating:view')).toBe(true);
    expect(r.roleActions('planner')?.has('seating:view')).toBe(true);
    expect(r.roleActions('helper')?.has('seating:view')).toBe(false);
  });

  it('refuses an action that is not area:verb', () => {
    expect(() => createActionRegistry({ 'Seating:View': 'x' }, {})).toThrow(/not area:verb/);
    expect(() => createActionRegistry({ seating: 'x' }, {})).toThrow(/not area:verb/);
  });

  it('refuses a role naming an unknown action', () => {
    expect(() => createActionRegistry({}, { seater: { description: 'x', actions: ['seating:view'] } })).toThrow(
      /Role seater names unknown action seating:view/,
    );
  });
});
