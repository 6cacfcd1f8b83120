import { builder } from '../../kit/builder.js';
import type { Context } from '../../kit/context.js';
import { ErrorInterface } from '../../kit/common.schema.js';
import { encodeGlobalID, isUuid } from '../../kit/ids.js';
import { payload } from '../../kit/payload.js';
import { authenticatedField, canField, canTypeOrVisible, declaredChecks, inheritedType, type InputIdArgs } from '../../kit/rules.js';
import { inTransaction } from '../../kit/transaction.js';
import { notFound, ValidationError } from '../../platform/errors.js';
import { ActorType } from '../../domains/actors/actors.schema.js';
import { EventType } from '../../domains/events/events.schema.js';
import { OccasionType } from '../../domains/occasions/occasions.schema.js';
import type { Prisma as PrismaNS } from '../../generated/prisma/client.js';
import { NotACandidateError, TaskAlreadyClaimedError, TaskClosedError, TaskDeadlinePassedError } from './collaboration.errors.js';
import { isAssignee, isCandidate, type TaskStanding, taskStandings, visibleTasksWhere } from './tasks.access.js';
import { cancelTask, claimTask, completeTask, reassignTask, unclaimTask } from './tasks.service.js';

/*
 * Tasks in the API. Planners (tasks:manage) see and steer every task of the
 * occasion; anyone else sees only what is assigned to them or claimable by
 * them — filtered in SQL, so counts and pages hold only those — and claims,
 * hands back and completes through that candidacy alone, no grant needed.
 * Outside one's occasions every task id is NOT_FOUND.
 */

/** The signed-in user's standings, once per request (they do not change within one). */
const standingsOf = new WeakMap<Context, Promise<TaskStanding[]>>();
function myStandings(ctx: Context): Promise<TaskStanding[]> {
  let s = standingsOf.get(ctx);
  if (!s) {
    s = ctx.principal.kind === 'user' ? taskStandings(ctx.prisma, ctx.principal.userId) : Promise.resolve([]);
    standingsOf.set(ctx, s);
  }
  return s;
}
const standingIn = async (ctx: Context, occasionId: string) => (await myStandings(ctx)).find((s) => s.occasionId === occasionId) ?? null;

/** The standing a helper acts with on a task; no standing in the task's occasion (or no such task) reads as NOT_FOUND. */
async function actingOn(ctx: Context, taskId: string): Promise<TaskStanding> {
  const row = isUuid(taskId) ? await ctx.prisma.task.findUnique({ where: { id: taskId }, select: { occasionId: true } }) : null;
  const standing = row ? await standingIn(ctx, row.occasionId) : null;
  if (!standing) throw notFound('Task');
  return standing;
}

export const TaskStatusEnum = builder.enumType('TaskStatus', { values: ['OPEN', 'CLAIMED', 'DONE', 'CANCELLED'] as const });
export const TaskPriorityEnum = builder.enumType('TaskPriority', { values: ['LOW', 'NORMAL', 'HIGH'] as const });

type TaskRow = { occasionId: string; assigneeActorId: string | null; candidateActorIds: string[]; candidateRole: string | null };
const taskRule = canTypeOrVisible(
  'tasks:manage',
  'OCCASION',
  (t: TaskRow) => ({ occasionId: t.occasionId }),
  async (t: TaskRow, ctx) => {
    const s = await standingIn(ctx, t.occasionId);
    return isAssignee(t, s) || isCandidate(t, s);
  },
  { what: 'Task', alsoReadableBy: 'its assignee and its candidates (actors, members of candidate teams and vendors, holders of its candidate role)' },
);

