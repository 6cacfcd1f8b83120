import { z } from 'zod';
import type { TimelineItem } from '../../generated/prisma/client.js';
import { requireEnabled } from '../../domains/module-platform/module-platform.service.js';
import { recordAudit } from '../../platform/audit.js';
import type { Tx } from '../../platform/db/client.js';
import { notFound, ValidationError } from '../../platform/errors.js';
import type { Caller } from '../../platform/principal.js';
import { parseInput } from '../../platform/validation.js';
import type { TimelineChange } from './timeline.business-events.js';
import { DependencyCycleError, TimelineOverlapError } from './timeline.errors.js';
import { bumpSequence, currentSequence, recordTimelineUpdated } from './timeline.sequence.js';
import { TIMELINE_KEY } from './timeline.targets.js';

export const TIMELINE_AUDIENCES = ['PLANNERS', 'VENDORS', 'GUESTS'] as const;
export const TIMELINE_ITEM_STATUSES = ['PLANNED', 'CONFIRMED', 'DONE', 'CANCELLED'] as const;
/** A run of show is a page, not a database: past this an event's timeline is refused rather than grown. */
export const MAX_ITEMS_PER_EVENT = 500;

/** The timeline's per-event settings (the enablement config). */
export interface TimelineEventConfig {
  /** REJECT: two items in one room at once are an error; WARN (default): a warning in the payload. */
  overlapPolicy?: 'WARN' | 'REJECT';
}

export interface TimelineWarning {
  code: 'ROOM_OVERLAP';
  message: string;
  itemIds: string[];
}

const text = (max: number) => z.string().trim().min(1).max(max, `At most ${max} characters.`);
const ids = (max: number) => z.array(z.uuid()).max(max, `At most ${max}.`);
const parts = {
  title: text(200),
  notes: z.string().trim().max(2000, 'At most 2000 characters.').nullable(),
  startsAt: z.date(),
  endsAt: z.date().nullable(),
  room: text(100).nullable(),
  location: text(200).nullable(),
  audience: z.array(z.enum(TIMELINE_AUDIENCES)).max(3),
  status: z.enum(TIMELINE_ITEM_STATUSES),
  dependsOnIds: ids(50),
  responsibleActorIds: ids(20),
};
const controls = { expectedSequence: z.number().int().min(0).optional(), rejectOverlaps: z.boolean().optional() };
const createInput = z.object({
  ...parts,
  notes: parts.notes.optional(),
  endsAt: parts.endsAt.optional(),
  room: parts.room.optional(),
  location: parts.location.optional(),
  audience: parts.audience.default(['PLANNERS']),
  status: parts.status.default('PLANNED'),
  dependsOnIds: parts.dependsOnIds.default([]),
  responsibleActorIds: parts.responsibleActorIds.default([]),
  ...controls,
});
const patchInput = z.object({ ...parts, ...controls }).partial();
type ItemFields = Pick<
  TimelineItem,
  'title' | 'notes' | 'startsAt' | 'endsAt' | 'room' | 'location' | 'audience' | 'status' | 'dependsOnIds' | 'responsibleActorIds'
>;
const FIELD_NAMES = Object.keys(parts) as (keyof ItemFields)[];

const issue = (path: string, message: string) => new ValidationError(`${path}: ${message}`, [{ path, message }]);

/** The event's timeline settings; the module must be enabled there (MODULE_NOT_ENABLED otherwise). */
async function eventConfig(tx: Tx, eventId: string): Promise<TimelineEventConfig> {
  return (await requireEnabled(tx, eventId, TIMELINE_KEY)).config as TimelineEventConfig;
}

async function loadItem(tx: Tx, itemId: string) {
  const item = await tx.timelineItem.findUnique({ where: { id: itemId } });
  if (!item) throw notFound('Timeline item');
  return item;
}

/**
 * Checks an item's fields against the rest of its event's timeline: the end
 * after the start, dependencies on items of the same event without a cycle,
 * responsible actors of the occasion, and rooms shared at the same time
 * (refused, or returned as warnings).
 */
