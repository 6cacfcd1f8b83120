import type { Target } from '../../kit/authorization.js';
import { defineTarget, type TargetLoader } from '../../kit/targets.js';
import { enablementOf, type EventWithEnablement, moduleEventTarget, withEnablement } from '../../domains/module-platform/module-event-target.js';
import type { Context } from '../../kit/context.js';
import { notFound } from '../../platform/errors.js';

declare module '../../kit/targets.js' {
  interface TargetLoaders {
    rsvpInvitation: TargetLoader;
  }
}

/** Ids the RSVP module's fields take, as permission targets (contributed through its manifest). */
export const RSVP_TARGETS = {
  rsvpInvitation: defineTarget({
    what: 'RSVP invitation',
    fetch: (prisma, ids) => prisma.rsvpInvitation.findMany({ where: { id: { in: ids } }, select: { id: true, occasionId: true } }),
    toTarget: (r) => ({ occasionId: r.occasionId, resource: { type: 'RsvpInvitation', id: r.id } }),
  }),
};

/** What RSVP's fields on Event select with the event row: its RSVP enablement (one statement with the event). */
export const WITH_RSVP_ENABLEMENT = withEnablement('rsvp');

/** An event row as RSVP's fields see it: with its RSVP enablement when selected (WITH_RSVP_ENABLEMENT). */
export type EventWithRsvp = EventWithEnablement;

/** The event's RSVP enablement: from the row when selected with it, else looked up (batched). */
export const rsvpEnablementOf = (ctx: Context, event: EventWithRsvp) => enablementOf(ctx, event, 'rsvp');

/** The permission target of RSVP data on one event (moduleEventTarget: MODULE_NOT_ENABLED only to who may `action` there). */
export const rsvpEventTarget = (ctx: Context, event: EventWithRsvp, action: string) => moduleEventTarget(ctx, event, 'rsvp', action);

/** RSVP data spanning events (an invitation): the installation. */
export async function rsvpInstallationTarget(ctx: Context, occasionId: string): Promise<Target> {
  const inst = await ctx.moduleState.installation(occasionId, 'rsvp');
  return { occasionId, ...(inst ? { installationId: inst.id } : {}) };
}

/** An invitation named by id in a mutation: NOT_FOUND outside the caller's occasions, else its installation. */
export async function rsvpInvitationTarget(ctx: Context, invitationId: string): Promise<Target> {
  const { occasionId } = await ctx.targets.rsvpInvitation(invitationId);
  return rsvpInstallationTarget(ctx, occasionId);
}

/**
 * Ids passed alongside an occasion's object (participants, a primary actor,
 * form questions) must be of that occasion: anything else is NOT_FOUND, before
 * any rule or validation could tell a foreign id apart from a missing one.
 */
export async function assertIdsInOccasion(ctx: Context, occasionId: string, ids: { actors?: string[]; formQuestions?: string[] }) {
  for (const id of new Set(ids.actors ?? [])) if ((await ctx.targets.actor(id)).occasionId !== occasionId) throw notFound('Actor');
  for (const id of new Set(ids.formQuestions ?? [])) if ((await ctx.targets.formQuestion(id)).occasionId !== occasionId) throw notFound('Form field');
}

/** The per-event RSVP settings (deadline, linked form) from the enablement config. */
export interface RsvpEventConfig {
  deadline?: string;
  linkedFormId?: string;
}
export const deadlineOf = (config: unknown): Date | null => {
  const d = (config as RsvpEventConfig | null)?.deadline;
  return d ? new Date(d) : null;
};
