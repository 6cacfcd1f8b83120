import type { TimelineItem } from '../../generated/prisma/client.js';
import { ActorType } from '../../domains/actors/actors.schema.js';
import { EventType } from '../../domains/events/events.schema.js';
import { ErrorInterface } from '../../kit/common.schema.js';
import { builder } from '../../kit/builder.js';
import { encodeGlobalID } from '../../kit/ids.js';
import { defined, deletedPayload } from '../../kit/payload.js';
import { canField, canTypeOrVisible, declaredChecks, guestPortalField, inheritedType, type InputIdArgs } from '../../kit/rules.js';
import { inTransaction } from '../../kit/transaction.js';
import { ConflictError, notFound, ValidationError } from '../../platform/errors.js';
import { DependencyCycleError, TimelineOverlapError } from './timeline.errors.js';
import { callerActorIds, guestTimelineEventIds, timelineOf, type TimelineView, vendorMaySee, visibleIn } from './timeline.read.js';
import {
  createTimelineItem,
  deleteTimelineItem,
  reorderTimelineItems,
  TIMELINE_AUDIENCES,
  TIMELINE_ITEM_STATUSES,
  type TimelineWarning,
  updateTimelineItem,
} from './timeline.service.js';
import { timelineTarget, timelineTargetOf, timelineTargetOfEvent } from './timeline.targets.js';

export const TimelineAudienceEnum = builder.enumType('TimelineAudience', {
  values: TIMELINE_AUDIENCES,
  description: 'Who an item is for: PLANNERS (always), VENDORS (vendors and venue of the event), GUESTS (the guest page and guest calendars).',
});
export const TimelineItemStatusEnum = builder.enumType('TimelineItemStatus', {
  values: TIMELINE_ITEM_STATUSES,
  description: 'CANCELLED items stay in the timeline (and in calendars, as cancelled) until deleted.',
});

const at = (x: { occasionId: string; eventId: string }) => ({ occasionId: x.occasionId, eventId: x.eventId });