async function checkItem(
  tx: Tx,
  at: { occasionId: string; eventId: string },
  self: { id: string | null } & ItemFields,
  others: TimelineItem[],
  rejectOverlaps: boolean,
): Promise<TimelineWarning[]> {
  if (self.endsAt && self.endsAt < self.startsAt) throw issue('input.endsAt', 'The item ends before it starts.');
  const deps = [...new Set(self.dependsOnIds)];
  if (self.id && deps.includes(self.id)) throw issue('input.dependsOnIds', 'An item cannot depend on itself.');
  const sameEvent = new Map(others.map((o) => [o.id, o]));
  const elsewhere = deps.filter((d) => !sameEvent.has(d));
  if (elsewhere.length) {
    const found = await tx.timelineItem.findMany({ where: { id: { in: elsewhere }, occasionId: at.occasionId }, select: { id: true } });
    // Another occasion's item (or none at all) is NOT_FOUND; another event's item of this occasion is a mistake worth naming.
    if (found.length !== elsewhere.length) throw notFound('Timeline item');
    throw issue('input.dependsOnIds', 'An item can depend only on items of its own event.');
  }
  const cycle = self.id ? cycleThrough(self.id, deps, sameEvent) : null;
  if (cycle) throw new DependencyCycleError('These dependencies would make the item wait for itself.', cycle);
  const actors = [...new Set(self.responsibleActorIds)];
  if (actors.length && (await tx.actor.count({ where: { id: { in: actors }, occasionId: at.occasionId } })) !== actors.length)
    throw notFound('Actor');
  const overlapping = self.status === 'CANCELLED' || !self.room || !self.endsAt ? [] : others.filter((o) => overlaps(self, o));
  if (!overlapping.length) return [];
  const message = `Room “${self.room}” is also used by ${overlapping.length === 1 ? 'another item' : `${overlapping.length} other items`} at that time.`;
  if (rejectOverlaps)
    throw new TimelineOverlapError(
      message,
      overlapping.map((o) => o.id),
    );
  return [{ code: 'ROOM_OVERLAP', message, itemIds: overlapping.map((o) => o.id) }];
}

function overlaps(a: { id: string | null } & ItemFields, b: TimelineItem): boolean {
  if (a.id === b.id || b.status === 'CANCELLED' || b.room !== a.room || !b.endsAt || !a.endsAt) return false;
  return a.startsAt < b.endsAt && b.startsAt < a.endsAt;
}

/** A path from `id` back to itself through the dependencies (with `deps` as id's new ones), or null. */
function cycleThrough(id: string, deps: string[], items: Map<string, TimelineItem>): string[] | null {
  const depsOf = (x: string) => (x === id ? deps : (items.get(x)?.dependsOnIds ?? []));
  const seen = new Set<string>();
  const walk = (x: string, path: string[]): string[] | null => {
    for (const next of depsOf(x)) {
      if (next === id) return [...path, x];
      if (seen.has(next)) continue;
      seen.add(next);
      const found = walk(next, [...path, x]);
      if (found) return found;
    }
    return null;
  };
  return walk(id, []);
}

const changedFields = (before: ItemFields, after: ItemFields) => FIELD_NAMES.filter((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f]));

async function audit(tx: Tx, caller: Caller, action: string, item: TimelineItem, snapshots: { before?: unknown; after?: unknown }) {
  await recordAudit(tx, caller, {
    action,
    occasionId: item.occasionId,
    target: { type: 'TimelineItem', id: item.id },
    scope: { eventId: item.eventId },
    ...snapshots,
  });
}

export async function createTimelineItem(tx: Tx, caller: Caller, at: { occasionId: string; eventId: string }, input: unknown) {
  const { expectedSequence, rejectOverlaps, ...fields } = parseInput(createInput, input);
  const config = await eventConfig(tx, at.eventId);
  const sequence = await bumpSequence(tx, at, expectedSequence);
  const others = await tx.timelineItem.findMany({ where: { eventId: at.eventId } });
  if (others.length >= MAX_ITEMS_PER_EVENT) throw issue('input.eventId', `An event’s timeline holds at most ${MAX_ITEMS_PER_EVENT} items.`);
  const values: ItemFields = { notes: null, endsAt: null, room: null, location: null, ...fields };
  const warnings = await checkItem(tx, at, { id: null, ...values }, others, rejectOverlaps ?? config.overlapPolicy === 'REJECT');
  const item = await tx.timelineItem.create({
    data: {
      ...at,
      ...values,
      dependsOnIds: [...new Set(values.dependsOnIds)],
      responsibleActorIds: [...new Set(values.responsibleActorIds)],
      audience: [...new Set(values.audience)],
      position: Math.max(-1, ...others.map((o) => o.position)) + 1,
    },
  });
  await audit(tx, caller, 'timeline:create_item', item, { after: item });
  await recordTimelineUpdated(tx, caller, at, sequence, [{ kind: 'ITEM', id: item.id, change: 'CREATED', fields: FIELD_NAMES }]);
  return { item, sequence, warnings };
}

