import { ActorType } from '../../domains/actors/actors.schema.js';
import { builder } from '../../kit/builder.js';
import { ErrorInterface } from '../../kit/common.schema.js';
import { encodeGlobalID } from '../../kit/ids.js';
import { deletedPayload, payload } from '../../kit/payload.js';
import { canField, inheritedType, type InputIdArgs } from '../../kit/rules.js';
import { inTransaction } from '../../kit/transaction.js';
import { ConflictError, notFound, ValidationError } from '../../platform/errors.js';
import { autoArrangeSeatingPlan } from './seating.arrange.service.js';
import { assignSeatingGuests, dismissSeatingNotices, unassignSeatingGuests } from './seating.assignments.service.js';
import { addSeatingConstraint, removeSeatingConstraint } from './seating.constraints.service.js';
import {
  EmptySeatingPlanError,
  GuestNotAttendingError,
  SeatingConstraintConflictError,
  SeatUnavailableError,
  TableFullError,
} from './seating.errors.js';
import { REVISION } from './seating.layout.schema.js';
import { publishSeatingPlan } from './seating.publish.service.js';
import { SeatingPlanVersionType } from './seating.published.schema.js';
import { SeatingConstraintKindEnum, SeatingConstraintType, SeatingPlanType, SeatingTableType } from './seating.schema.js';
import { assertActorsInOccasion, seatingRowTarget } from './seating.targets.js';

/* Who sits where, the constraints, and publishing: seating:manage on the plan's event. */

builder.objectType(TableFullError, {
  name: 'TableFullError',
  interfaces: [ErrorInterface],
  ...inheritedType,
  description: 'The table would hold more people than it seats: nothing was changed.',
  fields: (t) => ({
    tableId: t.id({ ...inheritedType, resolve: (e) => encodeGlobalID('SeatingTable', e.tableId) }),
    capacity: t.exposeInt('capacity', inheritedType),
    requested: t.exposeInt('requested', { ...inheritedType, description: 'How many would sit there.' }),
  }),
});
builder.objectType(GuestNotAttendingError, {
  name: 'GuestNotAttendingError',
  interfaces: [ErrorInterface],
  ...inheritedType,
  description: 'Only guests attending the event (RSVP) can be seated: nothing was changed.',
  fields: (t) => ({ guestIds: t.idList({ ...inheritedType, resolve: (e) => e.guestIds.map((id) => encodeGlobalID('Actor', id)) }) }),
});
builder.objectType(SeatUnavailableError, {
  name: 'SeatUnavailableError',
  interfaces: [ErrorInterface],
  ...inheritedType,
  fields: (t) => ({
    tableId: t.id({ ...inheritedType, resolve: (e) => encodeGlobalID('SeatingTable', e.tableId) }),
    seatNumber: t.exposeInt('seatNumber', inheritedType),
  }),
});
const ConstraintConflictType = builder
  .objectRef<{ kind: 'CYCLE' | 'TOO_LARGE'; constraintIds: string[]; people: string[]; message: string }>('SeatingConstraintConflict')
  .implement({
    ...inheritedType,
    fields: (t) => ({
      kind: t.exposeString('kind', {
        ...inheritedType,
        description: 'CYCLE (apart from someone they must sit with) or TOO_LARGE (no table holds the group).',
      }),
      constraintIds: t.idList({
        ...inheritedType,
        description: 'The plan’s constraints it contradicts.',
        resolve: (c) => c.constraintIds.map((id) => encodeGlobalID('SeatingConstraint', id)),
      }),
      guestIds: t.idList({ ...inheritedType, resolve: (c) => c.people.map((id) => encodeGlobalID('Actor', id)) }),
      message: t.exposeString('message', inheritedType),
    }),
  });
