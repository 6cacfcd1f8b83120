import { z } from 'zod';
import type { OperationalWindow } from '../../generated/prisma/client.js';
import { requireEnabled } from '../../domains/module-platform/module-platform.service.js';
import { recordAudit } from '../../platform/audit.js';
import type { Tx } from '../../platform/db/client.js';
import { notFound, ValidationError } from '../../platform/errors.js';
import type { Caller } from '../../platform/principal.js';
import { parseInput } from '../../platform/validation.js';
import { bumpSequence, currentSequence, recordTimelineUpdated } from './timeline.sequence.js';
import { TIMELINE_KEY } from './timeline.targets.js';

/*
 * Operational windows: when the venue is open to suppliers, when service runs.
 * A caterer or venue granted timeline:read_windows reads them for its events
 * without the run of show. They are part of the event's timeline: each change
 * bumps its sequence and is announced by timeline.updated.
 */

export const WINDOW_KINDS = ['VENUE_ACCESS', 'SETUP', 'DELIVERY', 'SERVICE', 'TEARDOWN', 'QUIET_HOURS', 'OTHER'] as const;
export const MAX_WINDOWS_PER_EVENT = 100;

const parts = {
  kind: z.enum(WINDOW_KINDS),
  label: z.string().trim().min(1).max(200, 'At most 200 characters.'),
  startsAt: z.date(),
  endsAt: z.date(),
  room: z.string().trim().min(1).max(100, 'At most 100 characters.').nullable(),
  notes: z.string().trim().max(2000, 'At most 2000 characters.').nullable(),
};
const expectedSequence = z.number().int().min(0).optional();
const createInput = z.object({ ...parts, room: parts.room.optional(), notes: parts.notes.optional(), expectedSequence });
const patchInput = z.object({ ...parts, expectedSequence }).partial();
type WindowFields = Pick<OperationalWindow, keyof typeof parts>;
const FIELD_NAMES = Object.keys(parts) as (keyof WindowFields)[];

function checkTimes(w: { startsAt: Date; endsAt: Date }) {
  if (w.endsAt <= w.startsAt)
    throw new ValidationError('input.endsAt: The window ends before it starts.', [
      { path: 'input.endsAt', message: 'The window ends before it starts.' },
    ]);
}

async function loadWindow(tx: Tx, id: string) {
  const w = await tx.operationalWindow.findUnique({ where: { id } });
  if (!w) throw notFound('Operational window');
  return w;
}

const audit = (tx: Tx, caller: Caller, action: string, w: OperationalWindow, snapshots: { before?: unknown; after?: unknown }) =>
  recordAudit(tx, caller, {
    action,
    occasionId: w.occasionId,
    target: { type: 'OperationalWindow', id: w.id },
    scope: { eventId: w.eventId },
    ...snapshots,
  });

export async function createOperationalWindow(tx: Tx, caller: Caller, at: { occasionId: string; eventId: string }, input: unknown) {
  const { expectedSequence: expected, ...fields } = parseInput(createInput, input);
  checkTimes(fields);
  await requireEnabled(tx, at.eventId, TIMELINE_KEY);
  const sequence = await bumpSequence(tx, at, expected);
  if ((await tx.operationalWindow.count({ where: { eventId: at.eventId } })) >= MAX_WINDOWS_PER_EVENT)
    throw new ValidationError(`An event has at most ${MAX_WINDOWS_PER_EVENT} operational windows.`, [
      { path: 'input.eventId', message: 'Too many windows.' },
    ]);
  const window = await tx.operationalWindow.create({ data: { ...at, room: null, notes: null, ...fields } });
  await audit(tx, caller, 'timeline:create_window', window, { after: window });
  await recordTimelineUpdated(tx, caller, at, sequence, [{ kind: 'WINDOW', id: window.id, change: 'CREATED', fields: FIELD_NAMES }]);
  return { window, sequence };
}

export async function updateOperationalWindow(tx: Tx, caller: Caller, id: string, input: unknown) {
  const { expectedSequence: expected, ...patch } = parseInput(patchInput, input);
  const found = await loadWindow(tx, id);
  const at = { occasionId: found.occasionId, eventId: found.eventId };
  await requireEnabled(tx, at.eventId, TIMELINE_KEY);
  const changed = (b: WindowFields) => FIELD_NAMES.filter((f) => JSON.stringify(b[f]) !== JSON.stringify({ ...b, ...patch }[f]));
  if (!changed(found).length) return { window: found, sequence: await currentSequence(tx, at.eventId) };
  const sequence = await bumpSequence(tx, at, expected);
  const before = await loadWindow(tx, id);
  checkTimes({ ...before, ...patch });
  const window = await tx.operationalWindow.update({ where: { id }, data: { ...patch, sequence: { increment: 1 } } });
  await audit(tx, caller, 'timeline:update_window', window, { before, after: window });
  await recordTimelineUpdated(tx, caller, at, sequence, [{ kind: 'WINDOW', id, change: 'UPDATED', fields: changed(before) }]);
  return { window, sequence };
}

export async function deleteOperationalWindow(tx: Tx, caller: Caller, id: string, input: { expectedSequence?: number | null }) {
  const found = await loadWindow(tx, id);
  const at = { occasionId: found.occasionId, eventId: found.eventId };
  await requireEnabled(tx, at.eventId, TIMELINE_KEY);
  const sequence = await bumpSequence(tx, at, input.expectedSequence ?? undefined);
  const before = await loadWindow(tx, id);
  await tx.operationalWindow.delete({ where: { id } });
  await audit(tx, caller, 'timeline:delete_window', before, { before });
  await recordTimelineUpdated(tx, caller, at, sequence, [{ kind: 'WINDOW', id, change: 'DELETED', fields: [] }]);
  return { id, sequence };
}
