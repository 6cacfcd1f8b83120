import type { ActionRegistry } from './actions.js';
import { type Decision, grantActions, grantIsLive, type GrantRow } from './grant-match.js';
import type { Target } from '../../kit/authorization.js';

/**
 * PRIVATE events (docs/permissions/private-events.md). A private event exists
 * only for principals granted at it: a grant scoped to the event or to
 * something inside it (an enablement of a module on it), or an occasion-wide
 * grant that may manage the occasion's events. Everyone else — a vendor with
 * occasion-wide `event:read`, an RSVP manager across the installation, an
 * integration granted at the occasion — is refused as if it did not exist.
 * Guests hold no grants: they see an event only if their invitation names it.
 *
 * The gate sits in front of the grant match, so every decision the engine
 * makes (scope-auth, services, subscriptions, webhook relay and delivery)
 * applies it; SQL lists ask `hiddenEventIds` for the same answer.
 */

/** An occasion's private events: event id → the ids of the module enablements on it. */
export type PrivateEvents = ReadonlyMap<string, ReadonlySet<string>>;

export const NO_PRIVATE_EVENTS: PrivateEvents = new Map();

/**
 * The action that makes an occasion-wide grant see private events: whoever may
 * change any event of the occasion may also make it PUBLIC, so hiding private
 * events from them would protect nothing. Of the core roles owner, planner and
 * co_planner hold it; helper, vendor, viewer and the RSVP roles do not.
 */
export const MANAGES_EVENTS = 'event:update';

/** Builds the map from rows as loaded with the grants (`events: [{ id, enablements: [{ id }] }]`). */
export function privateEventsOf(events: readonly { id: string; enablements: readonly { id: string }[] }[]): PrivateEvents {
  return new Map(events.map((e) => [e.id, new Set(e.enablements.map((en) => en.id))]));
}

/** Is the holder of these grants granted at this private event (or does it manage the occasion's events)? */
export function seesPrivateEvent(
  grants: GrantRow[],
  enablementIds: ReadonlySet<string>,
  eventId: string,
  registry: ActionRegistry,
  now: Date,
): boolean {
  return grants.some((g) => {
    if (!grantIsLive(g, now)) return false;
    switch (g.scopeType) {
      case 'EVENT':
        return g.scopeEventId === eventId;
      case 'MODULE_ENABLEMENT':
        return !!g.scopeEnablementId && enablementIds.has(g.scopeEnablementId);
      case 'OCCASION':
      case 'PLATFORM':
        return grantActions(g, registry).has(MANAGES_EVENTS);
      default:
        // An installation spans every event; actor resources live in no event.
        return false;
    }
  });
}

/** A refusal when the target lies inside a private event the grants do not reach; null when the gate does not apply. */
export function privateEventRefusal(
  grants: GrantRow[],
  target: Target,
  privateEvents: PrivateEvents,
  registry: ActionRegistry,
  now = new Date(),
): Extract<Decision, { allowed: false }> | null {
  if (!target.eventId) return null;
  const enablementIds = privateEvents.get(target.eventId);
  if (!enablementIds || seesPrivateEvent(grants, enablementIds, target.eventId, registry, now)) return null;
  return {
    allowed: false,
    reason: 'PRIVATE_EVENT',
    detail: `The event is private: only grants at the event (or inside it) and occasion-wide ${MANAGES_EVENTS} reach it.`,
  };
}

/** The private events these grants do not reach: what SQL lists of events (and their data) leave out. */
export function hiddenEventIds(grants: GrantRow[], privateEvents: PrivateEvents, registry: ActionRegistry, now = new Date()): string[] {
  return [...privateEvents].filter(([eventId, en]) => !seesPrivateEvent(grants, en, eventId, registry, now)).map(([eventId]) => eventId);
}
