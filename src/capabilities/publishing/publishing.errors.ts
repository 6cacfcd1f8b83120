import { DomainError } from '../../platform/errors.js';

/** The version is not in a state this action takes (publishing one still rendering, or one already published). */
export class ArtifactVersionStateError extends DomainError {
  override readonly code: string;
  constructor(
    message: string,
    readonly status: string,
    code = 'ARTIFACT_VERSION_STATE',
  ) {
    super(message);
    this.code = code;
  }
}

/** A print job cannot move from its status to the reported one (shipped → accepted). */
export class PrintJobTransitionError extends DomainError {
  override readonly code = 'PRINT_JOB_TRANSITION';
  constructor(
    message: string,
    readonly from: string,
    readonly to: string,
  ) {
    super(message);
  }
}
