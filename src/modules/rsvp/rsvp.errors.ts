import { DomainError } from '../../platform/errors.js';

/** The deadline of one or more answered events has passed: only a planner override can change them now. */
export class RsvpClosedError extends DomainError {
  override readonly code = 'RSVP_CLOSED';
  constructor(
    message: string,
    readonly eventIds: string[],
    readonly deadline: Date,
  ) {
    super(message);
  }
}