builder.objectType(SeatingConstraintConflictError, {
  name: 'SeatingConstraintConflictError',
  interfaces: [ErrorInterface],
  ...inheritedType,
  fields: (t) => ({ conflicts: t.field({ ...inheritedType, type: [ConstraintConflictType], resolve: (e) => e.conflicts }) }),
});
builder.objectType(EmptySeatingPlanError, { name: 'EmptySeatingPlanError', interfaces: [ErrorInterface], ...inheritedType });

const manageOfPlan = canField('seating:manage', 'MODULE_ENABLEMENT', (_p, args: InputIdArgs<'planId'>, ctx) =>
  seatingRowTarget(ctx, 'seatingPlan', args.input.planId.id, 'seating:manage'),
);

const AssignSeatingGuestsInput = builder.inputType('AssignSeatingGuestsInput', {
  fields: (t) => ({
    planId: t.globalID({ required: true, for: SeatingPlanType }),
    tableId: t.globalID({ required: true, for: SeatingTableType }),
    guestIds: t.globalIDList({ required: true, for: ActorType, description: 'Attending people; seated elsewhere in the plan, they move.' }),
    seatNumber: t.int({ description: 'A seat at the table (one guest only); left out: anywhere at the table.' }),
    withHousehold: t.boolean({ description: 'Bring the rest of each guest’s household who have no seat yet (default true).' }),
    expectedRevision: t.int({ description: REVISION }),
  }),
});
const UnassignSeatingGuestsInput = builder.inputType('UnassignSeatingGuestsInput', {
  fields: (t) => ({
    planId: t.globalID({ required: true, for: SeatingPlanType }),
    guestIds: t.globalIDList({ required: true, for: ActorType }),
    expectedRevision: t.int({ description: REVISION }),
  }),
});
const AddSeatingConstraintInput = builder.inputType('AddSeatingConstraintInput', {
  fields: (t) => ({
    planId: t.globalID({ required: true, for: SeatingPlanType }),
    kind: t.field({ type: SeatingConstraintKindEnum, required: true }),
    guestAId: t.globalID({ required: true, for: ActorType }),
    guestBId: t.globalID({ required: true, for: ActorType }),
    note: t.string(),
    expectedRevision: t.int({ description: REVISION }),
  }),
});
const RemoveSeatingConstraintInput = builder.inputType('RemoveSeatingConstraintInput', {
  fields: (t) => ({ constraintId: t.globalID({ required: true, for: SeatingConstraintType }), expectedRevision: t.int({ description: REVISION }) }),
});
const PlanIdInput = (name: string) =>
  builder.inputType(name, {
    fields: (t) => ({ planId: t.globalID({ required: true, for: SeatingPlanType }), expectedRevision: t.int({ description: REVISION }) }),
  });

const reloadPlan = (ctx: { prisma: { seatingPlan: { findUniqueOrThrow(a: { where: { id: string } }): Promise<unknown> } } }, id: string) =>
  ctx.prisma.seatingPlan.findUniqueOrThrow({ where: { id } });

