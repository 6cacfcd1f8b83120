import { EventType } from '../../domains/events/events.schema.js';
import { builder } from '../../kit/builder.js';
import type { Context } from '../../kit/context.js';
import { encodeGlobalID } from '../../kit/ids.js';
import { canField, canType, inheritedType } from '../../kit/rules.js';
import { type Attendee, mealKeyOf, meals, unseated } from './seating.attendance.js';
import { type EventWithSeating, seatingEventTarget } from './seating.targets.js';

/*
 * The draft plan, as planners read it (seating:view): rooms, tables with who
 * sits where and what they eat, the attending guests still without a seat,
 * the constraints, and what changed without them (notices). The plan row
 * carries the rule; its parts are reachable only through it (or through a
 * seating:manage mutation's payload). A plan read is a fixed number of
 * statements whatever its size: the relations are merged into the parent's
 * query by the Prisma plugin, and meals are one statement per plan.
 */

export const SeatingTableShapeEnum = builder.enumType('SeatingTableShape', { values: ['ROUND', 'RECTANGLE', 'SQUARE', 'OVAL', 'OTHER'] as const });
export const SeatingConstraintKindEnum = builder.enumType('SeatingConstraintKind', {
  values: {
    TOGETHER: { description: 'At the same table.' },
    APART: { description: 'At different tables.' },
  },
});

/** The plan's event as a permission target: planners' rules (and a caller with a grant on the event only) apply. */
export const planTarget = (p: { eventId: string; occasionId: string }, ctx: Context, action: string) =>
  seatingEventTarget(ctx, { id: p.eventId, occasionId: p.occasionId }, action);

/** Meals of an event's attending guests, one statement per event and request (the meal question is the seating config's). */
const mealCache = new WeakMap<object, Map<string, Promise<Map<string, string>>>>();
export function mealsOfEvent(ctx: Context, eventId: string): Promise<Map<string, string>> {
  const perRequest = mealCache.get(ctx) ?? new Map<string, Promise<Map<string, string>>>();
  mealCache.set(ctx, perRequest);
  let m = perRequest.get(eventId);
  if (!m) {
    m = ctx.moduleState.enablement(eventId, 'seating').then((en) => meals(ctx.prisma, eventId, mealKeyOf(en?.config)));
    perRequest.set(eventId, m);
  }
  return m;
}

export const seatLabel = (labels: string[], n: number | null) => (n == null ? null : (labels[n - 1] ?? String(n)));

export const SeatingGuestType = builder.objectRef<Attendee & { eventId: string }>('SeatingGuest').implement({
  ...inheritedType,
  description: 'An attending guest (RSVP), as the plan sees them.',
  fields: (t) => ({
    guestId: t.id({ ...inheritedType, description: 'The person (an Actor id).', resolve: (g) => encodeGlobalID('Actor', g.actorId) }),
    name: t.exposeString('name', inheritedType),
    householdId: t.id({
      ...inheritedType,
      description: 'The invitation unit that answered for them (kept together by default).',
      resolve: (g) => encodeGlobalID('Actor', g.unitId),
    }),
    meal: t.string({
      ...inheritedType,
      nullable: true,
      description: 'Their answer to the linked form’s meal question.',
      resolve: async (g, _a, ctx) => (await mealsOfEvent(ctx, g.eventId)).get(g.actorId) ?? null,
    }),
  }),
});

builder.prismaObject('SeatingAssignment', {
  name: 'SeatingOccupant',
  ...inheritedType,
  description: 'A guest at a table.',
  fields: (t) => ({
    guestId: t.id({ ...inheritedType, description: 'The person (an Actor id).', resolve: (a) => encodeGlobalID('Actor', a.actorId) }),
    name: t.string({ ...inheritedType, select: { actor: { select: { displayName: true } } }, resolve: (a) => a.actor.displayName }),
    seatNumber: t.exposeInt('seatNumber', { ...inheritedType, nullable: true, description: 'Null: anywhere at the table.' }),
    seatLabel: t.string({
      ...inheritedType,
      nullable: true,
      select: { table: { select: { seatLabels: true } } },
      resolve: (a) => seatLabel(a.table.seatLabels, a.seatNumber),
    }),
    pinned: t.exposeBoolean('pinned', { ...inheritedType, description: 'Placed by a planner: an auto-arrange re-fill keeps it when asked to.' }),
    meal: t.string({
      ...inheritedType,
      nullable: true,
      description: 'Their answer to the linked form’s meal question.',
      select: { plan: { select: { eventId: true } } },
      resolve: async (a, _a, ctx) => (await mealsOfEvent(ctx, a.plan.eventId)).get(a.actorId) ?? null,
    }),
  }),
});

export const SeatingRoomType = builder.prismaNode('SeatingRoom', {
  id: { field: 'id' },
  ...inheritedType,
  description: 'A room or layout of the venue.',
  fields: (t) => ({
    name: t.exposeString('name', inheritedType),
    externalId: t.exposeString('externalId', { ...inheritedType, nullable: true, description: 'The venue’s own identifier.' }),
  }),
});

