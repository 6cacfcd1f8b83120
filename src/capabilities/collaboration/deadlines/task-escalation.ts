import { queueMessages, type QueueRecipient } from '../../../domains/communications/communications.service.js';
import type { MessagingEnv } from '../../../domains/communications/messaging-env.js';
import type { ActionRegistry } from '../../../domains/permissions/actions.js';
import { recordAudit } from '../../../platform/audit.js';
import type { Tx } from '../../../platform/db/client.js';
import { recordBusinessEvent } from '../../../platform/outbox.js';
import type { Caller } from '../../../platform/principal.js';
import { taskOverdue } from '../collaboration.business-events.js';
import { byOccasion, occasionsOf, taskMessage } from './deadline-messages.js';
import { type Collaborator, reachableCollaborators, taskManagers } from './deadline-recipients.js';
import type { BatchOutcome } from './task-reminders.js';

/**
 * Takes up to `limit` open or held tasks past their due date that were not
 * escalated for it yet, marks them overdue (overdueAt), and returns their ids —
 * the same conditional UPDATE over SKIP LOCKED rows as reminders. A due date
 * moved past overdueAt makes a task escalatable again, once.
 */
async function takeOverdue(tx: Tx, now: Date, limit: number): Promise<string[]> {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    UPDATE tasks SET overdue_at = ${now}::timestamptz, updated_at = ${now}::timestamptz
    WHERE id IN (
      SELECT id FROM tasks
      WHERE status IN ('OPEN', 'CLAIMED')
        AND due_at <= ${now}::timestamptz
        AND (overdue_at IS NULL OR overdue_at < due_at)
      ORDER BY id
      LIMIT ${limit}::int
      FOR UPDATE SKIP LOCKED)
    RETURNING id`;
  return rows.map((r) => r.id);
}

/**
 * One batch of escalations, in the caller's transaction: each task taken is
 * marked overdue, audited, announced (`task.overdue`), and its lateness told
 * to its owner — or, when it has none, to the planners who manage the
 * occasion's tasks — once per due date. The notices are part of the
 * escalation (its audit row and event describe them), not sends of their own.
 */
export async function escalateOverdueTasks(
  tx: Tx,
  caller: Caller,
  env: MessagingEnv,
  registry: ActionRegistry,
  now: Date,
  limit: number,
): Promise<BatchOutcome> {
  const ids = await takeOverdue(tx, now, limit);
  if (!ids.length) return { tasks: 0, queued: 0, unreachable: 0 };
  const tasks = await tx.task.findMany({ where: { id: { in: ids } }, orderBy: { id: 'asc' } });
  const owners = await reachableCollaborators(tx, [...new Set(tasks.flatMap((t) => (t.ownerActorId ? [t.ownerActorId] : [])))], now);
  const assignees = new Map(
    (
      await tx.actor.findMany({
        where: { id: { in: tasks.flatMap((t) => (t.assigneeActorId ? [t.assigneeActorId] : [])) } },
        select: { id: true, displayName: true },
      })
    ).map((a) => [a.id, a.displayName]),
  );
  const occasions = await occasionsOf(tx, [...new Set(tasks.map((t) => t.occasionId))]);
  let queued = 0;
  let unreachable = 0;
  for (const [occasionId, group] of byOccasion(tasks)) {
    const occasion = occasions.get(occasionId)!;
    let managers: Promise<Collaborator[]> | null = null;
    const recipients: QueueRecipient[] = [];
    for (const task of group) {
      const escalatedTo = task.ownerActorId ? 'OWNER' : 'PLANNERS';
      const owner = task.ownerActorId ? owners.get(task.ownerActorId) : undefined;
      const to = task.ownerActorId
        ? owner?.occasionId === occasionId
          ? [owner]
          : []
        : await (managers ??= taskManagers(tx, registry, occasionId, now));
      if (task.ownerActorId && !to.length) unreachable++;
      const due = task.dueAt!.toISOString();
      for (const person of to) {
        recipients.push(
          taskMessage(env, occasion, task, person, `task-overdue:${task.id}:${due}:${person.actorId}`, {
            assigneeName: task.assigneeActorId ? (assignees.get(task.assigneeActorId) ?? null) : null,
          }),
        );
      }
      await recordAudit(tx, caller, {
        action: 'tasks:escalate',
        occasionId,
        target: { type: 'Task', id: task.id },
        after: { dueAt: task.dueAt, overdueAt: task.overdueAt, escalatedTo, notifiedActorIds: to.map((p) => p.actorId) },
      });
      await recordBusinessEvent(
        tx,
        caller,
        taskOverdue,
        {
          occasionId,
          eventId: task.eventId,
          taskId: task.id,
          kind: task.kind,
          resourceType: task.resourceType,
          resourceId: task.resourceId,
          dueAt: due,
          assigneeActorId: task.assigneeActorId,
          escalatedTo,
        },
        { occasionId, eventId: task.eventId },
      );
    }
    if (!recipients.length) continue;
    const sent = await queueMessages(tx, caller, env, {
      occasionId,
      kind: 'TASK_OVERDUE',
      channel: 'EMAIL',
      audience: { rule: 'task-overdue', taskIds: group.map((t) => t.id) },
      recipients,
      partOfAnotherAction: true,
    });
    queued += sent.queued;
    unreachable += sent.withoutAddress.length;
  }
  return { tasks: tasks.length, queued, unreachable };
}
