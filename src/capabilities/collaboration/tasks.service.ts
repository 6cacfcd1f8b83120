import type { Prisma, Task } from '../../generated/prisma/client.js';
import type { ModuleRegistry } from '../../domains/module-platform/manifest.js';
import { recordAudit } from '../../platform/audit.js';
import type { Tx } from '../../platform/db/client.js';
import { notFound, ValidationError } from '../../platform/errors.js';
import { recordBusinessEvent, recordBusinessEvents } from '../../platform/outbox.js';
import type { Caller } from '../../platform/principal.js';
import { taskAssigned, taskCompleted } from './collaboration.business-events.js';
import { NotACandidateError, TaskAlreadyClaimedError, TaskClosedError, TaskDeadlinePassedError } from './collaboration.errors.js';
import { taskKinds } from './task-kind.js';
import { isAssignee, isCandidate, type TaskStanding } from './tasks.access.js';

/*
 * Every change to a task is one conditional UPDATE: claiming is
 * `UPDATE … WHERE status = 'OPEN' AND assignee IS NULL`, so of two helpers
 * claiming at once the second finds no row to change (PostgreSQL re-checks the
 * condition once the first commits) and is told who won — never a read, then
 * a write. The read before it only explains a refusal. Each runs inside the
 * caller's transaction with its audit row and its event.
 */

export type TaskPriority = 'LOW' | 'NORMAL' | 'HIGH';
const ACTIVE = ['OPEN', 'CLAIMED'] as const;

export interface NewTask {
  kind: string;
  resourceId: string;
  title: string;
  eventId?: string | null;
  ownerActorId?: string | null;
  /** Assigned at once (status CLAIMED); else the task waits, OPEN, for a candidate to claim it. */
  assigneeActorId?: string | null;
  candidateActorIds?: string[];
  candidateRole?: string | null;
  dueAt?: Date | null;
  followUpAt?: Date | null;
  priority?: TaskPriority;
}

const eventPayload = (t: Task) => ({
  occasionId: t.occasionId,
  eventId: t.eventId,
  taskId: t.id,
  kind: t.kind,
  resourceType: t.resourceType,
  resourceId: t.resourceId,
});

/** Tasks of features' kinds, in one statement; the people named must be actors of the occasion (else NOT_FOUND, like any foreign id). */
export async function createTasks(tx: Tx, caller: Caller, registry: ModuleRegistry, occasionId: string, items: NewTask[]): Promise<Task[]> {
  if (!items.length) return [];
  const kinds = taskKinds(registry);
  for (const i of items) {
    if (!kinds.has(i.kind)) throw new Error(`Task kind ${i.kind} is not defined by any module`);
    if (!i.title.trim()) throw new ValidationError('A task needs a title.', [{ path: 'input.title', message: 'Empty.' }]);
  }
  const people = [
    ...new Set(items.flatMap((i) => [i.ownerActorId, i.assigneeActorId, ...(i.candidateActorIds ?? [])].filter((x): x is string => !!x))),
  ];
  const found = await tx.actor.count({ where: { occasionId, id: { in: people } } });
  if (found !== people.length) throw notFound('Actor');
  const created = await tx.task.createManyAndReturn({
    data: items.map((i) => ({
      occasionId,
      eventId: i.eventId ?? null,
      kind: i.kind,
      resourceType: kinds.get(i.kind)!.resourceType,
      resourceId: i.resourceId,
      title: i.title.trim(),
      ownerActorId: i.ownerActorId ?? null,
      assigneeActorId: i.assigneeActorId ?? null,
      candidateActorIds: [...new Set(i.candidateActorIds ?? [])],
      candidateRole: i.candidateRole ?? null,
      dueAt: i.dueAt ?? null,
      followUpAt: i.followUpAt ?? null,
      priority: i.priority ?? 'NORMAL',
      status: i.assigneeActorId ? ('CLAIMED' as const) : ('OPEN' as const),
    })),
  });
  await recordAudit(tx, caller, {
    action: 'tasks:create',
    occasionId,
    scope: { kinds: [...new Set(items.map((i) => i.kind))] },
    after: { taskIds: created.map((t) => t.id) },
  });
  const assigned = created.filter((t) => t.assigneeActorId);
  await recordBusinessEvents(
    tx,
    caller,
    taskAssigned,
    assigned.map((t) => ({
      payload: { ...eventPayload(t), assigneeActorId: t.assigneeActorId, previousAssigneeActorId: null, via: 'REASSIGN' as const },
      occasionId,
      eventId: t.eventId,
    })),
  );
  return created;
}

