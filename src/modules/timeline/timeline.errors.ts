import { DomainError } from '../../platform/errors.js';

/** Items would share a room at the same time and the planner asked for that to be refused (eventConfig or input flag). */
export class TimelineOverlapError extends DomainError {
  override readonly code = 'TIMELINE_OVERLAP';
  constructor(
    message: string,
    /** The items (already saved) the change would overlap with. */
    readonly itemIds: string[],
  ) {
    super(message);
  }
}

/** The dependencies asked for would make an item wait, through others, for itself. */
export class DependencyCycleError extends DomainError {
  override readonly code = 'DEPENDENCY_CYCLE';
  constructor(
    message: string,
    /** The items of the cycle, in dependency order. */
    readonly itemIds: string[],
  ) {
    super(message);
  }
}
