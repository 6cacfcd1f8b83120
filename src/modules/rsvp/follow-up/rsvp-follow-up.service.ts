import type { Task } from '../../../generated/prisma/client.js';
import { createTasks } from '../../../capabilities/collaboration/tasks.service.js';
import type { ModuleRegistry } from '../../../domains/module-platform/manifest.js';
import type { Tx } from '../../../platform/db/client.js';
import { notFound, ValidationError } from '../../../platform/errors.js';
import type { Caller } from '../../../platform/principal.js';
import { RSVP_FOLLOW_UP } from './rsvp-follow-up.task-kind.js';

export const MAX_FOLLOW_UP_HELPERS = 50;

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Splits the households still pending on an event among helpers: one
 * `rsvp.follow_up` task per household, dealt round-robin in the order of the
 * households' names (then ids), so the same list and helpers always split the
 * same way. Each helper is its tasks' only candidate — not assigned outright:
 * the task stays OPEN until the helper takes it (claiming, or completing it
 * directly), and a planner can move it to someone else with reassignTask.
 * Households that already have an open or held follow-up on the event are
 * left out, so running it again only adds the newly pending.
 */
export async function createRsvpFollowUpTasks(
  tx: Tx,
  caller: Caller,
  registry: ModuleRegistry,
  input: { occasionId: string; eventId: string; helperActorIds: string[]; dueAt?: Date | null },
): Promise<{ tasks: Task[]; skipped: number }> {
  const helpers = [...new Set(input.helperActorIds)];
  if (!helpers.length || helpers.length > MAX_FOLLOW_UP_HELPERS) {
    throw new ValidationError(`Name 1 to ${MAX_FOLLOW_UP_HELPERS} helpers.`, [
      { path: 'input.helperActorIds', message: `1 to ${MAX_FOLLOW_UP_HELPERS}.` },
    ]);
  }
  if (input.dueAt && input.dueAt <= new Date()) {
    throw new ValidationError('The due date must be in the future.', [{ path: 'input.dueAt', message: 'In the past.' }]);
  }
  // Checked even when no household is left to call: another occasion's actor is NOT_FOUND either way.
  if ((await tx.actor.count({ where: { occasionId: input.occasionId, id: { in: helpers } } })) !== helpers.length) throw notFound('Actor');
  const responses = await tx.rsvpResponse.findMany({
    where: { eventId: input.eventId, occasionId: input.occasionId, status: 'PENDING' },
    select: { unitActorId: true },
  });
  const units = await tx.actor.findMany({
    where: { id: { in: responses.map((r) => r.unitActorId) } },
    select: { id: true, displayName: true },
  });
  // Code-point order, not the locale's: the split must not depend on the server's locale.
  const pending = units.sort((a, b) => cmp(a.displayName, b.displayName) || cmp(a.id, b.id));
  const active = await tx.task.findMany({
    where: { occasionId: input.occasionId, eventId: input.eventId, kind: RSVP_FOLLOW_UP.key, status: { in: ['OPEN', 'CLAIMED'] } },
    select: { resourceId: true },
  });
  const covered = new Set(active.map((t) => t.resourceId));
  const todo = pending.filter((p) => !covered.has(p.id));
  const tasks = await createTasks(
    tx,
    caller,
    registry,
    input.occasionId,
    todo.map((p, i) => ({
      kind: RSVP_FOLLOW_UP.key,
      resourceId: p.id,
      eventId: input.eventId,
      title: `Call ${p.displayName}`,
      candidateActorIds: [helpers[i % helpers.length]!],
      dueAt: input.dueAt ?? null,
    })),
  );
  return { tasks, skipped: pending.length - todo.length };
}
