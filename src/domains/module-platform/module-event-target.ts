import type { Target } from '../../kit/authorization.js';
import type { Context } from '../../kit/context.js';
import { notFound } from '../../platform/errors.js';
import { moduleNotEnabled } from './module-platform.service.js';
import type { EnablementRow } from './module-state.js';

/*
 * How a module guards its data on one event, the same for every module: the
 * target is the module's enablement on that event, with its event and
 * installation, so grants at event, installation or enablement scope all
 * apply.
 */

/**
 * What a module's fields on Event select with the event row: its enablement
 * there (Pothos merges the selection into the event's own statement), so the
 * field's rule and resolver need no lookup of their own.
 */
export function withEnablement(moduleKey: string) {
  return {
    select: {
      enablements: {
        where: { installation: { moduleKey } },
        select: { id: true, occasionId: true, eventId: true, installationId: true, config: true },
      },
    },
  } as const;
}

/** An event row as a module's fields see it: with the module's enablement when selected (withEnablement). */
export interface EventWithEnablement {
  id: string;
  occasionId: string;
  enablements?: EnablementRow[];
}

/** The module's enablement on the event: from the row when selected with it, else looked up (batched). */
export async function enablementOf(ctx: Context, event: EventWithEnablement, moduleKey: string): Promise<EnablementRow | null> {
  return event.enablements ? (event.enablements[0] ?? null) : ctx.moduleState.enablement(event.id, moduleKey);
}

/**
 * The permission target of a module's data on one event. Where the module is
 * off, a caller who may `action` there learns MODULE_NOT_ENABLED; anyone else
 * gets the usual refusal (whether a module is on is itself that module's
 * information). An event of another occasion than the one asked about is
 * NOT_FOUND, like any foreign id.
 */
export async function moduleEventTarget(ctx: Context, event: EventWithEnablement, moduleKey: string, action: string): Promise<Target> {
  const en = await enablementOf(ctx, event, moduleKey);
  if (en) {
    if (en.occasionId !== event.occasionId) throw notFound('Event');
    return { occasionId: en.occasionId, eventId: en.eventId, installationId: en.installationId, enablementId: en.id };
  }
  if ((await ctx.targets.event(event.id)).occasionId !== event.occasionId) throw notFound('Event');
  const inst = await ctx.moduleState.installation(event.occasionId, moduleKey);
  await ctx.authz.assert(action, { occasionId: event.occasionId, eventId: event.id, ...(inst ? { installationId: inst.id } : {}) }, 'Event');
  throw moduleNotEnabled(moduleKey);
}
