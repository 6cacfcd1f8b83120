import { z } from 'zod';
import { requireEnabled } from '../../domains/module-platform/module-platform.service.js';
import { recordAudit } from '../../platform/audit.js';
import type { Tx } from '../../platform/db/client.js';
import { ConflictError, ValidationError } from '../../platform/errors.js';
import type { Caller } from '../../platform/principal.js';
import { TableFullError } from './seating.errors.js';

/*
 * The plan's layout: rooms (the venue's identifiers) and tables. Every change
 * of a plan goes through lockPlan first: it bumps the plan's revision under
 * the row lock, so two planners editing one plan are serialized (capacity is
 * checked against committed seats) and a save over a newer revision than the
 * one the planner read is a CONFLICT, never a lost update.
 */

const STALE = 'The seating plan changed since you read it (another planner saved it): reload it and apply your change again.';

/** Bumps the plan's revision (locking its row for the rest of the transaction); CONFLICT when `expectedRevision` is not the current one. */
export async function lockPlan(tx: Tx, planId: string, expectedRevision?: number | null) {
  const { count } = await tx.seatingPlan.updateMany({
    where: { id: planId, ...(expectedRevision != null ? { revision: expectedRevision } : {}) },
    data: { revision: { increment: 1 } },
  });
  if (!count) throw new ConflictError(STALE);
  return tx.seatingPlan.findUniqueOrThrow({ where: { id: planId } });
}

export async function createSeatingPlan(tx: Tx, caller: Caller, eventId: string) {
  const en = await requireEnabled(tx, eventId, 'seating');
  if (await tx.seatingPlan.findUnique({ where: { eventId }, select: { id: true } }))
    throw new ConflictError('This event already has a seating plan.');
  const plan = await tx.seatingPlan.create({ data: { occasionId: en.occasionId, eventId } });
  await recordAudit(tx, caller, { action: 'seating:manage', occasionId: plan.occasionId, target: { type: 'SeatingPlan', id: plan.id }, after: plan });
  return plan;
}

const name = z.string().trim().min(1).max(100);
const externalId = z.string().trim().min(1).max(200).nullish();

const roomInput = z.object({ name, externalId });
export type RoomInput = z.input<typeof roomInput>;

function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw ValidationError.fromZod(r.error);
  return r.data;
}

/** An external id is the venue's key: one room (or table) per id in a plan. */
async function assertExternalIdFree(tx: Tx, kind: 'room' | 'table', planId: string, externalId: string | null | undefined, except?: string) {
  if (!externalId) return;
  const where = { planId, externalId, ...(except ? { id: { not: except } } : {}) };
  const taken = kind === 'room' ? await tx.seatingRoom.findFirst({ where }) : await tx.seatingTable.findFirst({ where });
  if (taken)
    throw new ValidationError(`input.externalId: another ${kind} of this plan has it.`, [
      { path: 'input.externalId', message: `Another ${kind} of this plan has this external id.` },
    ]);
}

export async function createSeatingRoom(tx: Tx, caller: Caller, planId: string, input: RoomInput, expectedRevision?: number | null) {
  const data = parse(roomInput, input);
  const plan = await lockPlan(tx, planId, expectedRevision);
  await assertExternalIdFree(tx, 'room', planId, data.externalId);
  const room = await tx.seatingRoom.create({ data: { occasionId: plan.occasionId, planId, name: data.name, externalId: data.externalId ?? null } });
  await recordAudit(tx, caller, { action: 'seating:manage', occasionId: plan.occasionId, target: { type: 'SeatingRoom', id: room.id }, after: room });
  return room;
}

export async function updateSeatingRoom(tx: Tx, caller: Caller, roomId: string, input: Partial<RoomInput>, expectedRevision?: number | null) {
  const data = parse(roomInput.partial(), input);
  const before = await tx.seatingRoom.findUniqueOrThrow({ where: { id: roomId } });
  await lockPlan(tx, before.planId, expectedRevision);
  await assertExternalIdFree(tx, 'room', before.planId, data.externalId, roomId);
  const room = await tx.seatingRoom.update({ where: { id: roomId }, data });
  await recordAudit(tx, caller, {
    action: 'seating:manage',
    occasionId: room.occasionId,
    target: { type: 'SeatingRoom', id: room.id },
    before,
    after: room,
  });
  return room;
}