export const TaskType = builder.prismaNode('Task', {
  id: { field: 'id' },
  ...taskRule,
  description: 'Work on something a feature exposes (call a household), with who may claim it, who holds it and by when.',
  fields: (t) => ({
    kind: t.exposeString('kind', { description: 'What kind of work, as the feature that made it names it (`rsvp.follow_up`).' }),
    title: t.exposeString('title'),
    resourceType: t.exposeString('resourceType'),
    resourceId: t.id({
      description: 'Global id of what it is about (of type resourceType).',
      resolve: (r) => encodeGlobalID(r.resourceType, r.resourceId),
    }),
    occasionId: t.id({ resolve: (r) => encodeGlobalID('Occasion', r.occasionId) }),
    eventId: t.id({ nullable: true, resolve: (r) => (r.eventId ? encodeGlobalID('Event', r.eventId) : null) }),
    ownerId: t.id({ nullable: true, resolve: (r) => (r.ownerActorId ? encodeGlobalID('Actor', r.ownerActorId) : null) }),
    assigneeId: t.id({ nullable: true, resolve: (r) => (r.assigneeActorId ? encodeGlobalID('Actor', r.assigneeActorId) : null) }),
    candidateIds: t.idList({ resolve: (r) => r.candidateActorIds.map((id) => encodeGlobalID('Actor', id)) }),
    candidateRole: t.exposeString('candidateRole', { nullable: true }),
    assignedToMe: t.boolean({ resolve: async (r, _a, ctx) => isAssignee(r, await standingIn(ctx, r.occasionId)) }),
    claimableByMe: t.boolean({
      description: 'Open, not past due, and you are one of its candidates.',
      resolve: async (r, _a, ctx) => r.status === 'OPEN' && (!r.dueAt || r.dueAt > new Date()) && isCandidate(r, await standingIn(ctx, r.occasionId)),
    }),
    dueAt: t.expose('dueAt', { type: 'DateTime', nullable: true }),
    followUpAt: t.expose('followUpAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When its people are reminded (by email, once); without it, 24 hours before dueAt.',
    }),
    remindedAt: t.expose('remindedAt', { type: 'DateTime', nullable: true, description: 'When its people were last reminded of it.' }),
    overdueAt: t.field({
      type: 'DateTime',
      nullable: true,
      description:
        'When it was found past dueAt while still open or held, and escalated (its owner, else the planners, told; task.overdue). Null while on time, and again once dueAt moves later.',
      resolve: (r) => (r.overdueAt && r.dueAt && r.overdueAt >= r.dueAt ? r.overdueAt : null),
    }),
    priority: t.expose('priority', { type: TaskPriorityEnum }),
    status: t.expose('status', { type: TaskStatusEnum }),
    completedAt: t.expose('completedAt', { type: 'DateTime', nullable: true }),
    completedById: t.id({ nullable: true, resolve: (r) => (r.completedByActorId ? encodeGlobalID('Actor', r.completedByActorId) : null) }),
    outcome: t.exposeString('outcome', { nullable: true }),
    revision: t.exposeInt('revision'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const TaskFilter = builder.inputType('TaskFilter', {
  fields: (t) => ({
    status: t.field({ type: [TaskStatusEnum], description: 'Only tasks in these statuses.' }),
    kind: t.string({ description: 'Only tasks of this kind.' }),
    eventId: t.globalID({ for: EventType, description: 'Only tasks of this event.' }),
  }),
});
type Filter = { status?: ('OPEN' | 'CLAIMED' | 'DONE' | 'CANCELLED')[] | null; kind?: string | null; eventId?: { id: string } | null };
const filterWhere = (f: Filter | null | undefined): PrismaNS.TaskWhereInput => ({
  ...(f?.status?.length ? { status: { in: f.status } } : {}),
  ...(f?.kind ? { kind: f.kind } : {}),
  ...(f?.eventId ? { eventId: f.eventId.id } : {}),
});

const occasionTasksRule = canField('occasion:read', 'OCCASION', (o: { id: string }) => ({ occasionId: o.id }), { alsoChecks: ['tasks:manage'] });

/** Everything with tasks:manage; else what is assigned to or claimable by the caller. */
async function occasionTasksWhere(ctx: Context, occasionId: string, filter: Filter | null | undefined): Promise<PrismaNS.TaskWhereInput> {
  const all = await declaredChecks(occasionTasksRule, ctx).can('tasks:manage', { occasionId });
  const mine = all ? {} : visibleTasksWhere((await myStandings(ctx)).filter((s) => s.occasionId === occasionId));
  return { AND: [{ occasionId }, mine, filterWhere(filter)] };
}

builder.prismaObjectField(OccasionType, 'tasks', (t) =>
  t.prismaConnection({
    type: 'Task',
    cursor: 'id',
    ...occasionTasksRule,
    description:
      'The occasion’s tasks, oldest first: all of them with tasks:manage; otherwise only those assigned to you or claimable by you (filtered in SQL, so totalCount counts only those).',
    args: { filter: t.arg({ type: TaskFilter }) },
    resolve: async (query, o, args, ctx) =>
      ctx.prisma.task.findMany({ ...query, where: await occasionTasksWhere(ctx, o.id, args.filter), orderBy: { id: 'asc' } }),
    totalCount: async (o, args, ctx) => ctx.prisma.task.count({ where: await occasionTasksWhere(ctx, o.id, args.filter) }),
  }),
);

/*
 * No ids in this filter: a connection asked only for its __typename is never
 * resolved, so an id here could not be refused (NOT_FOUND) for another
 * occasion's. One occasion's or one event's tasks: Occasion.tasks(filter).
 */
const MyTasksFilter = builder.inputType('MyTasksFilter', {
  fields: (t) => ({
    status: t.field({ type: [TaskStatusEnum], description: 'Only tasks in these statuses.' }),
    kind: t.string({ description: 'Only tasks of this kind.' }),
  }),
});

async function myTasksWhere(ctx: Context, filter: Filter | null | undefined) {
  return { AND: [visibleTasksWhere(await myStandings(ctx)), filterWhere(filter)] };
}

builder.queryField('myTasks', (t) =>
  t.prismaConnection({
    type: 'Task',
    cursor: 'id',
    ...authenticatedField,
    description:
      'Tasks assigned to you or claimable by you, in every occasion you take part in (as yourself, as a member of a team or vendor, or through your role), oldest first. For one occasion or event: Occasion.tasks(filter).',
    args: { filter: t.arg({ type: MyTasksFilter }) },
    resolve: async (query, _r, args, ctx) =>
      ctx.prisma.task.findMany({ ...query, where: await myTasksWhere(ctx, args.filter), orderBy: { id: 'asc' } }),
    totalCount: async (_r, args, ctx) => ctx.prisma.task.count({ where: await myTasksWhere(ctx, args.filter) }),
  }),
);

for (const [cls, name, description] of [
  [TaskAlreadyClaimedError, 'TaskAlreadyClaimedError', 'Someone else holds the task (a concurrent claim won, or a planner assigned it).'],
  [TaskClosedError, 'TaskClosedError', 'The task is done or cancelled.'],
  [NotACandidateError, 'NotACandidateError', 'You are not one of the task’s candidates.'],
] as const) {
  builder.objectType(cls, { name, description, interfaces: [ErrorInterface], ...inheritedType });
}
builder.objectType(TaskDeadlinePassedError, {
  name: 'TaskDeadlinePassedError',
  description: 'The task was due before now: it can no longer be claimed (a planner may reassign it).',
  interfaces: [ErrorInterface],
  ...inheritedType,
  fields: (t) => ({ dueAt: t.expose('dueAt', { type: 'DateTime', ...inheritedType }) }),
});

const TaskPayload = payload('TaskPayload', 'task', TaskType);
const TaskIdInput = builder.inputType('TaskIdInput', { fields: (t) => ({ taskId: t.globalID({ required: true, for: TaskType }) }) });
const CompleteTaskInput = builder.inputType('CompleteTaskInput', {
  fields: (t) => ({
    taskId: t.globalID({ required: true, for: TaskType }),
    outcome: t.string({
      description: 'What came of it; a kind may require one of its outcomes (rsvp.follow_up: REACHED, NO_ANSWER, LEFT_MESSAGE, WRONG_NUMBER).',
    }),
  }),
});
const ReassignTaskInput = builder.inputType('ReassignTaskInput', {
  fields: (t) => ({
    taskId: t.globalID({ required: true, for: TaskType }),
    assigneeId: t.globalID({ for: ActorType, description: 'An actor of the occasion; null or left out puts the task back up for its candidates.' }),
  }),
});

const managed = canField('tasks:manage', 'OCCASION', (_p, args: InputIdArgs<'taskId'>, ctx) => ctx.targets.task(args.input.taskId.id));

builder.mutationFields((t) => ({
  claimTask: t.field({
    type: TaskPayload,
    ...authenticatedField,
    description:
      'Takes an open task you are a candidate for. Of two claims at once one wins; the other gets TaskAlreadyClaimedError. Emits task.assigned.',
    args: { input: t.arg({ type: TaskIdInput, required: true }) },
    errors: { types: [TaskAlreadyClaimedError, TaskClosedError, TaskDeadlinePassedError, NotACandidateError] },
    resolve: async (_r, { input }, ctx) => {
      const standing = await actingOn(ctx, input.taskId.id);
      return { task: await inTransaction(ctx, (tx) => claimTask(tx, ctx.caller, standing, input.taskId.id)) };
    },
  }),
  unclaimTask: t.field({
    type: TaskPayload,
    ...authenticatedField,
    description: 'Hands back a task you hold: open again for its candidates.',
    args: { input: t.arg({ type: TaskIdInput, required: true }) },
    errors: { types: [TaskAlreadyClaimedError, TaskClosedError, NotACandidateError] },
    resolve: async (_r, { input }, ctx) => {
      const standing = await actingOn(ctx, input.taskId.id);
      return { task: await inTransaction(ctx, (tx) => unclaimTask(tx, ctx.caller, standing, input.taskId.id)) };
    },
  }),
  completeTask: t.field({
    type: TaskPayload,
    ...authenticatedField,
    description: 'Marks a task you hold (or an open one you are a candidate for) done with its outcome. Emits task.completed.',
    args: { input: t.arg({ type: CompleteTaskInput, required: true }) },
    errors: { types: [TaskAlreadyClaimedError, TaskClosedError, NotACandidateError, ValidationError] },
    resolve: async (_r, { input }, ctx) => {
      const standing = await actingOn(ctx, input.taskId.id);
      return {
        task: await inTransaction(ctx, (tx) =>
          completeTask(tx, ctx.caller, ctx.app.moduleRegistry, standing, input.taskId.id, input.outcome ?? null),
        ),
      };
    },
  }),
  reassignTask: t.field({
    type: TaskPayload,
    ...managed,
    description: 'Gives the task to an actor of the occasion (or back to its candidates): the only way to move a held task. Emits task.assigned.',
    args: { input: t.arg({ type: ReassignTaskInput, required: true }) },
    errors: { types: [TaskClosedError, TaskAlreadyClaimedError] },
    resolve: async (_r, { input }, ctx) => ({
      task: await inTransaction(ctx, (tx) => reassignTask(tx, ctx.caller, input.taskId.id, input.assigneeId?.id ?? null)),
    }),
  }),
  cancelTask: t.field({
    type: TaskPayload,
    ...managed,
    description: 'Withdraws a task nobody should do any more.',
    args: { input: t.arg({ type: TaskIdInput, required: true }) },
    errors: { types: [TaskClosedError] },
    resolve: async (_r, { input }, ctx) => ({ task: await inTransaction(ctx, (tx) => cancelTask(tx, ctx.caller, input.taskId.id)) }),
  }),
}));
