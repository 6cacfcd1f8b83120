import type { LivePublisher } from '../../kit/live.js';
import type { RecordedBusinessEvent } from '../../platform/outbox.js';

/** Subscribers re-decide their access when this fires for their occasion (and drop cached grants first). */
export const ACCESS_CHANGED = 'access.changed';

/**
 * Events after which someone may see less (or more) of an occasion than
 * before: grants come and go, people join, teams change members, a guest link
 * ends, a module or event a subscription is about disappears, an account is
 * deleted with its grants.
 */
const ACCESS_BUSINESS_EVENTS = new Set([
  'access.granted',
  'access.revoked',
  'collaborator.joined',
  'actor.deleted',
  'guest_access.revoked',
  'module.disabled',
  'module.uninstalled',
  'event.deleted',
  'occasion.deleted',
  'account.deleted',
]);

function changesAccess(e: RecordedBusinessEvent): boolean {
  if (ACCESS_BUSINESS_EVENTS.has(e.type)) return true;
  const changed = (e.payload as { changed?: string[] }).changed ?? [];
  // An event made PRIVATE (or PUBLIC) hides it from (or shows it to) everyone not granted at it.
  if (e.type === 'event.updated') return changed.includes('visibility');
  // Names, contacts and tags change often and move no access; members of a team inherit its grants.
  return e.type === 'actor.updated' && changed.includes('members');
}

export const publishAccessChanges: LivePublisher = async (events, { pubsub }) => {
  const occasions = new Map<string, Set<string>>();
  for (const e of events) {
    if (!e.occasionId || !changesAccess(e)) continue;
    if (!occasions.has(e.occasionId)) occasions.set(e.occasionId, new Set());
    occasions.get(e.occasionId)!.add(e.type);
  }
  for (const [occasionId, types] of occasions) pubsub.publish(ACCESS_CHANGED, occasionId, { types: [...types] });
};
