import { EventType } from '../../domains/events/events.schema.js';
import { builder } from '../../kit/builder.js';
import { deletedPayload, payload } from '../../kit/payload.js';
import { canField, type InputIdArgs } from '../../kit/rules.js';
import { inTransaction } from '../../kit/transaction.js';
import { ConflictError, notFound, ValidationError } from '../../platform/errors.js';
import { TableFullError } from './seating.errors.js';
import { syncSeatingLayout } from './seating.layout-sync.service.js';
import {
  createSeatingPlan,
  createSeatingRoom,
  createSeatingTable,
  deleteSeatingRoom,
  deleteSeatingTable,
  updateSeatingRoom,
  updateSeatingTable,
} from './seating.plan.service.js';
import { SeatingPlanType, SeatingRoomType, SeatingTableShapeEnum, SeatingTableType } from './seating.schema.js';
import { seatingEventTarget, seatingRowTarget } from './seating.targets.js';
import type { Context } from '../../kit/context.js';

/*
 * The plan and its layout: rooms and tables. Layout changes need
 * seating:manage_layout (planners hold it; a venue's system may be granted
 * it to push its rooms and tables), never seating:manage (who sits where).
 */

export const REVISION = 'The plan revision you edited; a newer one means another planner saved first (CONFLICT).';

const CreateSeatingPlanInput = builder.inputType('CreateSeatingPlanInput', {
  fields: (t) => ({ eventId: t.globalID({ required: true, for: EventType }) }),
});

builder.mutationField('createSeatingPlan', (t) =>
  t.field({
    type: payload('CreateSeatingPlanPayload', 'plan', SeatingPlanType),
    description: 'Starts the event’s seating plan (one per event; the seating module must be enabled on it).',
    ...canField('seating:manage', 'MODULE_ENABLEMENT', async (_p, args: InputIdArgs<'eventId'>, ctx) => {
      const ev = await ctx.targets.event(args.input.eventId.id);
      return seatingEventTarget(ctx, { id: args.input.eventId.id, occasionId: ev.occasionId }, 'seating:manage');
    }),
    args: { input: t.arg({ type: CreateSeatingPlanInput, required: true }) },
    errors: { types: [ConflictError] },
    resolve: async (_r, { input }, ctx) => ({ plan: await inTransaction(ctx, (tx) => createSeatingPlan(tx, ctx.caller, input.eventId.id)) }),
  }),
);

const layoutOfPlan = canField('seating:manage_layout', 'MODULE_ENABLEMENT', (_p, args: InputIdArgs<'planId'>, ctx) =>
  seatingRowTarget(ctx, 'seatingPlan', args.input.planId.id, 'seating:manage_layout'),
);
const layoutOfRoom = canField('seating:manage_layout', 'MODULE_ENABLEMENT', (_p, args: InputIdArgs<'roomId'>, ctx) =>
  seatingRowTarget(ctx, 'seatingRoom', args.input.roomId.id, 'seating:manage_layout'),
);
const layoutOfTable = canField('seating:manage_layout', 'MODULE_ENABLEMENT', (_p, args: InputIdArgs<'tableId'>, ctx) =>
  seatingRowTarget(ctx, 'seatingTable', args.input.tableId.id, 'seating:manage_layout'),
);

/** A room named with a plan's table must be of the same occasion (else NOT_FOUND, like any foreign id). */
async function roomInOccasion(ctx: Context, occasionId: string, roomId: string | null | undefined) {
  if (roomId && (await ctx.targets.seatingRoom(roomId)).occasionId !== occasionId) throw notFound('Seating room');
}

const CreateSeatingRoomInput = builder.inputType('CreateSeatingRoomInput', {
  fields: (t) => ({
    planId: t.globalID({ required: true, for: SeatingPlanType }),
    name: t.string({ required: true }),
    externalId: t.string({ description: 'The venue’s own identifier (unique in the plan).' }),
    expectedRevision: t.int({ description: REVISION }),
  }),
});
const UpdateSeatingRoomInput = builder.inputType('UpdateSeatingRoomInput', {
  fields: (t) => ({
    roomId: t.globalID({ required: true, for: SeatingRoomType }),
    name: t.string(),
    externalId: t.string(),
    expectedRevision: t.int({ description: REVISION }),
  }),
});
const DeleteSeatingRoomInput = builder.inputType('DeleteSeatingRoomInput', {
  fields: (t) => ({ roomId: t.globalID({ required: true, for: SeatingRoomType }), expectedRevision: t.int({ description: REVISION }) }),
});

