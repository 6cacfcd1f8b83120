import type { Task } from '../../../generated/prisma/client.js';
import type { QueueRecipient } from '../../../domains/communications/communications.service.js';
import { formatDateTime } from '../../../domains/communications/format.js';
import type { MessagingEnv } from '../../../domains/communications/messaging-env.js';
import { encodeGlobalID } from '../../../kit/ids.js';
import type { Tx } from '../../../platform/db/client.js';
import type { Collaborator } from './deadline-recipients.js';

/*
 * What a task's reminder or overdue notice says to one person: the task's
 * times on the occasion's wall clock (a 19:00 deadline in Jerusalem reads
 * 19:00 wherever the helper is) in the person's language, and a link to the
 * task in the app. Only names and times: the message is the outbox row itself.
 */

export interface OccasionInfo {
  name: string;
  timezone: string;
  defaultLocale: string;
}

export async function occasionsOf(tx: Tx, ids: string[]): Promise<Map<string, OccasionInfo>> {
  const rows = await tx.occasion.findMany({ where: { id: { in: ids } }, select: { id: true, name: true, timezone: true, defaultLocale: true } });
  return new Map(rows.map((o) => [o.id, o]));
}

/** The app's page for the task (the SPA shows it to whoever may see it, signed in). */
export const taskUrl = (env: MessagingEnv, taskId: string) => `${env.publicUrl}/tasks/${encodeGlobalID('Task', taskId)}`;

const firstName = (name: string) => name.split(/\s+/)[0] ?? name;

/** What every task message shares, for `person` about `task`. */
export function taskMessage(
  env: MessagingEnv,
  occasion: OccasionInfo,
  task: Task,
  person: Collaborator,
  idempotencyKey: string,
  extra: Record<string, unknown>,
): QueueRecipient {
  const locale = person.locale ?? occasion.defaultLocale;
  return {
    recipientActorId: person.actorId,
    address: person.address,
    locale,
    variables: {
      occasion: { name: occasion.name, timezone: occasion.timezone, locale },
      recipient: { displayName: person.displayName, firstName: firstName(person.displayName) },
      sender: { name: occasion.name },
      task: {
        title: task.title,
        dueAt: task.dueAt ? formatDateTime(task.dueAt, locale, occasion.timezone) : null,
        priority: task.priority,
      },
      taskUrl: taskUrl(env, task.id),
      ...extra,
    },
    refs: { taskId: task.id, kind: task.kind },
    idempotencyKey,
  };
}

/** Tasks grouped by occasion, in order: one send per occasion and batch. */
export function byOccasion<T extends { occasionId: string }>(items: T[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const i of items) out.set(i.occasionId, [...(out.get(i.occasionId) ?? []), i]);
  return out;
}
