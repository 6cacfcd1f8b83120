import { DomainError } from '../../../platform/errors.js';
import type { TemplatePart } from './kinds.js';

export type TemplateProblemCode =
  | 'SYNTAX'
  | 'UNKNOWN_VARIABLE'
  | 'UNKNOWN_FILTER'
  | 'TOO_LARGE'
  | 'MISSING_PART'
  | 'NOT_ALLOWED'
  /** Rendering ran out of time or memory (a loop too long for a message). */
  | 'LIMIT_EXCEEDED'
  /** Any other failure while rendering, e.g. `divided_by: 0`. */
  | 'RENDER_FAILED';

/** Where and what, for the planner's editor. line and column are 1-based. */
export interface TemplateProblem {
  part: TemplatePart;
  line: number;
  column: number;
  message: string;
  code: TemplateProblemCode;
}

export class TemplateError extends DomainError {
  override readonly code = 'TEMPLATE_INVALID';
  constructor(readonly problems: TemplateProblem[]) {
    const first = problems[0];
    const where = first ? ` ${first.part} ${first.line}:${first.column}: ${first.message}` : '';
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    super(`The template cannot be used.${where}${more}`);
  }
}