/** What creating and updating a table both take besides its label and capacity. */
const tableLayoutFields = (t: Parameters<Parameters<typeof builder.inputType>[1]['fields']>[0]) => ({
  roomId: t.globalID({ for: SeatingRoomType }),
  shape: t.field({ type: SeatingTableShapeEnum }),
  x: t.float(),
  y: t.float(),
  rotation: t.float({ description: 'Degrees.' }),
  seatLabels: t.stringList({ description: 'Labels of seats 1, 2, … (at most capacity); unlabelled seats are their number.' }),
  externalId: t.string({ description: 'The venue’s own identifier (unique in the plan).' }),
  expectedRevision: t.int({ description: REVISION }),
});

const CreateSeatingTableInput = builder.inputType('CreateSeatingTableInput', {
  fields: (t) => ({
    planId: t.globalID({ required: true, for: SeatingPlanType }),
    label: t.string({ required: true }),
    capacity: t.int({ required: true }),
    ...tableLayoutFields(t),
  }),
});
const UpdateSeatingTableInput = builder.inputType('UpdateSeatingTableInput', {
  fields: (t) => ({
    tableId: t.globalID({ required: true, for: SeatingTableType }),
    label: t.string(),
    capacity: t.int(),
    ...tableLayoutFields(t),
  }),
});
const DeleteSeatingTableInput = builder.inputType('DeleteSeatingTableInput', {
  fields: (t) => ({ tableId: t.globalID({ required: true, for: SeatingTableType }), expectedRevision: t.int({ description: REVISION }) }),
});

/** GraphQL null means "leave unchanged" in update inputs. */
const given = <T extends object>(o: T) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v != null)) as { [K in keyof T]?: Exclude<T[K], null> };

builder.mutationFields((t) => ({
  createSeatingRoom: t.field({
    type: payload('CreateSeatingRoomPayload', 'room', SeatingRoomType),
    ...layoutOfPlan,
    args: { input: t.arg({ type: CreateSeatingRoomInput, required: true }) },
    errors: { types: [ValidationError, ConflictError] },
    resolve: async (_r, { input: { planId, expectedRevision: rev, ...room } }, ctx) => ({
      room: await inTransaction(ctx, (tx) => createSeatingRoom(tx, ctx.caller, planId.id, room, rev)),
    }),
  }),
  updateSeatingRoom: t.field({
    type: payload('UpdateSeatingRoomPayload', 'room', SeatingRoomType),
    ...layoutOfRoom,
    args: { input: t.arg({ type: UpdateSeatingRoomInput, required: true }) },
    errors: { types: [ValidationError, ConflictError] },
    resolve: async (_r, { input: { roomId, expectedRevision: rev, ...room } }, ctx) => ({
      room: await inTransaction(ctx, (tx) => updateSeatingRoom(tx, ctx.caller, roomId.id, given(room), rev)),
    }),
  }),
  deleteSeatingRoom: t.field({
    type: deletedPayload('DeleteSeatingRoomPayload', 'SeatingRoom'),
    description: 'Removes a room; its tables stay in the plan, in no room.',
    ...layoutOfRoom,
    args: { input: t.arg({ type: DeleteSeatingRoomInput, required: true }) },
    errors: { types: [ConflictError] },
    resolve: async (_r, { input }, ctx) => {
      await inTransaction(ctx, (tx) => deleteSeatingRoom(tx, ctx.caller, input.roomId.id, input.expectedRevision));
      return { id: input.roomId.id };
    },
  }),
  createSeatingTable: t.field({
    type: payload('CreateSeatingTablePayload', 'table', SeatingTableType),
    ...layoutOfPlan,
    args: { input: t.arg({ type: CreateSeatingTableInput, required: true }) },
    errors: { types: [ValidationError, ConflictError] },
    resolve: async (_r, { input: { planId, roomId, expectedRevision: rev, ...table } }, ctx) => {
      await roomInOccasion(ctx, (await ctx.targets.seatingPlan(planId.id)).occasionId, roomId?.id);
      return {
        table: await inTransaction(ctx, (tx) =>
          createSeatingTable(tx, ctx.caller, planId.id, { ...given(table), label: table.label, capacity: table.capacity, roomId: roomId?.id }, rev),
        ),
      };
    },
  }),
  updateSeatingTable: t.field({
    type: payload('UpdateSeatingTablePayload', 'table', SeatingTableType),
    description: 'Changes a table; making it smaller than who sits there is TABLE_FULL.',
    ...layoutOfTable,
    args: { input: t.arg({ type: UpdateSeatingTableInput, required: true }) },
    errors: { types: [ValidationError, ConflictError, TableFullError] },
    resolve: async (_r, { input: { tableId, roomId, expectedRevision: rev, ...table } }, ctx) => {
      await roomInOccasion(ctx, (await ctx.targets.seatingTable(tableId.id)).occasionId, roomId?.id);
      return {
        table: await inTransaction(ctx, (tx) =>
          updateSeatingTable(tx, ctx.caller, tableId.id, { ...given(table), ...(roomId ? { roomId: roomId.id } : {}) }, rev),
        ),
      };
    },
  }),
  deleteSeatingTable: t.field({
    type: deletedPayload('DeleteSeatingTablePayload', 'SeatingTable'),
    description: 'Removes a table; its guests become unseated.',
    ...layoutOfTable,
    args: { input: t.arg({ type: DeleteSeatingTableInput, required: true }) },
    errors: { types: [ConflictError] },
    resolve: async (_r, { input }, ctx) => {
      await inTransaction(ctx, (tx) => deleteSeatingTable(tx, ctx.caller, input.tableId.id, input.expectedRevision));
      return { id: input.tableId.id };
    },
  }),
}));

