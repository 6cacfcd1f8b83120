import { queueMessages, type QueueRecipient } from '../../../domains/communications/communications.service.js';
import type { MessagingEnv } from '../../../domains/communications/messaging-env.js';
import type { Tx } from '../../../platform/db/client.js';
import type { Caller } from '../../../platform/principal.js';
import { byOccasion, occasionsOf, taskMessage } from './deadline-messages.js';
import { reachableCollaborators } from './deadline-recipients.js';
import { REMINDER_LEAD_HOURS, reminderTimeOf } from './deadline-times.js';

export interface BatchOutcome {
  /** Tasks this batch took (reminded, or escalated). */
  tasks: number;
  /** Messages queued. */
  queued: number;
  /** People it was for whom no message can reach (no account, no longer taking part, or no address): skipped, not an error. */
  unreachable: number;
}

/**
 * Takes up to `limit` open or held tasks whose reminder time (followUpAt, else
 * REMINDER_LEAD_HOURS before dueAt) has come and that were not reminded for
 * it yet, marks them reminded, and returns their ids. A conditional UPDATE
 * over rows locked with SKIP LOCKED: two workers never take the same task,
 * and a task being completed meanwhile is either skipped or seen done. A task
 * already past due is escalation's, not a reminder's.
 */
async function takeDueReminders(tx: Tx, now: Date, limit: number): Promise<string[]> {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    UPDATE tasks SET reminded_at = ${now}::timestamptz
    WHERE id IN (
      SELECT id FROM tasks
      WHERE status IN ('OPEN', 'CLAIMED')
        AND (due_at IS NULL OR due_at > ${now}::timestamptz)
        AND COALESCE(follow_up_at, due_at - make_interval(hours => ${REMINDER_LEAD_HOURS}::int)) <= ${now}::timestamptz
        AND (reminded_at IS NULL OR reminded_at < COALESCE(follow_up_at, due_at - make_interval(hours => ${REMINDER_LEAD_HOURS}::int)))
      ORDER BY id
      LIMIT ${limit}::int
      FOR UPDATE SKIP LOCKED)
    RETURNING id`;
  return rows.map((r) => r.id);
}

/**
 * One batch of reminders, in the caller's transaction: the tasks taken and the
 * messages to their people commit together or not at all. A held task
 * reminds its assignee; an open one the candidates named on it (a candidate
 * role's holders may be many people, and are not written to). One message per
 * person, task and reminder time, whatever re-runs.
 */
export async function remindDueTasks(tx: Tx, caller: Caller, env: MessagingEnv, now: Date, limit: number): Promise<BatchOutcome> {
  const ids = await takeDueReminders(tx, now, limit);
  if (!ids.length) return { tasks: 0, queued: 0, unreachable: 0 };
  const tasks = await tx.task.findMany({ where: { id: { in: ids } }, orderBy: { id: 'asc' } });
  const peopleOf = (t: (typeof tasks)[number]) => (t.assigneeActorId ? [t.assigneeActorId] : t.candidateActorIds);
  const reachable = await reachableCollaborators(tx, [...new Set(tasks.flatMap(peopleOf))], now);
  const occasions = await occasionsOf(tx, [...new Set(tasks.map((t) => t.occasionId))]);
  let queued = 0;
  let unreachable = 0;
  for (const [occasionId, group] of byOccasion(tasks)) {
    const occasion = occasions.get(occasionId)!;
    const recipients: QueueRecipient[] = [];
    for (const task of group) {
      const at = reminderTimeOf(task)!.toISOString();
      for (const actorId of peopleOf(task)) {
        const person = reachable.get(actorId);
        if (!person || person.occasionId !== occasionId) unreachable++;
        else recipients.push(taskMessage(env, occasion, task, person, `task-reminder:${task.id}:${at}:${actorId}`, {}));
      }
    }
    if (!recipients.length) continue;
    const sent = await queueMessages(tx, caller, env, {
      occasionId,
      kind: 'TASK_REMINDER',
      channel: 'EMAIL',
      audience: { rule: 'task-reminders', taskIds: group.map((t) => t.id) },
      recipients,
    });
    queued += sent.queued;
    unreachable += sent.withoutAddress.length;
  }
  return { tasks: tasks.length, queued, unreachable };
}