export const SeatingTableType = builder.prismaNode('SeatingTable', {
  id: { field: 'id' },
  ...inheritedType,
  description: 'A table: seats 1..capacity, optionally labelled.',
  fields: (t) => ({
    label: t.exposeString('label', inheritedType),
    shape: t.expose('shape', { ...inheritedType, type: SeatingTableShapeEnum }),
    capacity: t.exposeInt('capacity', inheritedType),
    x: t.exposeFloat('x', { ...inheritedType, nullable: true }),
    y: t.exposeFloat('y', { ...inheritedType, nullable: true }),
    rotation: t.exposeFloat('rotation', { ...inheritedType, nullable: true }),
    seatLabels: t.exposeStringList('seatLabels', { ...inheritedType, description: 'Labels of seats 1, 2, …; unlabelled seats are their number.' }),
    externalId: t.exposeString('externalId', { ...inheritedType, nullable: true, description: 'The venue’s own identifier.' }),
    room: t.relation('room', { ...inheritedType, nullable: true }),
    // Names: a venue pushing layout (seating:manage_layout) gets tables back, never who sits at them.
    occupants: t.relation('assignments', {
      ...canField('seating:view', 'MODULE_ENABLEMENT', async (tb: { id: string }, _a, ctx) => {
        const { eventId, occasionId } = await ctx.targets.seatingTable(tb.id);
        return planTarget({ eventId: eventId!, occasionId }, ctx, 'seating:view');
      }),
      // Nullable: refused for a layout editor, the rest of the table (a mutation's payload) still arrives.
      nullable: true,
      description: 'Who sits here (planners; null for a caller who may edit the layout but not see guests).',
      query: { orderBy: [{ seatNumber: 'asc' as const }, { createdAt: 'asc' as const }] },
    }),
    freeSeats: t.int({
      ...inheritedType,
      select: { _count: { select: { assignments: true } } },
      resolve: (tb) => tb.capacity - tb._count.assignments,
    }),
  }),
});

export const SeatingConstraintType = builder.prismaNode('SeatingConstraint', {
  id: { field: 'id' },
  ...inheritedType,
  description: 'Two people to seat together or apart.',
  fields: (t) => ({
    kind: t.expose('kind', { ...inheritedType, type: SeatingConstraintKindEnum }),
    note: t.exposeString('note', { ...inheritedType, nullable: true }),
    guestAId: t.id({ ...inheritedType, resolve: (c) => encodeGlobalID('Actor', c.actorAId) }),
    guestAName: t.string({ ...inheritedType, select: { actorA: { select: { displayName: true } } }, resolve: (c) => c.actorA.displayName }),
    guestBId: t.id({ ...inheritedType, resolve: (c) => encodeGlobalID('Actor', c.actorBId) }),
    guestBName: t.string({ ...inheritedType, select: { actorB: { select: { displayName: true } } }, resolve: (c) => c.actorB.displayName }),
  }),
});

builder.prismaObject('SeatingNotice', {
  ...inheritedType,
  description: 'A change to the plan nobody on the planning side made: a guest who declined lost their seat.',
  fields: (t) => ({
    kind: t.exposeString('kind', { ...inheritedType, description: 'GUEST_DECLINED or GUEST_REMOVED.' }),
    guestId: t.id({ ...inheritedType, resolve: (n) => encodeGlobalID('Actor', n.actorId) }),
    guestName: t.exposeString('guestName', inheritedType),
    tableLabel: t.exposeString('tableLabel', { ...inheritedType, description: 'The table they were at.' }),
    createdAt: t.expose('createdAt', { ...inheritedType, type: 'DateTime' }),
  }),
});

export const SeatingPlanType = builder.prismaNode('SeatingPlan', {
  id: { field: 'id' },
  ...canType('seating:view', 'MODULE_ENABLEMENT', (p: { eventId: string; occasionId: string }, ctx) => planTarget(p, ctx, 'seating:view')),
  description: 'The draft seating plan of one event (planners). Publishing freezes a SeatingPlanVersion.',
  fields: (t) => ({
    revision: t.exposeInt('revision', { description: 'Send it back as expectedRevision: a save over another planner’s change is a CONFLICT.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    rooms: t.relation('rooms', { query: { orderBy: [{ name: 'asc' as const }, { id: 'asc' as const }] } }),
    tables: t.relation('tables', { query: { orderBy: [{ label: 'asc' as const }, { id: 'asc' as const }] } }),
    constraints: t.relation('constraints', { query: { orderBy: { createdAt: 'asc' as const } } }),
    notices: t.relation('notices', {
      description: 'Guests who lost their seat without a planner moving them, not yet dismissed.',
      query: { where: { dismissedAt: null }, orderBy: { createdAt: 'asc' as const } },
    }),
    unseated: t.field({
      type: [SeatingGuestType],
      description: 'Attending guests (named plus-ones included) without a seat: new attendees show up here.',
      resolve: async (p, _a, ctx) => (await unseated(ctx.prisma, p.eventId, p.id)).map((g) => ({ ...g, eventId: p.eventId })),
    }),
    seatedCount: t.relationCount('assignments'),
    versions: t.relation('versions', { description: 'Published versions, newest first.', query: { orderBy: { number: 'desc' as const } } }),
  }),
});

builder.prismaObjectField(EventType, 'seatingPlan', (t) =>
  t.relation('seatingPlan', {
    nullable: true,
    description: 'The draft seating plan (planners): null until one is created.',
    ...canField('seating:view', 'MODULE_ENABLEMENT', (e: EventWithSeating, _a, ctx) => seatingEventTarget(ctx, e, 'seating:view')),
  }),
);