async function loadTask(tx: Tx, taskId: string, occasionId: string): Promise<Task> {
  const task = await tx.task.findUnique({ where: { id: taskId } });
  // Another occasion's task reads exactly like one that does not exist.
  if (!task || task.occasionId !== occasionId) throw notFound('Task');
  return task;
}

function refuseClosed(t: Task): void {
  if (t.status === 'DONE' || t.status === 'CANCELLED') throw new TaskClosedError(t.status);
}

/** After a conditional update changed nothing: why (the row moved on under us). */
async function explainLostRace(tx: Tx, taskId: string): Promise<never> {
  const now = await tx.task.findUniqueOrThrow({ where: { id: taskId } });
  refuseClosed(now);
  throw new TaskAlreadyClaimedError();
}

/**
 * Every change of a task: one conditional UPDATE (`where` states what must
 * still hold, so of two racing changes one wins and the other learns why),
 * then the row as it is now, audited as `action`.
 */
async function transition(
  tx: Tx,
  caller: Caller,
  task: Task,
  action: string,
  where: Prisma.TaskWhereInput,
  data: Prisma.TaskUpdateManyMutationInput,
): Promise<Task> {
  const { count } = await tx.task.updateMany({ where: { ...where, id: task.id }, data: { ...data, revision: { increment: 1 } } });
  if (count === 0) await explainLostRace(tx, task.id);
  const after = await tx.task.findUniqueOrThrow({ where: { id: task.id } });
  await recordAudit(tx, caller, { action, occasionId: task.occasionId, target: { type: 'Task', id: task.id }, before: task, after });
  return after;
}

/** A candidate takes an open task for itself. Claiming one it already holds changes nothing. */
export async function claimTask(tx: Tx, caller: Caller, standing: TaskStanding, taskId: string, now = new Date()): Promise<Task> {
  const task = await loadTask(tx, taskId, standing.occasionId);
  refuseClosed(task);
  if (isAssignee(task, standing)) return task;
  if (!isCandidate(task, standing)) throw new NotACandidateError();
  if (task.assigneeActorId) throw new TaskAlreadyClaimedError();
  if (task.dueAt && task.dueAt <= now) throw new TaskDeadlinePassedError(task.dueAt);
  const claimed = await transition(
    tx,
    caller,
    task,
    'tasks:claim',
    { status: 'OPEN', assigneeActorId: null, OR: [{ dueAt: null }, { dueAt: { gt: now } }] },
    { status: 'CLAIMED', assigneeActorId: standing.actorId },
  );
  await recordBusinessEvent(
    tx,
    caller,
    taskAssigned,
    { ...eventPayload(claimed), assigneeActorId: standing.actorId, previousAssigneeActorId: null, via: 'CLAIM' },
    { occasionId: task.occasionId, eventId: task.eventId },
  );
  return claimed;
}

/** The assignee hands a task back: OPEN again, for any candidate. An open task stays as it is. */
export async function unclaimTask(tx: Tx, caller: Caller, standing: TaskStanding, taskId: string): Promise<Task> {
  const task = await loadTask(tx, taskId, standing.occasionId);
  refuseClosed(task);
  if (!isAssignee(task, standing)) {
    if (!isCandidate(task, standing)) throw new NotACandidateError();
    if (task.assigneeActorId) throw new TaskAlreadyClaimedError('Someone else holds this task: only they (or a planner) can hand it back.');
    return task;
  }
  return transition(
    tx,
    caller,
    task,
    'tasks:unclaim',
    { status: 'CLAIMED', assigneeActorId: { in: standing.actingAs } },
    { status: 'OPEN', assigneeActorId: null },
  );
}

