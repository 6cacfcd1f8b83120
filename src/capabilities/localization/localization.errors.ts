import { DomainError } from '../../platform/errors.js';

/** A translation that is not valid ICU MessageFormat: nothing is stored, and the planner is told where it broke. */
export class TranslationSyntaxError extends DomainError {
  override readonly code = 'TRANSLATION_SYNTAX';
  constructor(
    message: string,
    /** 0-based offset into the value where the parser stopped. */
    readonly position: number,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}
