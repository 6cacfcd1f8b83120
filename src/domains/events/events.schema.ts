import { builder } from '../../kit/builder.js';
import { defined, deletedPayload, payload } from '../../kit/payload.js';
import { canField, canType, guardedByType, type InputIdArgs } from '../../kit/rules.js';
import { notFound } from '../../platform/errors.js';
import { isUuid } from '../../kit/ids.js';
import { inTransaction } from '../../kit/transaction.js';
import { ValidationError } from '../../platform/errors.js';
import { OccasionType } from '../occasions/occasions.schema.js';
import { createEvent, deleteEvent, EVENT_VISIBILITIES, updateEvent } from './events.service.js';

export const EventVisibility = builder.enumType('EventVisibility', { values: EVENT_VISIBILITIES });

const eventTarget = (e: { id: string; occasionId: string }) => ({ occasionId: e.occasionId, eventId: e.id });
const read = canType('event:read', 'EVENT', eventTarget);

export const EventType = builder.prismaNode('Event', {
  id: { field: 'id' },
  ...read,
  description: 'A time/place/audience scope inside an occasion (ceremony, dinner, brunch).',
  fields: (t) => ({
    name: t.exposeString('name'),
    description: t.exposeString('description', { nullable: true }),
    startsAt: t.expose('startsAt', { type: 'DateTime', nullable: true }),
    endsAt: t.expose('endsAt', { type: 'DateTime', nullable: true }),
    location: t.exposeString('location', { nullable: true }),
    visibility: t.expose('visibility', { type: EventVisibility }),
    settings: t.expose('settings', { type: 'JSON' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    occasion: t.relation('occasion'),
  }),
});

const EventFilter = builder.inputType('EventFilter', {
  fields: (t) => ({
    search: t.string({ description: 'Case-insensitive match on the name.' }),
    visibility: t.field({ type: EventVisibility }),
    startsAfter: t.field({ type: 'DateTime' }),
    startsBefore: t.field({ type: 'DateTime' }),
  }),
});

/** The filter's part of an events list (the caller's part is Authorizer.eventsWhere). */
function eventFilterWhere(f: {
  search?: string | null;
  visibility?: 'PUBLIC' | 'PRIVATE' | null;
  startsAfter?: Date | null;
  startsBefore?: Date | null;
}) {
  return {
    ...(f.search ? { name: { contains: f.search, mode: 'insensitive' as const } } : {}),
    ...(f.visibility ? { visibility: f.visibility } : {}),
    ...(f.startsAfter || f.startsBefore
      ? { startsAt: { ...(f.startsAfter ? { gte: f.startsAfter } : {}), ...(f.startsBefore ? { lt: f.startsBefore } : {}) } }
      : {}),
  };
}

builder.prismaObjectField(OccasionType, 'events', (t) =>
  t.relatedConnection('events', {
    cursor: 'id',
    ...canField('occasion:read', 'OCCASION', (o: { id: string; events?: unknown }, _a, ctx) => {
      // Loaded with the occasion (one statement): the filter was planned before the row was known.
      if (o.events !== undefined) ctx.authz.assertPlanned(o.id);
      return { occasionId: o.id };
    }),
    description: 'Events the caller may see, earliest first. Filtered in SQL by the caller’s event grants, so totalCount counts only those.',
    args: { filter: t.arg({ type: EventFilter }) },
    totalCount: true,
    query: async (args, ctx) => ({
      where: { AND: [await ctx.authz.eventsWhere('event:read'), eventFilterWhere(args.filter ?? {})] },
      orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
    }),
  }),
);

builder.queryField('event', (t) =>
  t.prismaField({
    type: 'Event',
    // The row and everything selected under it in one statement; Event's own rule then decides.
    ...guardedByType(read),
    args: { id: t.arg.globalID({ required: true, for: EventType }) },
    resolve: async (query, _p, args, ctx) => {
      const row = isUuid(args.id.id) ? await ctx.prisma.event.findUnique({ ...query, where: { id: args.id.id } }) : null;
      if (!row) throw notFound('Event');
      return row;
    },
  }),
);

/** The editable fields, shared by create (name required) and update (everything optional). */
const eventFields = (t: Parameters<Parameters<typeof builder.inputType>[1]['fields']>[0], nameRequired: boolean) => ({
  name: t.string({ required: nameRequired }),
  description: t.string(),
  startsAt: t.field({ type: 'DateTime' }),
  endsAt: t.field({ type: 'DateTime' }),
  location: t.string(),
  visibility: t.field({ type: EventVisibility }),
  settings: t.field({ type: 'JSON' }),
});
const CreateEventInput = builder.inputType('CreateEventInput', {
  fields: (t) => ({ occasionId: t.globalID({ required: true, for: OccasionType }), ...eventFields(t, true) }),
});
const UpdateEventInput = builder.inputType('UpdateEventInput', {
  fields: (t) => ({ id: t.globalID({ required: true, for: EventType }), ...eventFields(t, false) }),
});
const DeleteEventInput = builder.inputType('DeleteEventInput', { fields: (t) => ({ id: t.globalID({ required: true, for: EventType }) }) });

const EventPayload = payload('EventPayload', 'event', EventType);
const DeleteEventPayload = deletedPayload('DeleteEventPayload', 'Event');

builder.mutationFields((t) => ({
  createEvent: t.field({
    type: EventPayload,
    ...canField('event:create', 'OCCASION', (_p, args: InputIdArgs<'occasionId'>, ctx) => ctx.targets.occasion(args.input.occasionId.id)),
    args: { input: t.arg({ type: CreateEventInput, required: true }) },
    errors: { types: [ValidationError] },
    resolve: async (_r, { input: { occasionId, ...rest } }, ctx) => ({
      event: await inTransaction(ctx, (tx) => createEvent(tx, ctx.caller, occasionId.id, defined(rest))),
    }),
  }),
  updateEvent: t.field({
    type: EventPayload,
    ...canField('event:update', 'EVENT', (_p, args: InputIdArgs<'id'>, ctx) => ctx.targets.event(args.input.id.id)),
    args: { input: t.arg({ type: UpdateEventInput, required: true }) },
    errors: { types: [ValidationError] },
    resolve: async (_r, { input: { id, ...patch } }, ctx) => ({
      event: await inTransaction(ctx, (tx) => updateEvent(tx, ctx.caller, id.id, defined(patch))),
    }),
  }),
  deleteEvent: t.field({
    type: DeleteEventPayload,
    ...canField('event:delete', 'EVENT', (_p, args: InputIdArgs<'id'>, ctx) => ctx.targets.event(args.input.id.id)),
    args: { input: t.arg({ type: DeleteEventInput, required: true }) },
    resolve: (_r, { input }, ctx) => inTransaction(ctx, (tx) => deleteEvent(tx, ctx.caller, input.id.id)),
  }),
}));