interface ArrangePayload {
  plan: { id: string; occasionId: string; eventId: string; revision: number };
  score: number;
  unmet: { constraintId: string; reason: string }[];
  unseated: string[];
  splitGroups: string[];
}
const UnmetType = builder.objectRef<{ constraintId: string; reason: string }>('SeatingUnmetConstraint').implement({
  ...inheritedType,
  fields: (t) => ({
    constraintId: t.id({ ...inheritedType, resolve: (u) => encodeGlobalID('SeatingConstraint', u.constraintId) }),
    reason: t.exposeString('reason', {
      ...inheritedType,
      description: 'SPLIT (a together pair at two tables), SAME_TABLE (an apart pair at one), NO_ROOM (a together pair with one unseated).',
    }),
  }),
});
const AutoArrangePayloadType = builder.objectRef<ArrangePayload>('AutoArrangeSeatingPlanPayload').implement({
  ...inheritedType,
  fields: (t) => ({
    plan: t.field({ ...inheritedType, type: SeatingPlanType, resolve: (p) => p.plan as never }),
    score: t.exposeFloat('score', {
      ...inheritedType,
      description: '0–100: people seated, households whole and constraints met (100: all of them).',
    }),
    unmet: t.field({ ...inheritedType, type: [UnmetType], resolve: (p) => p.unmet }),
    unseatedGuestIds: t.idList({
      ...inheritedType,
      description: 'Attending guests left without a seat (not enough seats).',
      resolve: (p) => p.unseated.map((id) => encodeGlobalID('Actor', id)),
    }),
    splitHouseholdIds: t.idList({
      ...inheritedType,
      description: 'Households not all at one table.',
      resolve: (p) => p.splitGroups.map((id) => encodeGlobalID('Actor', id)),
    }),
  }),
});
const AutoArrangeSeatingPlanInput = builder.inputType('AutoArrangeSeatingPlanInput', {
  fields: (t) => ({
    planId: t.globalID({ required: true, for: SeatingPlanType }),
    keepPlanned: t.boolean({
      description: 'Keep the seats planners placed by hand and fill around them (default true); false re-arranges everyone.',
    }),
    expectedRevision: t.int({ description: REVISION }),
  }),
});

