import { z } from 'zod';
import { defineBusinessEvent } from '../../platform/outbox.js';

const task = z.object({
  occasionId: z.uuid(),
  eventId: z.uuid().nullable(),
  taskId: z.uuid(),
  kind: z.string(),
  resourceType: z.string(),
  resourceId: z.uuid(),
});

export const taskAssigned = defineBusinessEvent({
  type: 'task.assigned',
  description:
    'A task got an assignee: a candidate claimed it (via CLAIM) or a planner reassigned it (via REASSIGN; assigneeActorId null puts it back up for claiming).',
  payload: task.extend({
    assigneeActorId: z.uuid().nullable(),
    previousAssigneeActorId: z.uuid().nullable(),
    via: z.enum(['CLAIM', 'REASSIGN']),
  }),
  requiredAction: 'tasks:manage',
});
export const taskCompleted = defineBusinessEvent({
  type: 'task.completed',
  description: 'A task was marked done by its assignee, with the outcome it reported (a follow-up call: REACHED, NO_ANSWER…).',
  payload: task.extend({ completedByActorId: z.uuid(), outcome: z.string().nullable() }),
  requiredAction: 'tasks:manage',
});

export const taskOverdue = defineBusinessEvent({
  type: 'task.overdue',
  description:
    'An open or held task passed its due date without being done: the deadline scan escalated it, once per due date, to its owner (OWNER) or, with none, to the planners who manage tasks (PLANNERS).',
  payload: task.extend({
    dueAt: z.string(),
    assigneeActorId: z.uuid().nullable(),
    escalatedTo: z.enum(['OWNER', 'PLANNERS']),
  }),
  requiredAction: 'tasks:manage',
});

export const COLLABORATION_BUSINESS_EVENTS = [taskAssigned, taskCompleted, taskOverdue];
