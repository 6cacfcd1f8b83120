import type { Target } from '../../kit/authorization.js';
import type { Context } from '../../kit/context.js';
import { defineTarget, type TargetLoader } from '../../kit/targets.js';
import { moduleEventTarget } from '../../domains/module-platform/module-event-target.js';

declare module '../../kit/targets.js' {
  interface TargetLoaders {
    timelineItem: TargetLoader;
    operationalWindow: TargetLoader;
    calendarFeed: TargetLoader;
  }
}

export const TIMELINE_KEY = 'timeline';

/** Ids the timeline's fields take, as permission targets (an item or window is guarded as part of its event). */
export const TIMELINE_TARGETS = {
  timelineItem: defineTarget({
    what: 'Timeline item',
    fetch: (prisma, ids) => prisma.timelineItem.findMany({ where: { id: { in: ids } }, select: { id: true, occasionId: true, eventId: true } }),
    toTarget: (r) => ({ occasionId: r.occasionId, eventId: r.eventId }),
  }),
  operationalWindow: defineTarget({
    what: 'Operational window',
    fetch: (prisma, ids) => prisma.operationalWindow.findMany({ where: { id: { in: ids } }, select: { id: true, occasionId: true, eventId: true } }),
    toTarget: (r) => ({ occasionId: r.occasionId, eventId: r.eventId }),
  }),
  calendarFeed: defineTarget({
    what: 'Calendar feed',
    fetch: (prisma, ids) => prisma.calendarFeed.findMany({ where: { id: { in: ids } }, select: { id: true, occasionId: true } }),
    toTarget: (r) => ({ occasionId: r.occasionId }),
  }),
};

/** The permission target of timeline data on one event (moduleEventTarget: MODULE_NOT_ENABLED only to who may `action` there). */
export const timelineTarget = (ctx: Context, at: { occasionId: string; eventId: string }, action: string): Promise<Target> =>
  moduleEventTarget(ctx, { id: at.eventId, occasionId: at.occasionId }, TIMELINE_KEY, action);

/** The timeline target of an event named by id (a mutation's input): NOT_FOUND outside the caller's occasions. */
export async function timelineTargetOfEvent(ctx: Context, eventId: string, action: string): Promise<Target> {
  const t = await ctx.targets.event(eventId);
  return timelineTarget(ctx, { occasionId: t.occasionId, eventId: t.eventId! }, action);
}

/** The same for an item or window named by id. */
export async function timelineTargetOf(ctx: Context, loader: 'timelineItem' | 'operationalWindow', id: string, action: string): Promise<Target> {
  const t = await ctx.targets[loader](id);
  return timelineTarget(ctx, { occasionId: t.occasionId, eventId: t.eventId! }, action);
}
