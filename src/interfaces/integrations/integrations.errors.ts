import { DomainError } from '../../platform/errors.js';

/** A lifecycle move the integration state machine does not have (see LIFECYCLE in apps.service.ts). */
export class IllegalTransitionError extends DomainError {
  override readonly code = 'ILLEGAL_TRANSITION';
  constructor(
    readonly from: string,
    readonly to: string,
    message = `An integration cannot go from ${from} to ${to}.`,
  ) {
    super(message);
  }
}
