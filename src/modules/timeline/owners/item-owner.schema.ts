import { EventType } from '../../../domains/events/events.schema.js';
import { builder } from '../../../kit/builder.js';
import { canField, declaredChecks, inheritedType, type InputIdArgs } from '../../../kit/rules.js';
import { inTransaction } from '../../../kit/transaction.js';
import { timelineTargetOfEvent } from '../timeline.targets.js';
import { createTimelineOwnerTasks } from './item-owner.service.js';

/*
 * Run-of-show items as tasks of who is responsible for them: a vendor sees
 * its items as its own tasks (Query.myTasks) and marks each done with
 * completeTask. Task (its type and rule) comes from Collaboration's schema.
 */

const Input = builder.inputType('CreateTimelineOwnerTasksInput', {
  fields: (t) => ({ eventId: t.globalID({ required: true, for: EventType }) }),
});

const Payload = builder.objectRef<{ tasks: { id: string }[]; skipped: number }>('CreateTimelineOwnerTasksPayload').implement({
  ...inheritedType,
  fields: (t) => ({
    tasks: t.prismaField({
      type: ['Task'],
      ...inheritedType,
      description: 'The tasks made, in run-of-show order.',
      resolve: (query, p, _a, ctx) => ctx.prisma.task.findMany({ ...query, where: { id: { in: p.tasks.map((x) => x.id) } }, orderBy: { id: 'asc' } }),
    }),
    skipped: t.exposeInt('skipped', { ...inheritedType, description: 'Item/actor pairs left out: they already have a task (not cancelled).' }),
  }),
});

const rule = canField(
  'timeline:manage',
  'MODULE_ENABLEMENT',
  (_p, args: InputIdArgs<'eventId'>, ctx) => timelineTargetOfEvent(ctx, args.input.eventId.id, 'timeline:manage'),
  { alsoChecks: ['tasks:manage'] },
);

builder.mutationField('createTimelineOwnerTasks', (t) =>
  t.field({
    type: Payload,
    ...rule,
    description:
      'One timeline.item_owner task per item of the event and actor responsible for it, assigned to that actor and due when the item starts. Needs tasks:manage too. Pairs that already have a task (not cancelled) are skipped.',
    args: { input: t.arg({ type: Input, required: true }) },
    resolve: async (_r, { input }, ctx) => {
      const { occasionId } = await ctx.targets.event(input.eventId.id);
      await declaredChecks(rule, ctx).assert('tasks:manage', { occasionId }, 'Event');
      return inTransaction(ctx, (tx) => createTimelineOwnerTasks(tx, ctx.caller, ctx.app.moduleRegistry, { occasionId, eventId: input.eventId.id }));
    },
  }),
);
