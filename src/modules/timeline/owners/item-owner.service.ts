import type { Task } from '../../../generated/prisma/client.js';
import { createTasks } from '../../../capabilities/collaboration/tasks.service.js';
import type { ModuleRegistry } from '../../../domains/module-platform/manifest.js';
import type { Tx } from '../../../platform/db/client.js';
import type { Caller } from '../../../platform/principal.js';
import { TIMELINE_ITEM_OWNER } from './item-owner.task-kind.js';

/**
 * One `timeline.item_owner` task per item of the event and actor responsible
 * for it, assigned to that actor outright (the item already says who; there
 * is nobody else to claim it), due when the item starts. Cancelled items are
 * left out, and so are item/actor pairs that already have a task (open,
 * held or done; a cancelled one may be made again), so running it again
 * after the plan changed only adds what is new.
 */
export async function createTimelineOwnerTasks(
  tx: Tx,
  caller: Caller,
  registry: ModuleRegistry,
  at: { occasionId: string; eventId: string },
): Promise<{ tasks: Task[]; skipped: number }> {
  const items = await tx.timelineItem.findMany({
    where: { eventId: at.eventId, occasionId: at.occasionId, status: { not: 'CANCELLED' } },
    select: { id: true, title: true, startsAt: true, responsibleActorIds: true },
    orderBy: [{ position: 'asc' }, { id: 'asc' }],
  });
  const active = await tx.task.findMany({
    where: { occasionId: at.occasionId, eventId: at.eventId, kind: TIMELINE_ITEM_OWNER.key, status: { not: 'CANCELLED' } },
    select: { resourceId: true, assigneeActorId: true },
  });
  const covered = new Set(active.map((t) => `${t.resourceId}|${t.assigneeActorId}`));
  const pairs = items.flatMap((item) => item.responsibleActorIds.map((actorId) => ({ item, actorId })));
  const todo = pairs.filter((p) => !covered.has(`${p.item.id}|${p.actorId}`));
  const tasks = await createTasks(
    tx,
    caller,
    registry,
    at.occasionId,
    todo.map(({ item, actorId }) => ({
      kind: TIMELINE_ITEM_OWNER.key,
      resourceId: item.id,
      eventId: at.eventId,
      title: item.title,
      assigneeActorId: actorId,
      dueAt: item.startsAt,
    })),
  );
  return { tasks, skipped: pairs.length - todo.length };
}