export async function updateTimelineItem(tx: Tx, caller: Caller, itemId: string, input: unknown) {
  const { expectedSequence, rejectOverlaps, ...patch } = parseInput(patchInput, input);
  const found = await loadItem(tx, itemId);
  const at = { occasionId: found.occasionId, eventId: found.eventId };
  const config = await eventConfig(tx, at.eventId);
  // Saving an item as it is changes nothing, not even the sequence: a client may re-send the whole item.
  if (!changedFields(found, { ...found, ...patch }).length) return { item: found, sequence: await currentSequence(tx, at.eventId), warnings: [] };
  const sequence = await bumpSequence(tx, at, expectedSequence);
  // Read again under the timeline's lock: a concurrent writer may have changed it before we got the lock.
  const before = await loadItem(tx, itemId);
  const after: ItemFields = { ...before, ...patch };
  const fields = changedFields(before, after);
  const others = await tx.timelineItem.findMany({ where: { eventId: at.eventId, id: { not: itemId } } });
  const warnings = await checkItem(tx, at, { id: itemId, ...after }, others, rejectOverlaps ?? config.overlapPolicy === 'REJECT');
  const item = await tx.timelineItem.update({
    where: { id: itemId },
    data: {
      ...patch,
      ...(patch.dependsOnIds ? { dependsOnIds: [...new Set(patch.dependsOnIds)] } : {}),
      ...(patch.responsibleActorIds ? { responsibleActorIds: [...new Set(patch.responsibleActorIds)] } : {}),
      ...(patch.audience ? { audience: [...new Set(patch.audience)] } : {}),
      sequence: { increment: 1 },
    },
  });
  await audit(tx, caller, 'timeline:update_item', item, { before, after: item });
  await recordTimelineUpdated(tx, caller, at, sequence, [{ kind: 'ITEM', id: item.id, change: 'UPDATED', fields }]);
  return { item, sequence, warnings };
}

/** Deletes an item; items that depended on it no longer do (each of them changes too). */
export async function deleteTimelineItem(tx: Tx, caller: Caller, itemId: string, input: { expectedSequence?: number | null }) {
  const found = await loadItem(tx, itemId);
  const at = { occasionId: found.occasionId, eventId: found.eventId };
  await eventConfig(tx, at.eventId);
  const sequence = await bumpSequence(tx, at, input.expectedSequence ?? undefined);
  const before = await loadItem(tx, itemId);
  await tx.timelineItem.delete({ where: { id: itemId } });
  const freed = await tx.$queryRaw<{ id: string }[]>`UPDATE timeline_items
    SET depends_on_ids = array_remove(depends_on_ids, ${itemId}::uuid), sequence = sequence + 1, updated_at = now()
    WHERE event_id = ${at.eventId}::uuid AND ${itemId}::uuid = ANY(depends_on_ids) RETURNING id`;
  await audit(tx, caller, 'timeline:delete_item', before, { before });
  const changes: TimelineChange[] = [
    { kind: 'ITEM', id: itemId, change: 'DELETED', fields: [] },
    ...freed.map((f) => ({ kind: 'ITEM' as const, id: f.id, change: 'UPDATED' as const, fields: ['dependsOnIds'] })),
  ];
  await recordTimelineUpdated(tx, caller, at, sequence, changes);
  return { id: itemId, sequence };
}

const reorderInput = z.object({ itemIds: z.array(z.uuid()).max(MAX_ITEMS_PER_EVENT), expectedSequence: z.number().int().min(0).optional() });

/** Sets the run-of-show order: `itemIds` must name every item of the event once. */
export async function reorderTimelineItems(tx: Tx, caller: Caller, at: { occasionId: string; eventId: string }, input: unknown) {
  const { itemIds, expectedSequence } = parseInput(reorderInput, input);
  await eventConfig(tx, at.eventId);
  const order = async () =>
    (await tx.timelineItem.findMany({ where: { eventId: at.eventId }, orderBy: [{ position: 'asc' }, { id: 'asc' }], select: { id: true } })).map(
      (i) => i.id,
    );
  // The order it already has changes nothing, not even the sequence.
  if ((await order()).join() === itemIds.join()) return { sequence: await currentSequence(tx, at.eventId) };
  const sequence = await bumpSequence(tx, at, expectedSequence);
  const items = await tx.timelineItem.findMany({ where: { eventId: at.eventId }, select: { id: true, position: true } });
  const known = new Set(items.map((i) => i.id));
  const foreign = itemIds.filter((id) => !known.has(id));
  if (foreign.length) {
    const found = await tx.timelineItem.count({ where: { id: { in: foreign }, occasionId: at.occasionId } });
    if (found !== foreign.length) throw notFound('Timeline item');
    throw issue('input.itemIds', 'Name only items of this event.');
  }
  if (new Set(itemIds).size !== itemIds.length || itemIds.length !== items.length)
    throw issue('input.itemIds', `Name every item of the event exactly once (${items.length} items).`);
  const moved = itemIds.filter((id, i) => items.find((x) => x.id === id)!.position !== i);
  if (moved.length)
    await tx.$executeRaw`UPDATE timeline_items t SET position = o.ord - 1, updated_at = now()
      FROM unnest(${itemIds}::uuid[]) WITH ORDINALITY AS o(id, ord) WHERE t.id = o.id AND t.event_id = ${at.eventId}::uuid`;
  await recordAudit(tx, caller, {
    action: 'timeline:reorder_items',
    occasionId: at.occasionId,
    target: { type: 'Event', id: at.eventId },
    after: { itemIds },
  });
  await recordTimelineUpdated(
    tx,
    caller,
    at,
    sequence,
    moved.map((id) => ({ kind: 'ITEM' as const, id, change: 'REORDERED' as const, fields: ['position'] })),
  );
  return { sequence };
}
