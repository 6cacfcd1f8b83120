import { DomainError } from '../../platform/errors.js';

/** Someone else holds the task (a concurrent claim won, or a planner assigned it). */
export class TaskAlreadyClaimedError extends DomainError {
  override readonly code = 'TASK_ALREADY_CLAIMED';
  constructor(message = 'Someone else has already claimed this task.') {
    super(message);
  }
}

/** The task is done or cancelled: nothing more happens to it. */
export class TaskClosedError extends DomainError {
  override readonly code = 'TASK_CLOSED';
  constructor(
    readonly status: string,
    message = `This task is ${status.toLowerCase()}: it can no longer change.`,
  ) {
    super(message);
  }
}

/** Claiming after the task's due date: a planner reassigns it (or moves the date) instead. */
export class TaskDeadlinePassedError extends DomainError {
  override readonly code = 'TASK_DEADLINE_PASSED';
  constructor(
    readonly dueAt: Date,
    message = `This task was due ${dueAt.toISOString()}: it can no longer be claimed; ask a planner to reassign it.`,
  ) {
    super(message);
  }
}

/** The caller is not among the task's candidates (nor its assignee). */
export class NotACandidateError extends DomainError {
  override readonly code = 'NOT_A_CANDIDATE';
  constructor(message = 'You are not one of this task’s candidates.') {
    super(message);
  }
}
