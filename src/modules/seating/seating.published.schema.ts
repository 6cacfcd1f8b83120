import { EventType } from '../../domains/events/events.schema.js';
import { builder } from '../../kit/builder.js';
import type { Target } from '../../kit/authorization.js';
import { encodeGlobalID } from '../../kit/ids.js';
import { canField, canType, inheritedType } from '../../kit/rules.js';
import type { SeatingSnapshot } from './seating.publish.service.js';
import { mealsOfEvent, planTarget, seatLabel, SeatingTableShapeEnum } from './seating.schema.js';
import { type EventWithSeating, seatingEventTarget, WITH_SEATING_ENABLEMENT } from './seating.targets.js';

/*
 * A published plan, as the venue reads it (seating:read_published): rooms
 * with the venue's ids, tables, seat labels and counts — read from the frozen
 * snapshot, so what the venue sees is exactly what was published. Who sits
 * where is a separate field needing seating:view; meals per table, as counts
 * only, need seating:read_catering.
 */

type SnapshotTable = SeatingSnapshot['tables'][number];
interface PublishedTable {
  t: SnapshotTable;
  room: SeatingSnapshot['rooms'][number] | null;
  eventId: string;
  /** Computed only when a guarded field asks (the version's own rule already checked the same target). */
  target: () => Promise<Target>;
}

const PublishedSeatType = builder.objectRef<{ number: number; label: string; occupied: boolean }>('PublishedSeat').implement({
  ...inheritedType,
  fields: (t) => ({
    number: t.exposeInt('number', inheritedType),
    label: t.exposeString('label', inheritedType),
    occupied: t.exposeBoolean('occupied', inheritedType),
  }),
});

const PublishedRoomType = builder.objectRef<SeatingSnapshot['rooms'][number]>('PublishedSeatingRoom').implement({
  ...inheritedType,
  fields: (t) => ({
    id: t.id({ ...inheritedType, resolve: (r) => encodeGlobalID('SeatingRoom', r.id) }),
    name: t.exposeString('name', inheritedType),
    externalId: t.exposeString('externalId', { ...inheritedType, nullable: true, description: 'The venue’s own identifier.' }),
  }),
});

const PublishedGuestType = builder.objectRef<SnapshotTable['guests'][number] & { labels: string[] }>('PublishedSeatingGuest').implement({
  ...inheritedType,
  fields: (t) => ({
    guestId: t.id({ ...inheritedType, resolve: (g) => encodeGlobalID('Actor', g.actorId) }),
    name: t.exposeString('name', { ...inheritedType, description: 'As it was when the plan was published.' }),
    seatNumber: t.exposeInt('seatNumber', { ...inheritedType, nullable: true }),
    seatLabel: t.string({ ...inheritedType, nullable: true, resolve: (g) => seatLabel(g.labels, g.seatNumber) }),
  }),
});

const MealCountType = builder.objectRef<{ value: string; count: number }>('SeatingMealCount').implement({
  ...inheritedType,
  fields: (t) => ({ value: t.exposeString('value', inheritedType), count: t.exposeInt('count', inheritedType) }),
});

const PublishedTableType = builder.objectRef<PublishedTable>('PublishedSeatingTable').implement({
  ...inheritedType,
  description: 'A table as published: layout and counts. Names need seating:view (guests).',
  fields: (t) => ({
    id: t.id({ ...inheritedType, resolve: (p) => encodeGlobalID('SeatingTable', p.t.id) }),
    label: t.string({ ...inheritedType, resolve: (p) => p.t.label }),
    shape: t.field({ ...inheritedType, type: SeatingTableShapeEnum, resolve: (p) => p.t.shape as 'ROUND' }),
    capacity: t.int({ ...inheritedType, resolve: (p) => p.t.capacity }),
    x: t.float({ ...inheritedType, nullable: true, resolve: (p) => p.t.x }),
    y: t.float({ ...inheritedType, nullable: true, resolve: (p) => p.t.y }),
    rotation: t.float({ ...inheritedType, nullable: true, resolve: (p) => p.t.rotation }),
    externalId: t.string({ ...inheritedType, nullable: true, description: 'The venue’s own identifier.', resolve: (p) => p.t.externalId }),
    room: t.field({ ...inheritedType, type: PublishedRoomType, nullable: true, resolve: (p) => p.room }),
    occupiedCount: t.int({ ...inheritedType, resolve: (p) => p.t.guests.length }),
    seats: t.field({
      ...inheritedType,
      type: [PublishedSeatType],
      description: 'Every seat with its label and whether it is taken (guests seated "anywhere at the table" fill the free seats in order).',
      resolve: (p) => {
        const numbered = new Set(p.t.guests.flatMap((g) => (g.seatNumber == null ? [] : [g.seatNumber])));
        let floating = p.t.guests.filter((g) => g.seatNumber == null).length;
        return Array.from({ length: p.t.capacity }, (_, i) => {
          const n = i + 1;
          const occupied = numbered.has(n) || (floating > 0 && floating-- > 0);
          return { number: n, label: seatLabel(p.t.seatLabels, n)!, occupied };
        });
      },
    }),
    guests: t.field({
      type: [PublishedGuestType],
      description: 'Who sits here (names): planners only.',
      ...canField('seating:view', 'MODULE_ENABLEMENT', (p: PublishedTable) => p.target()),
      resolve: (p) => p.t.guests.map((g) => ({ ...g, labels: p.t.seatLabels })),
    }),
  }),
});