builder.mutationFields((t) => ({
  autoArrangeSeatingPlan: t.field({
    type: AutoArrangePayloadType,
    description:
      'Fills the plan’s tables with the attending guests: households whole where they fit, constraints met as far as the seats allow, never beyond capacity. Returns the score and the constraints left unmet.',
    ...manageOfPlan,
    args: { input: t.arg({ type: AutoArrangeSeatingPlanInput, required: true }) },
    errors: { types: [ValidationError, ConflictError] },
    resolve: async (_r, { input }, ctx) => {
      const out = await inTransaction(ctx, (tx) =>
        autoArrangeSeatingPlan(tx, ctx.caller, { planId: input.planId.id, keepPlanned: input.keepPlanned, expectedRevision: input.expectedRevision }),
      );
      return { ...out, plan: await ctx.prisma.seatingPlan.findUniqueOrThrow({ where: { id: out.planId } }) };
    },
  }),
  assignSeatingGuests: t.field({
    type: payload('AssignSeatingGuestsPayload', 'plan', SeatingPlanType),
    description:
      'Seats attending guests at a table (moving them if seated elsewhere), by default with the rest of their household. Never beyond the table’s capacity.',
    ...manageOfPlan,
    args: { input: t.arg({ type: AssignSeatingGuestsInput, required: true }) },
    errors: { types: [ValidationError, ConflictError, TableFullError, GuestNotAttendingError, SeatUnavailableError] },
    resolve: async (_r, { input }, ctx) => {
      const { occasionId } = await ctx.targets.seatingPlan(input.planId.id);
      if ((await ctx.targets.seatingTable(input.tableId.id)).occasionId !== occasionId) throw notFound('Seating table');
      await assertActorsInOccasion(
        ctx,
        occasionId,
        input.guestIds.map((g) => g.id),
      );
      const plan = await inTransaction(ctx, (tx) =>
        assignSeatingGuests(tx, ctx.caller, {
          planId: input.planId.id,
          tableId: input.tableId.id,
          guestIds: input.guestIds.map((g) => g.id),
          seatNumber: input.seatNumber,
          withHousehold: input.withHousehold,
          expectedRevision: input.expectedRevision,
        }),
      );
      return { plan: (await reloadPlan(ctx, plan.id)) as typeof plan };
    },
  }),
  unassignSeatingGuests: t.field({
    type: payload('UnassignSeatingGuestsPayload', 'plan', SeatingPlanType),
    description: 'Takes guests’ seats away (they show as unseated).',
    ...manageOfPlan,
    args: { input: t.arg({ type: UnassignSeatingGuestsInput, required: true }) },
    errors: { types: [ConflictError] },
    resolve: async (_r, { input }, ctx) => {
      const { occasionId } = await ctx.targets.seatingPlan(input.planId.id);
      await assertActorsInOccasion(
        ctx,
        occasionId,
        input.guestIds.map((g) => g.id),
      );
      const plan = await inTransaction(ctx, (tx) =>
        unassignSeatingGuests(tx, ctx.caller, {
          planId: input.planId.id,
          guestIds: input.guestIds.map((g) => g.id),
          expectedRevision: input.expectedRevision,
        }),
      );
      return { plan: (await reloadPlan(ctx, plan.id)) as typeof plan };
    },
  }),
  addSeatingConstraint: t.field({
    type: payload('AddSeatingConstraintPayload', 'constraint', SeatingConstraintType),
    description: 'Two people to seat together or apart. One that contradicts the plan’s others is refused (SEATING_CONSTRAINT_CONFLICT).',
    ...manageOfPlan,
    args: { input: t.arg({ type: AddSeatingConstraintInput, required: true }) },
    errors: { types: [ValidationError, ConflictError, SeatingConstraintConflictError] },
    resolve: async (_r, { input }, ctx) => {
      const { occasionId } = await ctx.targets.seatingPlan(input.planId.id);
      await assertActorsInOccasion(ctx, occasionId, [input.guestAId.id, input.guestBId.id]);
      return {
        constraint: await inTransaction(ctx, (tx) =>
          addSeatingConstraint(tx, ctx.caller, {
            planId: input.planId.id,
            kind: input.kind,
            guestAId: input.guestAId.id,
            guestBId: input.guestBId.id,
            note: input.note,
            expectedRevision: input.expectedRevision,
          }),
        ),
      };
    },
  }),
  removeSeatingConstraint: t.field({
    type: deletedPayload('RemoveSeatingConstraintPayload', 'SeatingConstraint'),
    ...canField('seating:manage', 'MODULE_ENABLEMENT', (_p, args: InputIdArgs<'constraintId'>, ctx) =>
      seatingRowTarget(ctx, 'seatingConstraint', args.input.constraintId.id, 'seating:manage'),
    ),
    args: { input: t.arg({ type: RemoveSeatingConstraintInput, required: true }) },
    errors: { types: [ConflictError] },
    resolve: async (_r, { input }, ctx) => {
      await inTransaction(ctx, (tx) => removeSeatingConstraint(tx, ctx.caller, input.constraintId.id, input.expectedRevision));
      return { id: input.constraintId.id };
    },
  }),
  dismissSeatingNotices: t.field({
    type: payload('DismissSeatingNoticesPayload', 'plan', SeatingPlanType),
    description: 'Marks the plan’s notices (guests unseated by RSVP changes) as seen.',
    ...manageOfPlan,
    args: { input: t.arg({ type: PlanIdInput('DismissSeatingNoticesInput'), required: true }) },
    errors: { types: [ConflictError] },
    resolve: async (_r, { input }, ctx) => ({ plan: await inTransaction(ctx, (tx) => dismissSeatingNotices(tx, ctx.caller, input.planId.id)) }),
  }),
  publishSeatingPlan: t.field({
    type: payload('PublishSeatingPlanPayload', 'version', SeatingPlanVersionType),
    description:
      'Freezes the plan as a new published version (immutable), emits seating_plan.published for its event, and renders its seating chart and escort cards (artifacts seating_chart and escort_cards, for the planner to publish to the printer). A plan without tables or seated guests is EMPTY_SEATING_PLAN.',
    ...manageOfPlan,
    args: { input: t.arg({ type: PlanIdInput('PublishSeatingPlanInput'), required: true }) },
    errors: { types: [ConflictError, EmptySeatingPlanError] },
    resolve: async (_r, { input }, ctx) => ({
      version: await inTransaction(ctx, (tx) => publishSeatingPlan(tx, ctx.caller, ctx.app, input.planId.id, input.expectedRevision)),
    }),
  }),
}));
