import { z } from 'zod';
import { recordAudit } from '../../../platform/audit.js';
import type { Tx } from '../../../platform/db/client.js';
import { ConflictError, notFound } from '../../../platform/errors.js';
import { actorIdOf, type Caller } from '../../../platform/principal.js';
import { parseInput } from '../../../platform/validation.js';

const reminderInput = z.object({
  daysBefore: z
    .array(z.number().int().min(0, 'At least 0 days before.').max(90, 'At most 90 days before.'))
    .min(1, 'Give at least one day.')
    .max(10)
    .transform((ds) => [...new Set(ds)].sort((a, b) => b - a)),
  statuses: z
    .array(z.enum(['PENDING', 'ATTENDING', 'DECLINED']))
    .min(1)
    .max(3)
    .default(['PENDING']),
  channel: z.enum(['EMAIL', 'SMS']).default('EMAIL'),
});

/** A reminder for one event: who it reaches is decided when it runs, N days before the event's deadline. */
export async function createReminder(tx: Tx, caller: Caller, occasionId: string, eventId: string, input: unknown) {
  const data = parseInput(reminderInput, input);
  const event = await tx.event.findFirst({ where: { id: eventId, occasionId }, select: { id: true } });
  if (!event) throw notFound('Event');
  const reminder = await tx.commReminder.create({
    data: { occasionId, eventId, ...data, createdByActorId: await actorIdOf(tx, caller.principal, occasionId) },
  });
  await recordAudit(tx, caller, { action: 'communications:send', occasionId, target: { type: 'CommReminder', id: reminder.id }, after: reminder });
  return reminder;
}

/** Messages a run already queued stay; no run fires after this. */
export async function cancelReminder(tx: Tx, caller: Caller, id: string) {
  const before = await tx.commReminder.findUnique({ where: { id } });
  if (!before) throw notFound('Reminder');
  if (before.cancelledAt) throw new ConflictError('This reminder is already cancelled.');
  const after = await tx.commReminder.update({ where: { id }, data: { cancelledAt: new Date() } });
  await recordAudit(tx, caller, {
    action: 'communications:send',
    occasionId: before.occasionId,
    target: { type: 'CommReminder', id },
    before,
    after,
  });
  return after;
}