function mealCounts(meals: Map<string, string>, guests: { actorId: string }[]) {
  const counts = new Map<string, number>();
  for (const g of guests) {
    const m = meals.get(g.actorId) ?? 'unanswered';
    counts.set(m, (counts.get(m) ?? 0) + 1);
  }
  return [...counts].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || a.value.localeCompare(b.value));
}

export const SeatingPlanVersionType = builder.prismaNode('SeatingPlanVersion', {
  id: { field: 'id' },
  ...canType('seating:read_published', 'MODULE_ENABLEMENT', (v: { eventId: string; occasionId: string }, ctx) =>
    planTarget(v, ctx, 'seating:read_published'),
  ),
  description: 'A published seating plan, frozen: layout and counts (venues); names through tables.guests (planners).',
  fields: (t) => ({
    number: t.exposeInt('number'),
    revision: t.exposeInt('revision', { description: 'The plan revision it froze.' }),
    publishedAt: t.expose('publishedAt', { type: 'DateTime' }),
    event: t.field({ type: EventType, resolve: (v, _a, ctx) => ctx.prisma.event.findUniqueOrThrow({ where: { id: v.eventId } }) }),
    rooms: t.field({ type: [PublishedRoomType], resolve: (v) => (v.snapshot as unknown as SeatingSnapshot).rooms }),
    tables: t.field({
      type: [PublishedTableType],
      resolve: (v, _a, ctx) => {
        const s = v.snapshot as unknown as SeatingSnapshot;
        const rooms = new Map(s.rooms.map((r) => [r.id, r]));
        const target = () => planTarget(v, ctx, 'seating:read_published');
        return s.tables.map((tb) => ({ t: tb, room: tb.roomId ? (rooms.get(tb.roomId) ?? null) : null, eventId: v.eventId, target }));
      },
    }),
    tableCount: t.int({ resolve: (v) => (v.snapshot as unknown as SeatingSnapshot).tables.length }),
    seatCount: t.int({ resolve: (v) => (v.snapshot as unknown as SeatingSnapshot).tables.reduce((n, tb) => n + tb.capacity, 0) }),
    seatedCount: t.int({ resolve: (v) => (v.snapshot as unknown as SeatingSnapshot).tables.reduce((n, tb) => n + tb.guests.length, 0) }),
  }),
});

builder.prismaObjectField(EventType, 'publishedSeatingPlan', (t) =>
  t.prismaField({
    type: 'SeatingPlanVersion',
    nullable: true,
    description: 'The seating plan as last published (venues: layout and counts): null until published.',
    ...WITH_SEATING_ENABLEMENT,
    ...canField('seating:read_published', 'MODULE_ENABLEMENT', (e: EventWithSeating, _a, ctx) =>
      seatingEventTarget(ctx, e, 'seating:read_published'),
    ),
    resolve: (query, e, _a, ctx) => ctx.prisma.seatingPlanVersion.findFirst({ ...query, where: { eventId: e.id }, orderBy: { number: 'desc' } }),
  }),
);

interface TableMeals {
  label: string;
  externalId: string | null;
  guests: number;
  meals: { value: string; count: number }[];
}
const TableMealsType = builder.objectRef<TableMeals>('SeatingTableMeals').implement({
  ...inheritedType,
  description: 'Plates at one table of the published plan: counts only, never who.',
  fields: (t) => ({
    tableLabel: t.exposeString('label', inheritedType),
    tableExternalId: t.exposeString('externalId', { ...inheritedType, nullable: true }),
    guests: t.exposeInt('guests', inheritedType),
    meals: t.field({ ...inheritedType, type: [MealCountType], resolve: (m) => m.meals }),
  }),
});

builder.prismaObjectField(EventType, 'seatingCatering', (t) =>
  t.field({
    type: [TableMealsType],
    description:
      'For caterers: meals per table of the published seating plan (the guests’ current answers to the meal question), as counts; empty until published.',
    ...WITH_SEATING_ENABLEMENT,
    ...canField('seating:read_catering', 'MODULE_ENABLEMENT', (e: EventWithSeating, _a, ctx) => seatingEventTarget(ctx, e, 'seating:read_catering')),
    resolve: async (e, _a, ctx) => {
      const v = await ctx.prisma.seatingPlanVersion.findFirst({ where: { eventId: e.id }, orderBy: { number: 'desc' }, select: { snapshot: true } });
      if (!v) return [];
      const meals = await mealsOfEvent(ctx, e.id);
      return (v.snapshot as unknown as SeatingSnapshot).tables.map((tb) => ({
        label: tb.label,
        externalId: tb.externalId,
        guests: tb.guests.length,
        meals: mealCounts(meals, tb.guests),
      }));
    },
  }),
);