export async function deleteSeatingRoom(tx: Tx, caller: Caller, roomId: string, expectedRevision?: number | null) {
  const before = await tx.seatingRoom.findUniqueOrThrow({ where: { id: roomId } });
  await lockPlan(tx, before.planId, expectedRevision);
  // Its tables stay in the plan, in no room (the relation sets null): seated guests keep their seats.
  await tx.seatingRoom.delete({ where: { id: roomId } });
  await recordAudit(tx, caller, { action: 'seating:manage', occasionId: before.occasionId, target: { type: 'SeatingRoom', id: roomId }, before });
}

const tableInput = z
  .object({
    label: name,
    shape: z.enum(['ROUND', 'RECTANGLE', 'SQUARE', 'OVAL', 'OTHER']).optional(),
    capacity: z.number().int().min(1).max(200),
    x: z.number().finite().nullish(),
    y: z.number().finite().nullish(),
    rotation: z.number().finite().min(-360).max(360).nullish(),
    seatLabels: z.array(z.string().trim().min(1).max(20)).max(200).optional(),
    externalId,
    roomId: z.uuid().nullish(),
  })
  .refine((t) => !t.seatLabels || t.seatLabels.length <= t.capacity, { path: ['seatLabels'], message: 'More seat labels than seats.' });
export type TableInput = z.input<typeof tableInput>;

async function assertRoomOfPlan(tx: Tx, planId: string, roomId: string | null | undefined) {
  if (!roomId) return;
  if (!(await tx.seatingRoom.findFirst({ where: { id: roomId, planId }, select: { id: true } })))
    throw new ValidationError('input.roomId: not a room of this plan.', [{ path: 'input.roomId', message: 'Not a room of this seating plan.' }]);
}

export async function createSeatingTable(tx: Tx, caller: Caller, planId: string, input: TableInput, expectedRevision?: number | null) {
  const data = parse(tableInput, input);
  const plan = await lockPlan(tx, planId, expectedRevision);
  await assertRoomOfPlan(tx, planId, data.roomId);
  await assertExternalIdFree(tx, 'table', planId, data.externalId);
  const table = await tx.seatingTable.create({
    data: { ...data, seatLabels: data.seatLabels ?? [], occasionId: plan.occasionId, planId },
  });
  await recordAudit(tx, caller, {
    action: 'seating:manage',
    occasionId: plan.occasionId,
    target: { type: 'SeatingTable', id: table.id },
    after: table,
  });
  return table;
}

export async function updateSeatingTable(tx: Tx, caller: Caller, tableId: string, input: Partial<TableInput>, expectedRevision?: number | null) {
  const before = await tx.seatingTable.findUniqueOrThrow({ where: { id: tableId } });
  const data = parse(tableInput, { ...before, ...input });
  await lockPlan(tx, before.planId, expectedRevision);
  await assertRoomOfPlan(tx, before.planId, data.roomId);
  await assertExternalIdFree(tx, 'table', before.planId, data.externalId, tableId);
  // A smaller table must still hold who sits there (and every numbered seat must still exist).
  const seated = await tx.seatingAssignment.findMany({ where: { tableId }, select: { seatNumber: true } });
  if (seated.length > data.capacity || seated.some((s) => s.seatNumber != null && s.seatNumber > data.capacity))
    throw new TableFullError(
      `Table ${before.label} has ${seated.length} guests (some on seats beyond ${data.capacity}): unseat them before making it smaller.`,
      tableId,
      data.capacity,
      seated.length,
    );
  const table = await tx.seatingTable.update({ where: { id: tableId }, data: { ...data, seatLabels: data.seatLabels ?? [] } });
  await recordAudit(tx, caller, {
    action: 'seating:manage',
    occasionId: table.occasionId,
    target: { type: 'SeatingTable', id: tableId },
    before,
    after: table,
  });
  return table;
}

export async function deleteSeatingTable(tx: Tx, caller: Caller, tableId: string, expectedRevision?: number | null) {
  const before = await tx.seatingTable.findUniqueOrThrow({ where: { id: tableId } });
  await lockPlan(tx, before.planId, expectedRevision);
  // Its guests become unseated (their assignments go with the table).
  await tx.seatingTable.delete({ where: { id: tableId } });
  await recordAudit(tx, caller, { action: 'seating:manage', occasionId: before.occasionId, target: { type: 'SeatingTable', id: tableId }, before });
}
