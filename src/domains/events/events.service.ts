import { z } from 'zod';
import type { Prisma } from '../../generated/prisma/client.js';
import { recordAudit } from '../../platform/audit.js';
import type { Tx } from '../../platform/db/client.js';
import { notFound, ValidationError } from '../../platform/errors.js';
import { recordBusinessEvent } from '../../platform/outbox.js';
import { revokeGrantsScopedTo } from '../permissions/grant-guard.js';
import type { Caller } from '../../platform/principal.js';
import { parseInput } from '../../platform/validation.js';
import { eventCreated, eventDeleted, eventUpdated } from './events.business-events.js';

export const EVENT_VISIBILITIES = ['PUBLIC', 'PRIVATE'] as const;

const fields = {
  name: z.string().trim().min(1, 'Give the event a name.').max(200),
  description: z.string().max(5000).nullable(),
  startsAt: z.date().nullable(),
  endsAt: z.date().nullable(),
  location: z.string().max(500).nullable(),
  visibility: z.enum(EVENT_VISIBILITIES),
  settings: z.record(z.string(), z.unknown()).refine((s) => JSON.stringify(s).length <= 10_000, 'Settings are limited to 10 kB.'),
};
const timesInOrder = (e: { startsAt?: Date | null; endsAt?: Date | null }) => !e.startsAt || !e.endsAt || e.startsAt <= e.endsAt;
const ORDER = { message: 'endsAt must not be before startsAt.', path: ['endsAt'] };

const createInput = z
  .object({
    ...fields,
    description: fields.description.optional(),
    startsAt: fields.startsAt.optional(),
    endsAt: fields.endsAt.optional(),
    location: fields.location.optional(),
    visibility: fields.visibility.default('PUBLIC'),
    settings: fields.settings.default({}),
  })
  // A copy: zod normalises refine params in place (moves `message`), which would blank ORDER.message for updateEvent.
  .refine(timesInOrder, { ...ORDER });
const updateInput = z.object(fields).partial();

export async function createEvent(tx: Tx, caller: Caller, occasionId: string, input: unknown) {
  const data = parseInput(createInput, input);
  const event = await tx.event.create({ data: { ...data, settings: data.settings as Prisma.InputJsonObject, occasionId } });
  await recordAudit(tx, caller, {
    action: 'event:create',
    occasionId,
    target: { type: 'Event', id: event.id },
    scope: { eventId: event.id },
    after: event,
  });
  await recordBusinessEvent(tx, caller, eventCreated, { occasionId, eventId: event.id, name: event.name }, { occasionId, eventId: event.id });
  return event;
}

export async function updateEvent(tx: Tx, caller: Caller, id: string, input: unknown) {
  const patch = parseInput(updateInput, input);
  const before = await tx.event.findUnique({ where: { id } });
  if (!before) throw notFound('Event');
  if (!timesInOrder({ startsAt: patch.startsAt ?? before.startsAt, endsAt: patch.endsAt ?? before.endsAt })) {
    throw new ValidationError(ORDER.message, [{ path: 'input.endsAt', message: ORDER.message }]);
  }
  const after = await tx.event.update({ where: { id }, data: { ...patch, settings: patch.settings as Prisma.InputJsonObject | undefined } });
  await recordAudit(tx, caller, {
    action: 'event:update',
    occasionId: before.occasionId,
    target: { type: 'Event', id },
    scope: { eventId: id },
    before,
    after,
  });
  await recordBusinessEvent(
    tx,
    caller,
    eventUpdated,
    { occasionId: before.occasionId, eventId: id, changed: Object.keys(patch) },
    { occasionId: before.occasionId, eventId: id },
  );
  return after;
}

export async function deleteEvent(tx: Tx, caller: Caller, id: string) {
  const before = await tx.event.findUnique({ where: { id } });
  if (!before) throw notFound('Event');
  const enablements = await tx.moduleEnablement.findMany({ where: { eventId: id }, select: { id: true } });
  await revokeGrantsScopedTo(tx, caller, before.occasionId, {
    OR: [{ scopeEventId: id }, { scopeEnablementId: { in: enablements.map((e) => e.id) } }],
  });
  await tx.event.delete({ where: { id } });
  await recordAudit(tx, caller, {
    action: 'event:delete',
    occasionId: before.occasionId,
    target: { type: 'Event', id },
    scope: { eventId: id },
    before,
  });
  await recordBusinessEvent(tx, caller, eventDeleted, { occasionId: before.occasionId, eventId: id }, { occasionId: before.occasionId, eventId: id });
  return before;
}
