import { builder } from '../../kit/builder.js';
import { canField, canType, type InputIdArgs } from '../../kit/rules.js';
import { inTransaction } from '../../kit/transaction.js';
import { payload } from '../../kit/payload.js';
import { ConflictError, ValidationError } from '../../platform/errors.js';
import { EventType } from '../events/events.schema.js';
import { MessageChannelEnum } from './communications.schema.js';
import { cancelReminder, createReminder } from './reminders/reminders.service.js';
import { parseQuietHours, reminderDueAt } from './reminders/schedule.js';

/*
 * Reminders (planner side): "N days before this event's deadline, to those
 * whose answer is still pending". Who gets one is decided when it runs.
 */

const byOccasion = (r: { occasionId: string }) => ({ occasionId: r.occasionId });

const ReminderRunType = builder.prismaObject('CommReminderRun', {
  name: 'MessageReminderRun',
  ...canType('communications:view', 'OCCASION', (r: { reminderId: string }, ctx) => ctx.targets.commReminder(r.reminderId)),
  select: { reminderId: true },
  description: 'One firing of a reminder.',
  fields: (t) => ({
    daysBefore: t.exposeInt('daysBefore'),
    deadlineAt: t.expose('deadlineAt', { type: 'DateTime', description: 'The deadline it counted back from.' }),
    dueAt: t.expose('dueAt', { type: 'DateTime' }),
    ranAt: t.expose('ranAt', { type: 'DateTime' }),
    recipients: t.exposeInt('recipients', { description: 'Messages it queued (0: passed over, or nobody left to remind).' }),
  }),
});
void ReminderRunType;

export const ReminderType = builder.prismaNode('CommReminder', {
  id: { field: 'id' },
  name: 'MessageReminder',
  ...canType('communications:view', 'OCCASION', byOccasion),
  description: 'Reminders N days before an event’s deadline, in the occasion’s time zone and outside quiet hours.',
  fields: (t) => ({
    event: t.relation('event'),
    daysBefore: t.exposeIntList('daysBefore'),
    statuses: t.exposeStringList('statuses', { description: 'Answers it reaches (PENDING: not answered yet).' }),
    channel: t.expose('channel', { type: MessageChannelEnum }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    cancelledAt: t.expose('cancelledAt', { type: 'DateTime', nullable: true }),
    runs: t.relation('runs', { query: { orderBy: { ranAt: 'asc' } } }),
    nextRunAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the next run is due with the deadline as it is now; null when none is left (or no deadline is set).',
      select: {
        eventId: true,
        daysBefore: true,
        cancelledAt: true,
        occasion: { select: { timezone: true } },
        runs: { select: { daysBefore: true, deadlineAt: true } },
      },
      resolve: async (r, _a, ctx) => {
        const source = ctx.app.moduleRegistry.list().find((m) => m.reminderSource)?.reminderSource;
        const deadline = source && !r.cancelledAt ? (await source.deadlines(ctx.prisma, [r.eventId])).get(r.eventId) : undefined;
        if (!deadline || deadline <= new Date()) return null;
        const quiet = parseQuietHours(ctx.app.config.QUIET_HOURS);
        const left = r.daysBefore
          .filter((d) => !r.runs.some((x) => x.daysBefore === d && x.deadlineAt.getTime() === deadline.getTime()))
          .map((d) => reminderDueAt(deadline, d, r.occasion.timezone, quiet).getTime());
        return left.length ? new Date(Math.min(...left)) : null;
      },
    }),
  }),
});

builder.prismaObjectField(EventType, 'messageReminders', (t) =>
  t.relation('commReminders', {
    ...canField('communications:view', 'OCCASION', byOccasion),
    description: 'Reminders planned for this event (cancelled ones too), oldest first.',
    query: { orderBy: { createdAt: 'asc' } },
  }),
);

const ReminderPayload = payload('MessageReminderPayload', 'reminder', ReminderType);

builder.mutationFields((t) => ({
  createMessageReminder: t.field({
    type: ReminderPayload,
    ...canField('communications:send', 'OCCASION', (_p, args: InputIdArgs<'eventId'>, ctx) => ctx.targets.event(args.input.eventId.id)),
    description:
      'Remind the units invited to an event whose answer is in `statuses` (default: still pending), `daysBefore` days before its RSVP deadline at 10:00 in the occasion’s time zone (later when that is in quiet hours). Recipients are chosen when it runs; a moved deadline moves it.',
    args: {
      input: t.arg({
        type: builder.inputType('CreateMessageReminderInput', {
          fields: (f) => ({
            eventId: f.globalID({ required: true, for: EventType }),
            daysBefore: f.intList({ required: true, description: 'e.g. [7, 2]: a week and two days before the deadline.' }),
            statuses: f.stringList({ description: 'PENDING (default), ATTENDING, DECLINED.' }),
            channel: f.field({ type: MessageChannelEnum }),
          }),
        }),
        required: true,
      }),
    },
    errors: { types: [ValidationError] },
    resolve: async (_r, { input }, ctx) => {
      const { occasionId } = await ctx.targets.event(input.eventId.id);
      return {
        reminder: await inTransaction(ctx, (tx) =>
          createReminder(tx, ctx.caller, occasionId, input.eventId.id, {
            daysBefore: input.daysBefore,
            ...(input.statuses ? { statuses: input.statuses } : {}),
            ...(input.channel ? { channel: input.channel } : {}),
          }),
        ),
      };
    },
  }),
  cancelMessageReminder: t.field({
    type: ReminderPayload,
    ...canField('communications:send', 'OCCASION', (_p, args: InputIdArgs<'id'>, ctx) => ctx.targets.commReminder(args.input.id.id)),
    description: 'No run of it fires after this; messages a run already queued are not withdrawn.',
    args: {
      input: t.arg({
        type: builder.inputType('CancelMessageReminderInput', { fields: (f) => ({ id: f.globalID({ required: true, for: ReminderType }) }) }),
        required: true,
      }),
    },
    errors: { types: [ConflictError] },
    resolve: async (_r, { input }, ctx) => ({ reminder: await inTransaction(ctx, (tx) => cancelReminder(tx, ctx.caller, input.id.id)) }),
  }),
}));
