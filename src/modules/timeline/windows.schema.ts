import type { OperationalWindow } from '../../generated/prisma/client.js';
import { EventType } from '../../domains/events/events.schema.js';
import { builder } from '../../kit/builder.js';
import { encodeGlobalID } from '../../kit/ids.js';
import { defined, deletedPayload } from '../../kit/payload.js';
import { canField, canType, inheritedType, type InputIdArgs } from '../../kit/rules.js';
import { inTransaction } from '../../kit/transaction.js';
import { ConflictError, ValidationError } from '../../platform/errors.js';
import { timelineOf } from './timeline.read.js';
import { timelineTarget, timelineTargetOf, timelineTargetOfEvent } from './timeline.targets.js';
import { createOperationalWindow, deleteOperationalWindow, updateOperationalWindow, WINDOW_KINDS } from './windows.service.js';

export const OperationalWindowKindEnum = builder.enumType('OperationalWindowKind', { values: WINDOW_KINDS });

const at = (x: { occasionId: string; eventId: string }) => ({ occasionId: x.occasionId, eventId: x.eventId });

export const OperationalWindowType = builder.prismaNode('OperationalWindow', {
  id: { field: 'id' },
  ...canType('timeline:read_windows', 'MODULE_ENABLEMENT', (w: OperationalWindow, ctx) => timelineTarget(ctx, at(w), 'timeline:read_windows')),
  description: 'A schedule window of an event (venue access 14:00–02:00, service 19:30–22:00): what caterers and venues plan around.',
  fields: (t) => ({
    eventId: t.id({ description: 'Global id of its Event.', resolve: (w) => encodeGlobalID('Event', w.eventId) }),
    kind: t.field({ type: OperationalWindowKindEnum, resolve: (w) => w.kind as (typeof WINDOW_KINDS)[number] }),
    label: t.exposeString('label'),
    startsAt: t.expose('startsAt', { type: 'DateTime' }),
    endsAt: t.expose('endsAt', { type: 'DateTime' }),
    room: t.exposeString('room', { nullable: true, description: 'The venue’s room identifier, when the window is for one room.' }),
    notes: t.exposeString('notes', { nullable: true }),
    sequence: t.exposeInt('sequence', { description: 'How many times the window changed.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

builder.prismaObjectFields(EventType, (t) => ({
  operationalWindows: t.field({
    type: [OperationalWindowType],
    description: 'Schedule windows of the event, by start: readable with timeline:read_windows without the run of show.',
    ...canField('timeline:read_windows', 'MODULE_ENABLEMENT', (e: { id: string; occasionId: string }, _a, ctx) =>
      timelineTarget(ctx, { occasionId: e.occasionId, eventId: e.id }, 'timeline:read_windows'),
    ),
    resolve: async (e, _a, ctx) => (await timelineOf(ctx, e.id)).windows,
  }),
}));

const OperationalWindowPayload = builder.objectRef<{ window: OperationalWindow; sequence: number }>('OperationalWindowPayload').implement({
  ...inheritedType,
  fields: (t) => ({
    window: t.field({ type: OperationalWindowType, ...inheritedType, resolve: (p) => p.window }),
    sequence: t.exposeInt('sequence', { ...inheritedType, description: 'The event timeline’s sequence after the change.' }),
  }),
});
const DeleteOperationalWindowPayload = deletedPayload('DeleteOperationalWindowPayload', 'OperationalWindow');

const expectedSequenceArg = { description: 'The timeline sequence you last read: a newer one means someone else changed it first (CONFLICT).' };
const CreateOperationalWindowInput = builder.inputType('CreateOperationalWindowInput', {
  fields: (t) => ({
    eventId: t.globalID({ required: true, for: EventType }),
    kind: t.field({ type: OperationalWindowKindEnum, required: true }),
    label: t.string({ required: true }),
    startsAt: t.field({ type: 'DateTime', required: true }),
    endsAt: t.field({ type: 'DateTime', required: true }),
    room: t.string(),
    notes: t.string(),
    expectedSequence: t.int(expectedSequenceArg),
  }),
});
const UpdateOperationalWindowInput = builder.inputType('UpdateOperationalWindowInput', {
  description: 'Fields left out stay as they are; room and notes are cleared with null.',
  fields: (t) => ({
    id: t.globalID({ required: true, for: OperationalWindowType }),
    kind: t.field({ type: OperationalWindowKindEnum }),
    label: t.string(),
    startsAt: t.field({ type: 'DateTime' }),
    endsAt: t.field({ type: 'DateTime' }),
    room: t.string(),
    notes: t.string(),
    expectedSequence: t.int(expectedSequenceArg),
  }),
});
const DeleteOperationalWindowInput = builder.inputType('DeleteOperationalWindowInput', {
  fields: (t) => ({ id: t.globalID({ required: true, for: OperationalWindowType }), expectedSequence: t.int(expectedSequenceArg) }),
});

builder.mutationFields((t) => ({
  createOperationalWindow: t.field({
    type: OperationalWindowPayload,
    ...canField('timeline:manage', 'MODULE_ENABLEMENT', (_p, args: InputIdArgs<'eventId'>, ctx) =>
      timelineTargetOfEvent(ctx, args.input.eventId.id, 'timeline:manage'),
    ),
    args: { input: t.arg({ type: CreateOperationalWindowInput, required: true }) },
    errors: { types: [ValidationError, ConflictError] },
    resolve: async (_r, { input: { eventId, ...rest } }, ctx) => {
      const { occasionId } = await ctx.targets.event(eventId.id);
      return inTransaction(ctx, (tx) => createOperationalWindow(tx, ctx.caller, { occasionId, eventId: eventId.id }, defined(rest)));
    },
  }),
  updateOperationalWindow: t.field({
    type: OperationalWindowPayload,
    ...canField('timeline:manage', 'MODULE_ENABLEMENT', (_p, args: InputIdArgs<'id'>, ctx) =>
      timelineTargetOf(ctx, 'operationalWindow', args.input.id.id, 'timeline:manage'),
    ),
    args: { input: t.arg({ type: UpdateOperationalWindowInput, required: true }) },
    errors: { types: [ValidationError, ConflictError] },
    resolve: (_r, { input: { id, ...rest } }, ctx) =>
      inTransaction(ctx, (tx) =>
        updateOperationalWindow(
          tx,
          ctx.caller,
          id.id,
          Object.fromEntries(Object.entries(rest).filter(([k, v]) => v !== undefined && (v !== null || k === 'room' || k === 'notes'))),
        ),
      ),
  }),
  deleteOperationalWindow: t.field({
    type: DeleteOperationalWindowPayload,
    ...canField('timeline:manage', 'MODULE_ENABLEMENT', (_p, args: InputIdArgs<'id'>, ctx) =>
      timelineTargetOf(ctx, 'operationalWindow', args.input.id.id, 'timeline:manage'),
    ),
    args: { input: t.arg({ type: DeleteOperationalWindowInput, required: true }) },
    errors: { types: [ConflictError] },
    resolve: (_r, { input }, ctx) => inTransaction(ctx, (tx) => deleteOperationalWindow(tx, ctx.caller, input.id.id, input)),
  }),
}));