const LayoutRoomInput = builder.inputType('SeatingLayoutRoomInput', {
  fields: (t) => ({ externalId: t.string({ required: true }), name: t.string({ required: true }) }),
});
const LayoutTableInput = builder.inputType('SeatingLayoutTableInput', {
  fields: (t) => ({
    externalId: t.string({ required: true }),
    label: t.string({ required: true }),
    capacity: t.int({ required: true }),
    shape: t.field({ type: SeatingTableShapeEnum }),
    roomExternalId: t.string({ description: 'A room of this push, or one the plan already has.' }),
    x: t.float(),
    y: t.float(),
    rotation: t.float(),
    seatLabels: t.stringList(),
  }),
});
const SyncSeatingLayoutInput = builder.inputType('SyncSeatingLayoutInput', {
  fields: (t) => ({
    eventId: t.globalID({ required: true, for: EventType }),
    rooms: t.field({ type: [LayoutRoomInput], required: true }),
    tables: t.field({ type: [LayoutTableInput], required: true }),
    expectedRevision: t.int({ description: REVISION }),
  }),
});

builder.mutationField('syncSeatingLayout', (t) =>
  t.field({
    type: payload('SyncSeatingLayoutPayload', 'plan', SeatingPlanType),
    description:
      'Creates or updates rooms and tables by the venue’s external ids (a venue’s push; starts the plan if there is none). Nothing is deleted; a table cannot shrink below who sits there (TABLE_FULL).',
    ...canField('seating:manage_layout', 'MODULE_ENABLEMENT', async (_p, args: InputIdArgs<'eventId'>, ctx) => {
      const ev = await ctx.targets.event(args.input.eventId.id);
      return seatingEventTarget(ctx, { id: args.input.eventId.id, occasionId: ev.occasionId }, 'seating:manage_layout');
    }),
    args: { input: t.arg({ type: SyncSeatingLayoutInput, required: true }) },
    errors: { types: [ValidationError, ConflictError, TableFullError] },
    resolve: async (_r, { input }, ctx) => ({
      plan: await inTransaction(ctx, (tx) =>
        syncSeatingLayout(
          tx,
          ctx.caller,
          input.eventId.id,
          {
            rooms: input.rooms,
            tables: input.tables.map((x) => ({
              ...x,
              shape: x.shape ?? undefined,
              seatLabels: x.seatLabels ?? undefined,
            })),
          },
          input.expectedRevision,
        ),
      ),
    }),
  }),
);
