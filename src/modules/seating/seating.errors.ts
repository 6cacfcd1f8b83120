import { DomainError } from '../../platform/errors.js';

/** The table would hold more people than it seats: nothing was changed. */
export class TableFullError extends DomainError {
  override readonly code = 'TABLE_FULL';
  constructor(
    message: string,
    readonly tableId: string,
    readonly capacity: number,
    readonly requested: number,
  ) {
    super(message);
  }
}

/** Only people attending the plan's event (RSVP ATTENDING, named plus-ones included) can be seated. */
export class GuestNotAttendingError extends DomainError {
  override readonly code = 'GUEST_NOT_ATTENDING';
  constructor(
    message: string,
    readonly guestIds: string[],
  ) {
    super(message);
  }
}

/** The seat asked for is taken, or the table has no such seat. */
export class SeatUnavailableError extends DomainError {
  override readonly code = 'SEAT_UNAVAILABLE';
  constructor(
    message: string,
    readonly tableId: string,
    readonly seatNumber: number,
  ) {
    super(message);
  }
}

export interface ConstraintConflict {
  kind: 'CYCLE' | 'TOO_LARGE';
  constraintIds: string[];
  people: string[];
  message: string;
}

/** The new constraint contradicts the plan's others (apart from someone one must sit with, or a together-group larger than any table). */
export class SeatingConstraintConflictError extends DomainError {
  override readonly code = 'SEATING_CONSTRAINT_CONFLICT';
  constructor(
    message: string,
    readonly conflicts: ConstraintConflict[],
  ) {
    super(message);
  }
}

/** A plan with no tables, or nobody seated, has nothing to publish. */
export class EmptySeatingPlanError extends DomainError {
  override readonly code = 'EMPTY_SEATING_PLAN';
}
