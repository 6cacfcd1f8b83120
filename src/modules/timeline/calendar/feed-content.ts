import type { Event, TimelineItem } from '../../../generated/prisma/client.js';
import { Authorizer } from '../../../domains/permissions/authorizer.js';
import type { ActionRegistry } from '../../../domains/permissions/actions.js';
import { sha256 } from '../../../platform/crypto.js';
import type { Prisma } from '../../../platform/db/client.js';
import type { Principal } from '../../../platform/principal.js';
import { actingActorIds, type EventTimelineRows, guestTimelineEventIds, loadTimelines, type TimelineView, visibleIn } from '../timeline.read.js';
import { TIMELINE_KEY } from '../timeline.targets.js';
import { CALENDAR_TOKEN_PREFIX } from './feeds.service.js';

/** Past this a feed is cut (the newest changes of a huge timeline still arrive: items are in run-of-show order per event). */
export const MAX_FEED_ITEMS = 2000;
/** Events a feed looks at, at most (a feed limited to events names at most 50). */
const MAX_FEED_EVENTS = 100;
const TOKEN = new RegExp(`^${CALENDAR_TOKEN_PREFIX}[A-Za-z0-9_-]{43}$`);

export interface FeedItem {
  item: TimelineItem;
  event: Pick<Event, 'id' | 'name'>;
  /** Planner notes go only to readers of the whole run of show. */
  withNotes: boolean;
}

export type FeedContent =
  | { status: 'ok'; feedId: string; occasion: { name: string; timezone: string }; items: FeedItem[]; truncated: boolean }
  | { status: 'not_found' }
  | { status: 'gone' };

/**
 * What a feed shows now, decided with its owner's permissions of this moment:
 * a user's current grants (items by timeline:view or timeline:read, per
 * event), a guest's link (items for guests of the events it shows). A token
 * that matches no feed is not_found; a revoked feed, a deleted account or a
 * withdrawn or expired link is gone.
 */
export async function feedContent(prisma: Prisma, actions: ActionRegistry, token: string, now = new Date()): Promise<FeedContent> {
  if (!TOKEN.test(token)) return { status: 'not_found' };
  const feed = await prisma.calendarFeed.findUnique({ where: { tokenHash: sha256(token) } });
  if (!feed) return { status: 'not_found' };
  if (feed.revokedAt) return { status: 'gone' };
  const [occasion, enabled] = await Promise.all([
    prisma.occasion.findUnique({ where: { id: feed.occasionId }, select: { name: true, timezone: true } }),
    prisma.moduleEnablement.findMany({
      where: {
        occasionId: feed.occasionId,
        installation: { moduleKey: TIMELINE_KEY },
        ...(feed.eventIds.length ? { eventId: { in: feed.eventIds } } : {}),
      },
      select: { id: true, eventId: true, installationId: true, event: { select: { id: true, name: true, startsAt: true } } },
      orderBy: [{ event: { startsAt: 'asc' } }, { eventId: 'asc' }],
      take: MAX_FEED_EVENTS,
    }),
  ]);
  if (!occasion) return { status: 'gone' };

  const views = new Map<string, TimelineView>();
  if (feed.ownerGuestAccessId) {
    const access = await prisma.guestAccess.findUnique({ where: { id: feed.ownerGuestAccessId } });
    if (!access || access.revokedAt || (access.expiresAt && access.expiresAt <= now)) return { status: 'gone' };
    const guest: Extract<Principal, { kind: 'guest' }> = {
      kind: 'guest',
      credential: 'portal',
      guestAccessId: access.id,
      occasionId: access.occasionId,
      unitActorId: access.unitActorId,
      allowedEventIds: access.allowedEventIds,
      expiresAt: access.expiresAt,
    };
    const shown = new Set(await guestTimelineEventIds(prisma, guest));
    for (const en of enabled) if (shown.has(en.eventId)) views.set(en.eventId, { mode: 'GUEST' });
  } else if (feed.ownerUserId) {
    const user = await prisma.user.findUnique({ where: { id: feed.ownerUserId }, select: { id: true, email: true, deletedAt: true } });
    if (!user || user.deletedAt) return { status: 'gone' };
    const principal: Principal = { kind: 'user', userId: user.id, email: user.email };
    const authz = new Authorizer(prisma, principal, actions);
    let actorIds: Set<string> | null = null;
    for (const en of enabled) {
      const target = { occasionId: feed.occasionId, eventId: en.eventId, installationId: en.installationId, enablementId: en.id };
      if (await authz.can('timeline:view', target)) views.set(en.eventId, { mode: 'ALL' });
      else if (await authz.can('timeline:read', target))
        views.set(en.eventId, { mode: 'VENDOR', actorIds: (actorIds ??= await actingActorIds(prisma, principal, feed.occasionId)) });
    }
  } else return { status: 'gone' };

  const timelines = views.size ? await loadTimelines(prisma, [...views.keys()]) : new Map<string, EventTimelineRows>();
  const items: FeedItem[] = [];
  let truncated = false;
  for (const en of enabled) {
    const view = views.get(en.eventId);
    if (!view) continue;
    for (const item of timelines.get(en.eventId)?.items ?? []) {
      if (!visibleIn(view, item)) continue;
      if (items.length >= MAX_FEED_ITEMS) truncated = true;
      else items.push({ item, event: en.event, withNotes: view.mode === 'ALL' });
    }
  }
  return { status: 'ok', feedId: feed.id, occasion, items, truncated };
}