export const TimelineItemType = builder.prismaNode('TimelineItem', {
  id: { field: 'id' },
  ...canTypeOrVisible('timeline:view', 'MODULE_ENABLEMENT', (i: TimelineItem, ctx) => timelineTarget(ctx, at(i), 'timeline:view'), vendorMaySee, {
    what: 'Timeline item',
    alsoReadableBy: 'timeline:read holders, for items whose audience includes VENDORS or that they are responsible for',
  }),
  description: 'One run-of-show item of an event.',
  fields: (t) => ({
    eventId: t.id({ description: 'Global id of its Event.', resolve: (i) => encodeGlobalID('Event', i.eventId) }),
    title: t.exposeString('title'),
    notes: t.exposeString('notes', { nullable: true }),
    startsAt: t.expose('startsAt', { type: 'DateTime' }),
    endsAt: t.expose('endsAt', { type: 'DateTime', nullable: true }),
    room: t.exposeString('room', { nullable: true, description: 'The venue’s room identifier (the same the venue uses for seating).' }),
    location: t.exposeString('location', { nullable: true }),
    audience: t.expose('audience', { type: [TimelineAudienceEnum] }),
    status: t.expose('status', { type: TimelineItemStatusEnum }),
    position: t.exposeInt('position', { description: 'Its place in the run of show (0 first).' }),
    sequence: t.exposeInt('sequence', { description: 'How many times the item changed (its iCalendar SEQUENCE).' }),
    dependsOnIds: t.idList({
      description: 'Global ids of the items of the same event this one waits for.',
      resolve: (i) => i.dependsOnIds.map((id) => encodeGlobalID('TimelineItem', id)),
    }),
    responsibleActorIds: t.idList({
      description: 'Global ids of the Actors responsible (a vendor, a helper).',
      resolve: (i) => i.responsibleActorIds.map((id) => encodeGlobalID('Actor', id)),
    }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

interface EventTimelineShape {
  eventId: string;
  sequence: number;
  items: TimelineItem[];
}

const EventTimelineType = builder.objectRef<EventTimelineShape>('EventTimeline').implement({
  ...inheritedType,
  description: 'An event’s run of show as the caller may see it, with the sequence to send back as expectedSequence.',
  fields: (t) => ({
    sequence: t.exposeInt('sequence', {
      ...inheritedType,
      description: 'Moves on with every change of the event’s items or windows; send it back as expectedSequence.',
    }),
    items: t.field({ type: [TimelineItemType], ...inheritedType, description: 'In run-of-show order.', resolve: (x) => x.items }),
  }),
});

const timelineRule = canField(
  'timeline:read',
  'MODULE_ENABLEMENT',
  (e: { id: string; occasionId: string }, _a, ctx) => timelineTarget(ctx, { occasionId: e.occasionId, eventId: e.id }, 'timeline:read'),
  { alsoChecks: ['timeline:view'] },
);

builder.prismaObjectFields(EventType, (t) => ({
  timeline: t.field({
    type: EventTimelineType,
    description:
      'The run of show: every item with timeline:view; with timeline:read only, the items for vendors and those the caller is responsible for.',
    ...timelineRule,
    resolve: async (e, _a, ctx) => {
      const target = await timelineTarget(ctx, { occasionId: e.occasionId, eventId: e.id }, 'timeline:read');
      const view: TimelineView = (await declaredChecks(timelineRule, ctx).can('timeline:view', target))
        ? { mode: 'ALL' }
        : { mode: 'VENDOR', actorIds: await callerActorIds(ctx, e.occasionId) };
      const { sequence, items } = await timelineOf(ctx, e.id);
      return { eventId: e.id, sequence, items: items.filter((i) => visibleIn(view, i)) };
    },
  }),
}));

// ─── Guests ─────────────────────────────────────────────────────────────────

const GuestTimelineItemType = builder.objectRef<TimelineItem>('GuestTimelineItem').implement({
  ...inheritedType,
  description: 'An item of the day’s programme for guests: when, what and where, nothing of who runs it.',
  fields: (t) => ({
    id: t.id({ ...inheritedType, resolve: (i) => encodeGlobalID('TimelineItem', i.id) }),
    title: t.exposeString('title', inheritedType),
    startsAt: t.expose('startsAt', { type: 'DateTime', ...inheritedType }),
    endsAt: t.expose('endsAt', { type: 'DateTime', nullable: true, ...inheritedType }),
    location: t.exposeString('location', { nullable: true, ...inheritedType }),
    status: t.expose('status', { type: TimelineItemStatusEnum, ...inheritedType }),
  }),
});

const GuestTimelineType = builder.objectRef<EventTimelineShape>('GuestTimeline').implement({
  ...inheritedType,
  fields: (t) => ({
    eventId: t.id({ ...inheritedType, resolve: (x) => encodeGlobalID('Event', x.eventId) }),
    items: t.field({ type: [GuestTimelineItemType], ...inheritedType, resolve: (x) => x.items }),
  }),
});

builder.queryField('guestTimeline', (t) =>
  t.field({
    type: [GuestTimelineType],
    ...guestPortalField,
    description: 'For a guest link: the programme (items for guests) of each event the link shows that has a timeline.',
    resolve: async (_r, _a, ctx) => {
      if (ctx.principal.kind !== 'guest') throw notFound('Timeline');
      const eventIds = await guestTimelineEventIds(ctx.prisma, ctx.principal);
      return Promise.all(
        eventIds.map(async (eventId) => {
          const { sequence, items } = await timelineOf(ctx, eventId);
          return { eventId, sequence, items: items.filter((i) => visibleIn({ mode: 'GUEST' }, i)) };
        }),
      );
    },
  }),
);

// ─── Mutations ──────────────────────────────────────────────────────────────

const TimelineWarningType = builder.objectRef<TimelineWarning>('TimelineWarning').implement({
  ...inheritedType,
  description: 'Something saved but worth a look: ROOM_OVERLAP, two items in one room at once.',
  fields: (t) => ({
    code: t.exposeString('code', inheritedType),
    message: t.exposeString('message', inheritedType),
    itemIds: t.idList({ ...inheritedType, resolve: (w) => w.itemIds.map((id) => encodeGlobalID('TimelineItem', id)) }),
  }),
});

const TimelineItemPayload = builder
  .objectRef<{ item: TimelineItem; sequence: number; warnings: TimelineWarning[] }>('TimelineItemPayload')
  .implement({
    ...inheritedType,
    fields: (t) => ({
      item: t.field({ type: TimelineItemType, ...inheritedType, resolve: (p) => p.item }),
      sequence: t.exposeInt('sequence', { ...inheritedType, description: 'The event timeline’s sequence after the change.' }),
      warnings: t.field({ type: [TimelineWarningType], ...inheritedType, resolve: (p) => p.warnings }),
    }),
  });
const DeleteTimelineItemPayload = deletedPayload('DeleteTimelineItemPayload', 'TimelineItem');
const TimelineSequencePayload = builder.objectRef<{ sequence: number }>('ReorderTimelineItemsPayload').implement({
  ...inheritedType,
  fields: (t) => ({ sequence: t.exposeInt('sequence', inheritedType) }),
});

builder.objectType(TimelineOverlapError, {
  name: 'TimelineOverlapError',
  interfaces: [ErrorInterface],
  ...inheritedType,
  description: 'Refused because items would share a room at the same time (the event’s overlapPolicy is REJECT, or rejectOverlaps was set).',
  fields: (t) => ({ itemIds: t.idList({ ...inheritedType, resolve: (e) => e.itemIds.map((id) => encodeGlobalID('TimelineItem', id)) }) }),
});
builder.objectType(DependencyCycleError, {
  name: 'DependencyCycleError',
  interfaces: [ErrorInterface],
  ...inheritedType,
  fields: (t) => ({ itemIds: t.idList({ ...inheritedType, resolve: (e) => e.itemIds.map((id) => encodeGlobalID('TimelineItem', id)) }) }),
});

const expectedSequenceArg = { description: 'The timeline sequence you last read: a newer one means someone else changed it first (CONFLICT).' };
const rejectOverlapsArg = {
  description: 'Refuse (TimelineOverlapError) rather than warn when the item shares a room at the same time; defaults to the event’s overlapPolicy.',
};

const CreateTimelineItemInput = builder.inputType('CreateTimelineItemInput', {
  fields: (t) => ({
    eventId: t.globalID({ required: true, for: EventType }),
    title: t.string({ required: true }),
    notes: t.string(),
    startsAt: t.field({ type: 'DateTime', required: true }),
    endsAt: t.field({ type: 'DateTime' }),
    room: t.string({ description: 'The venue’s room identifier.' }),
    location: t.string(),
    audience: t.field({ type: [TimelineAudienceEnum], description: 'Defaults to [PLANNERS].' }),
    status: t.field({ type: TimelineItemStatusEnum }),
    dependsOnIds: t.globalIDList({ for: TimelineItemType, description: 'Items of the same event this one waits for.' }),
    responsibleActorIds: t.globalIDList({ for: ActorType, description: 'The Actors responsible (a vendor, a helper).' }),
    expectedSequence: t.int(expectedSequenceArg),
    rejectOverlaps: t.boolean(rejectOverlapsArg),
  }),
});
const UpdateTimelineItemInput = builder.inputType('UpdateTimelineItemInput', {
  description: 'Fields left out stay as they are; notes, endsAt, room and location are cleared with null.',
  fields: (t) => ({
    id: t.globalID({ required: true, for: TimelineItemType }),
    title: t.string(),
    notes: t.string(),
    startsAt: t.field({ type: 'DateTime' }),
    endsAt: t.field({ type: 'DateTime' }),
    room: t.string(),
    location: t.string(),
    audience: t.field({ type: [TimelineAudienceEnum] }),
    status: t.field({ type: TimelineItemStatusEnum }),
    dependsOnIds: t.globalIDList({ for: TimelineItemType }),
    responsibleActorIds: t.globalIDList({ for: ActorType }),
    expectedSequence: t.int(expectedSequenceArg),
    rejectOverlaps: t.boolean(rejectOverlapsArg),
  }),
});
const DeleteTimelineItemInput = builder.inputType('DeleteTimelineItemInput', {
  fields: (t) => ({ id: t.globalID({ required: true, for: TimelineItemType }), expectedSequence: t.int(expectedSequenceArg) }),
});
const ReorderTimelineItemsInput = builder.inputType('ReorderTimelineItemsInput', {
  fields: (t) => ({
    eventId: t.globalID({ required: true, for: EventType }),
    itemIds: t.globalIDList({ required: true, for: TimelineItemType, description: 'Every item of the event, in the new order.' }),
    expectedSequence: t.int(expectedSequenceArg),
  }),
});

/** Nulls that clear a field (the nullable columns) are kept; other nulls mean "unchanged". */
function patchOf<T extends Record<string, unknown>>(input: T, clearable: readonly string[]) {
  return Object.fromEntries(Object.entries(input).filter(([k, v]) => v !== undefined && (v !== null || clearable.includes(k))));
}

const ITEM_ERRORS = [ValidationError, ConflictError, TimelineOverlapError, DependencyCycleError];

builder.mutationFields((t) => ({
  createTimelineItem: t.field({
    type: TimelineItemPayload,
    ...canField('timeline:manage', 'MODULE_ENABLEMENT', (_p, args: InputIdArgs<'eventId'>, ctx) =>
      timelineTargetOfEvent(ctx, args.input.eventId.id, 'timeline:manage'),
    ),
    args: { input: t.arg({ type: CreateTimelineItemInput, required: true }) },
    errors: { types: ITEM_ERRORS },
    resolve: async (_r, { input: { eventId, dependsOnIds, responsibleActorIds, ...rest } }, ctx) => {
      const { occasionId } = await ctx.targets.event(eventId.id);
      return inTransaction(ctx, (tx) =>
        createTimelineItem(
          tx,
          ctx.caller,
          { occasionId, eventId: eventId.id },
          {
            ...defined(rest),
            ...(dependsOnIds ? { dependsOnIds: dependsOnIds.map((d) => d.id) } : {}),
            ...(responsibleActorIds ? { responsibleActorIds: responsibleActorIds.map((a) => a.id) } : {}),
          },
        ),
      );
    },
  }),
  updateTimelineItem: t.field({
    type: TimelineItemPayload,
    ...canField('timeline:manage', 'MODULE_ENABLEMENT', (_p, args: InputIdArgs<'id'>, ctx) =>
      timelineTargetOf(ctx, 'timelineItem', args.input.id.id, 'timeline:manage'),
    ),
    args: { input: t.arg({ type: UpdateTimelineItemInput, required: true }) },
    errors: { types: ITEM_ERRORS },
    resolve: (_r, { input: { id, dependsOnIds, responsibleActorIds, ...rest } }, ctx) =>
      inTransaction(ctx, (tx) =>
        updateTimelineItem(tx, ctx.caller, id.id, {
          ...patchOf(rest, ['notes', 'endsAt', 'room', 'location']),
          ...(dependsOnIds ? { dependsOnIds: dependsOnIds.map((d) => d.id) } : {}),
          ...(responsibleActorIds ? { responsibleActorIds: responsibleActorIds.map((a) => a.id) } : {}),
        }),
      ),
  }),
  deleteTimelineItem: t.field({
    type: DeleteTimelineItemPayload,
    ...canField('timeline:manage', 'MODULE_ENABLEMENT', (_p, args: InputIdArgs<'id'>, ctx) =>
      timelineTargetOf(ctx, 'timelineItem', args.input.id.id, 'timeline:manage'),
    ),
    args: { input: t.arg({ type: DeleteTimelineItemInput, required: true }) },
    errors: { types: [ConflictError] },
    resolve: (_r, { input }, ctx) => inTransaction(ctx, (tx) => deleteTimelineItem(tx, ctx.caller, input.id.id, input)),
  }),
  reorderTimelineItems: t.field({
    type: TimelineSequencePayload,
    ...canField('timeline:manage', 'MODULE_ENABLEMENT', (_p, args: InputIdArgs<'eventId'>, ctx) =>
      timelineTargetOfEvent(ctx, args.input.eventId.id, 'timeline:manage'),
    ),
    args: { input: t.arg({ type: ReorderTimelineItemsInput, required: true }) },
    errors: { types: [ValidationError, ConflictError] },
    resolve: async (_r, { input }, ctx) => {
      const { occasionId } = await ctx.targets.event(input.eventId.id);
      return inTransaction(ctx, (tx) =>
        reorderTimelineItems(
          tx,
          ctx.caller,
          { occasionId, eventId: input.eventId.id },
          {
            itemIds: input.itemIds.map((i) => i.id),
            ...(input.expectedSequence != null ? { expectedSequence: input.expectedSequence } : {}),
          },
        ),
      );
    },
  }),
}));
