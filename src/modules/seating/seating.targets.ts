import type { Target } from '../../kit/authorization.js';
import { defineTarget, type TargetLoader } from '../../kit/targets.js';
import type { Context } from '../../kit/context.js';
import { enablementOf, type EventWithEnablement, moduleEventTarget, withEnablement } from '../../domains/module-platform/module-event-target.js';
import { notFound } from '../../platform/errors.js';

declare module '../../kit/targets.js' {
  interface TargetLoaders {
    seatingPlan: TargetLoader;
    seatingTable: TargetLoader;
    seatingRoom: TargetLoader;
    seatingConstraint: TargetLoader;
  }
}

const PLAN_EVENT = { select: { eventId: true } } as const;

/** Ids the seating module's fields take, as permission targets (contributed through its manifest). */
export const SEATING_TARGETS = {
  seatingPlan: defineTarget({
    what: 'Seating plan',
    fetch: (prisma, ids) => prisma.seatingPlan.findMany({ where: { id: { in: ids } }, select: { id: true, occasionId: true, eventId: true } }),
    toTarget: (r) => ({ occasionId: r.occasionId, eventId: r.eventId }),
  }),
  seatingTable: defineTarget({
    what: 'Seating table',
    fetch: (prisma, ids) => prisma.seatingTable.findMany({ where: { id: { in: ids } }, select: { id: true, occasionId: true, plan: PLAN_EVENT } }),
    // A plan's rows are targets of their event (the plan is per event), so event-scoped grants reach them.
    toTarget: (r) => ({ occasionId: r.occasionId, eventId: r.plan.eventId }),
  }),
  seatingRoom: defineTarget({
    what: 'Seating room',
    fetch: (prisma, ids) => prisma.seatingRoom.findMany({ where: { id: { in: ids } }, select: { id: true, occasionId: true, plan: PLAN_EVENT } }),
    // A plan's rows are targets of their event (the plan is per event), so event-scoped grants reach them.
    toTarget: (r) => ({ occasionId: r.occasionId, eventId: r.plan.eventId }),
  }),
  seatingConstraint: defineTarget({
    what: 'Seating constraint',
    fetch: (prisma, ids) =>
      prisma.seatingConstraint.findMany({ where: { id: { in: ids } }, select: { id: true, occasionId: true, plan: PLAN_EVENT } }),
    // A plan's rows are targets of their event (the plan is per event), so event-scoped grants reach them.
    toTarget: (r) => ({ occasionId: r.occasionId, eventId: r.plan.eventId }),
  }),
};

/** What seating's fields on Event select with the event row: its seating enablement, merged into the event's own statement. */
export const WITH_SEATING_ENABLEMENT = withEnablement('seating');

export type EventWithSeating = EventWithEnablement;

export const seatingEnablementOf = (ctx: Context, event: EventWithSeating) => enablementOf(ctx, event, 'seating');

/**
 * The permission target of seating data on one event (a venue's event-scoped grant first): see
 * moduleEventTarget; MODULE_NOT_ENABLED only to who may `action` there.
 */
export const seatingEventTarget = (ctx: Context, event: EventWithSeating, action: string) => moduleEventTarget(ctx, event, 'seating', action);

type SeatingLoader = 'seatingPlan' | 'seatingTable' | 'seatingRoom' | 'seatingConstraint';

/** A seating row named by id in a mutation: NOT_FOUND outside the caller's occasions, else its event's seating target. */
export async function seatingRowTarget(ctx: Context, loader: SeatingLoader, id: string, action: string): Promise<Target> {
  const t = await ctx.targets[loader](id);
  return seatingEventTarget(ctx, { id: t.eventId!, occasionId: t.occasionId }, action);
}

/** Ids given with a plan (guests of a constraint or assignment) must be of its occasion: anything else is NOT_FOUND. */
export async function assertActorsInOccasion(ctx: Context, occasionId: string, actorIds: string[]) {
  for (const id of new Set(actorIds)) if ((await ctx.targets.actor(id)).occasionId !== occasionId) throw notFound('Actor');
}