/**
 * The assignee (or a candidate of an open task, which claims it on the way)
 * marks it done with the outcome it reports: `task.completed`.
 */
export async function completeTask(
  tx: Tx,
  caller: Caller,
  registry: ModuleRegistry,
  standing: TaskStanding,
  taskId: string,
  outcome: string | null,
  now = new Date(),
): Promise<Task> {
  const task = await loadTask(tx, taskId, standing.occasionId);
  refuseClosed(task);
  const mine = isAssignee(task, standing);
  if (!mine && !isCandidate(task, standing)) throw new NotACandidateError();
  if (!mine && task.assigneeActorId) throw new TaskAlreadyClaimedError();
  const allowed = taskKinds(registry).get(task.kind)?.outcomes;
  const text = outcome?.trim() || null;
  if (allowed && (!text || !allowed.includes(text))) {
    throw new ValidationError(`The outcome must be one of: ${allowed.join(', ')}.`, [
      { path: 'input.outcome', message: `One of ${allowed.join(', ')}.` },
    ]);
  }
  if (text && text.length > 500)
    throw new ValidationError('The outcome is at most 500 characters.', [{ path: 'input.outcome', message: 'Too long.' }]);
  const assignee = task.assigneeActorId ?? standing.actorId;
  const done = await transition(
    tx,
    caller,
    task,
    'tasks:complete',
    { status: { in: [...ACTIVE] }, ...(mine ? { assigneeActorId: { in: standing.actingAs } } : { assigneeActorId: null }) },
    {
      status: 'DONE',
      assigneeActorId: assignee,
      completedAt: now,
      completedByActorId: standing.actorId,
      outcome: text,
    },
  );
  const where = { occasionId: task.occasionId, eventId: task.eventId };
  if (!mine) {
    await recordBusinessEvent(
      tx,
      caller,
      taskAssigned,
      { ...eventPayload(done), assigneeActorId: assignee, previousAssigneeActorId: null, via: 'CLAIM' },
      where,
    );
  }
  await recordBusinessEvent(tx, caller, taskCompleted, { ...eventPayload(done), completedByActorId: standing.actorId, outcome: text }, where);
  return done;
}

/** A planner gives the task to an actor of the occasion, or back to its candidates (null): the only way to move a held task. */
export async function reassignTask(tx: Tx, caller: Caller, taskId: string, assigneeActorId: string | null): Promise<Task> {
  const task = await tx.task.findUnique({ where: { id: taskId } });
  if (!task) throw notFound('Task');
  refuseClosed(task);
  if (assigneeActorId && !(await tx.actor.findFirst({ where: { id: assigneeActorId, occasionId: task.occasionId }, select: { id: true } }))) {
    throw notFound('Actor');
  }
  if (task.assigneeActorId === assigneeActorId) return task;
  const moved = await transition(
    tx,
    caller,
    task,
    'tasks:manage',
    { status: { in: [...ACTIVE] }, revision: task.revision },
    { assigneeActorId, status: assigneeActorId ? 'CLAIMED' : 'OPEN' },
  );
  await recordBusinessEvent(
    tx,
    caller,
    taskAssigned,
    { ...eventPayload(moved), assigneeActorId, previousAssigneeActorId: task.assigneeActorId, via: 'REASSIGN' },
    { occasionId: task.occasionId, eventId: task.eventId },
  );
  return moved;
}

/** A planner withdraws a task nobody should do any more. */
export async function cancelTask(tx: Tx, caller: Caller, taskId: string): Promise<Task> {
  const task = await tx.task.findUnique({ where: { id: taskId } });
  if (!task) throw notFound('Task');
  refuseClosed(task);
  return transition(tx, caller, task, 'tasks:manage', { status: { in: [...ACTIVE] } }, { status: 'CANCELLED' });
}
