// Task (its type and rule) comes from Collaboration's schema, loaded with the API's.
import { ActorType } from '../../../domains/actors/actors.schema.js';
import { EventType } from '../../../domains/events/events.schema.js';
import { builder } from '../../../kit/builder.js';
import { canField, declaredChecks, inheritedType, type InputIdArgs } from '../../../kit/rules.js';
import { inTransaction } from '../../../kit/transaction.js';
import { ValidationError } from '../../../platform/errors.js';
import { rsvpEventTarget } from '../rsvp.targets.js';
import { createRsvpFollowUpTasks } from './rsvp-follow-up.service.js';

/*
 * Follow-up calls: a planner splits the households that have not answered
 * an event among helpers. Each helper then sees only its own calls
 * (Query.myTasks, Occasion.tasks) and marks each done with completeTask.
 */

const CreateRsvpFollowUpTasksInput = builder.inputType('CreateRsvpFollowUpTasksInput', {
  fields: (t) => ({
    eventId: t.globalID({ required: true, for: EventType }),
    helperActorIds: t.globalIDList({
      required: true,
      for: ActorType,
      description: 'Who makes the calls (actors of the occasion), dealt households in turn.',
    }),
    dueAt: t.field({ type: 'DateTime', description: 'When the calls should be made by; after it they can no longer be claimed.' }),
  }),
});

const Payload = builder.objectRef<{ tasks: { id: string }[]; skipped: number }>('CreateRsvpFollowUpTasksPayload').implement({
  ...inheritedType,
  fields: (t) => ({
    tasks: t.prismaField({
      type: ['Task'],
      ...inheritedType,
      description: 'The tasks made, one per household still pending, in the order they were dealt.',
      resolve: (query, p, _a, ctx) => ctx.prisma.task.findMany({ ...query, where: { id: { in: p.tasks.map((x) => x.id) } }, orderBy: { id: 'asc' } }),
    }),
    skipped: t.exposeInt('skipped', { ...inheritedType, description: 'Pending households left out: they already have an open follow-up.' }),
  }),
});

const rule = canField(
  'rsvp:manage',
  'MODULE_ENABLEMENT',
  async (_p, args: InputIdArgs<'eventId'>, ctx) => {
    const ev = await ctx.targets.event(args.input.eventId.id);
    return rsvpEventTarget(ctx, { id: args.input.eventId.id, occasionId: ev.occasionId }, 'rsvp:manage');
  },
  { alsoChecks: ['tasks:manage'] },
);

builder.mutationField('createRsvpFollowUpTasks', (t) =>
  t.field({
    type: Payload,
    ...rule,
    description:
      'One rsvp.follow_up task per household still pending on the event, dealt round-robin (by household name) among the helpers, each its tasks’ only candidate. Needs tasks:manage too. Households with an open follow-up are skipped.',
    args: { input: t.arg({ type: CreateRsvpFollowUpTasksInput, required: true }) },
    errors: { types: [ValidationError] },
    resolve: async (_r, { input }, ctx) => {
      const { occasionId } = await ctx.targets.event(input.eventId.id);
      await declaredChecks(rule, ctx).assert('tasks:manage', { occasionId }, 'Event');
      return inTransaction(ctx, (tx) =>
        createRsvpFollowUpTasks(tx, ctx.caller, ctx.app.moduleRegistry, {
          occasionId,
          eventId: input.eventId.id,
          helperActorIds: input.helperActorIds.map((h) => h.id),
          dueAt: input.dueAt ?? null,
        }),
      );
    },
  }),
);
