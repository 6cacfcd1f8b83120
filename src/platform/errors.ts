import { GraphQLError } from 'graphql';

/**
 * Thrown errors (not result-union members): the request cannot go on.
 * `extensions.code` is the contract clients switch on.
 */
export type ErrorCode =
  'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'BAD_USER_INPUT' | 'MODULE_NOT_ENABLED' | 'RATE_LIMITED' | 'INTERNAL_SERVER_ERROR';

export function apiError(code: ErrorCode, message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extra } });
}

export const unauthenticated = (message = 'Sign in first: this needs a valid access token.') => apiError('UNAUTHENTICATED', message);
export const forbidden = (message = 'You do not have permission to do this.') => apiError('FORBIDDEN', message);
/**
 * The one NOT_FOUND message. "Not there" and "not yours" must read the same,
 * byte for byte, whichever layer says it (a target loader, the engine, a
 * service's lookup): naming the kind of row per path ("Event not found." from
 * one, "Resource not found." from another) told a caller which ids exist in
 * other occasions.
 */
export const NOT_FOUND_MESSAGE = 'Not found: it does not exist, or it is not visible to you.';

/** A NOT_FOUND whose `missing` (what was looked for) stays on the server: only code and message reach the caller. */
export class NotFoundError extends GraphQLError {
  constructor(readonly missing: string) {
    super(NOT_FOUND_MESSAGE, { extensions: { code: 'NOT_FOUND' } });
  }
}
export const notFound = (what = 'Resource') => new NotFoundError(what);

// ─── Expected failures: members of mutation result unions (plugin-errors) ───

/** Base of every typed error in a mutation result: `code` + `message`. */
export class DomainError extends Error {
  readonly code: string = 'DOMAIN_ERROR';
}

export interface FieldIssue {
  path: string;
  message: string;
}

export class ValidationError extends DomainError {
  override readonly code = 'VALIDATION_FAILED';
  constructor(
    message: string,
    readonly fields: FieldIssue[] = [],
  ) {
    super(message);
  }
  static fromZod(error: { issues: { path: PropertyKey[]; message: string }[] }, prefix = 'input'): ValidationError {
    const fields = error.issues.map((i) => ({ path: [prefix, ...i.path.map(String)].join('.'), message: i.message }));
    return new ValidationError(fields.map((f) => `${f.path}: ${f.message}`).join('; '), fields);
  }
}

export class ConflictError extends DomainError {
  override readonly code = 'CONFLICT';
}

export class InvalidCredentialsError extends DomainError {
  override readonly code = 'INVALID_CREDENTIALS';
  constructor(message = 'Email or password is incorrect.') {
    super(message);
  }
}

export class InvalidTokenError extends DomainError {
  override readonly code = 'INVALID_TOKEN';
  constructor(message = 'This token is invalid, expired or already used.') {
    super(message);
  }
}

export class ModuleDependencyError extends DomainError {
  override readonly code = 'MODULE_DEPENDENCY';
  constructor(
    message: string,
    readonly moduleKeys: string[],
  ) {
    super(message);
  }
}

/** Too many attempts (per account or per client address) or too much load: come back after `retryAfter` seconds. */
export class RateLimitedError extends DomainError {
  override readonly code = 'RATE_LIMITED';
  constructor(
    readonly retryAfter: number,
    message = `Too many attempts; try again in ${retryAfter} s.`,
  ) {
    super(message);
  }
}
