import DataLoader from 'dataloader';
import type { OperationalWindow, TimelineItem } from '../../generated/prisma/client.js';
import type { Context } from '../../kit/context.js';
import type { Prisma, Tx } from '../../platform/db/client.js';
import type { Principal } from '../../platform/principal.js';
import { loadUnitPeople } from '../rsvp/invitations/rsvp.unit.js';
import { guestEventIds } from '../rsvp/responses/rsvp.responses.service.js';
import { TIMELINE_KEY, timelineTarget } from './timeline.targets.js';

/*
 * Who sees which items of a run of show:
 *   ALL     holders of timeline:view (planners): every item;
 *   VENDOR  holders of timeline:read only (a vendor, a venue integration): items
 *           for vendors (audience VENDORS) and items they are responsible for
 *           (their own actor, or a vendor or team they belong to);
 *   GUEST   a guest link: items for guests (audience GUESTS) of the events the
 *           link shows.
 */
export type TimelineView = { mode: 'ALL' } | { mode: 'VENDOR'; actorIds: ReadonlySet<string> } | { mode: 'GUEST' };

export function visibleIn(view: TimelineView, item: Pick<TimelineItem, 'audience' | 'responsibleActorIds'>): boolean {
  switch (view.mode) {
    case 'ALL':
      return true;
    case 'VENDOR':
      return item.audience.includes('VENDORS') || item.responsibleActorIds.some((id) => view.actorIds.has(id));
    case 'GUEST':
      return item.audience.includes('GUESTS');
  }
}

/** The actors a user acts as in an occasion: its own and the groups (vendors, teams) it is a member of. One statement. */
export async function actingActorIds(db: Prisma | Tx, principal: Principal, occasionId: string): Promise<Set<string>> {
  if (principal.kind !== 'user') return new Set();
  const actor = await db.actor.findFirst({
    where: { occasionId, userId: principal.userId },
    select: { id: true, memberOf: { select: { groupActorId: true } } },
  });
  return new Set(actor ? [actor.id, ...actor.memberOf.map((m) => m.groupActorId)] : []);
}

/** The events a guest's link shows (invited and allowed, RSVP's rule) that have a timeline. */
export async function guestTimelineEventIds(db: Prisma | Tx, guest: Extract<Principal, { kind: 'guest' }>): Promise<string[]> {
  const inv = await loadUnitPeople(db, { invitationUnitActorId: guest.unitActorId, occasionId: guest.occasionId });
  if (!inv) return [];
  const visible = await guestEventIds(db, inv, guest.allowedEventIds);
  if (!visible.length) return [];
  const on = await db.moduleEnablement.findMany({
    where: { eventId: { in: visible }, installation: { moduleKey: TIMELINE_KEY } },
    select: { eventId: true },
  });
  const enabled = new Set(on.map((e) => e.eventId));
  return visible.filter((id) => enabled.has(id));
}

export interface EventTimelineRows {
  sequence: number;
  items: TimelineItem[];
  windows: OperationalWindow[];
}

export const ITEM_ORDER = [{ position: 'asc' as const }, { id: 'asc' as const }];
export const WINDOW_ORDER = [{ startsAt: 'asc' as const }, { id: 'asc' as const }];

/** Timelines of many events in one statement (items, windows and sequence joined to the events). */
export async function loadTimelines(db: Prisma | Tx, eventIds: readonly string[]): Promise<Map<string, EventTimelineRows>> {
  const rows = await db.event.findMany({
    where: { id: { in: [...eventIds] } },
    select: {
      id: true,
      timelineState: { select: { sequence: true } },
      timelineItems: { orderBy: ITEM_ORDER },
      operationalWindows: { orderBy: WINDOW_ORDER },
    },
  });
  return new Map(rows.map((r) => [r.id, { sequence: r.timelineState?.sequence ?? 0, items: r.timelineItems, windows: r.operationalWindows }]));
}

const loaders = new WeakMap<Context, { timelines: DataLoader<string, EventTimelineRows>; actors: Map<string, Promise<Set<string>>> }>();

function loadersOf(ctx: Context) {
  let l = loaders.get(ctx);
  if (!l) {
    l = {
      timelines: new DataLoader(async (ids) => {
        const found = await loadTimelines(ctx.prisma, ids);
        return ids.map((id) => found.get(id) ?? { sequence: 0, items: [], windows: [] });
      }),
      actors: new Map(),
    };
    loaders.set(ctx, l);
  }
  return l;
}

/** One event's timeline, batched with every other event of the request (Event.timeline on a list of events is one statement). */
export const timelineOf = (ctx: Context, eventId: string) => loadersOf(ctx).timelines.load(eventId);

/** The caller's acting actors in an occasion, once per request. */
export function callerActorIds(ctx: Context, occasionId: string): Promise<Set<string>> {
  const cache = loadersOf(ctx).actors;
  if (!cache.has(occasionId)) cache.set(occasionId, actingActorIds(ctx.prisma, ctx.principal, occasionId));
  return cache.get(occasionId)!;
}

/**
 * The other way to read an item besides timeline:view (TimelineItem's `alsoReadableBy`): a vendor-side
 * reader (timeline:read at its event) reads an item for vendors or one it is responsible for.
 */
export async function vendorMaySee(item: TimelineItem, ctx: Context): Promise<boolean> {
  if (ctx.principal.kind === 'guest') return false;
  const target = await timelineTarget(ctx, { occasionId: item.occasionId, eventId: item.eventId }, 'timeline:read');
  if (!(await ctx.authz.can('timeline:read', target))) return false;
  return visibleIn({ mode: 'VENDOR', actorIds: await callerActorIds(ctx, item.occasionId) }, item);
}
