import { PothosValidationError } from '@pothos/core';
import { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import { DomainError } from '../../platform/errors.js';

/** A request-level error (before any resolver ran): 400, like yoga's own parse and validation errors. */
function requestError(e: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(e.message, { nodes: e.nodes, extensions: { ...e.extensions, code, http: { status: 400, spec: true } } });
}

/** Errors reach clients with an `extensions.code`; anything unexpected is logged and masked. */
export function maskError(logger: Logger) {
  return (error: unknown, message: string): Error => {
    const gqlError = error instanceof GraphQLError ? error : null;
    const original = gqlError?.originalError ?? error;
    if (gqlError && !gqlError.path) {
      // graphql-js coercing variables: wrong type, missing, bad scalar. Its cause may be a bare scalar error.
      if (/^Variable "\$\w+" /.test(gqlError.message)) return requestError(gqlError, 'BAD_USER_INPUT');
      // Armor's depth/alias/cost/token rejections carry no code of their own (tokens arrive as a parse error).
      if (/limit of \d+ exceeded/i.test(gqlError.message)) return requestError(gqlError, 'QUERY_TOO_COMPLEX');
    }
    if (gqlError?.extensions?.code && !gqlError.originalError) return gqlError;
    if (original instanceof GraphQLError && original.extensions?.code) {
      return new GraphQLError(original.message, { nodes: gqlError?.nodes, path: gqlError?.path, extensions: original.extensions });
    }
    if (original instanceof DomainError) {
      // A typed error a field did not list in its result union: still the caller's, never a 500.
      return new GraphQLError(original.message, { nodes: gqlError?.nodes, path: gqlError?.path, extensions: { code: original.code } });
    }
    if (original instanceof PothosValidationError) {
      return new GraphQLError(original.message, { nodes: gqlError?.nodes, path: gqlError?.path, extensions: { code: 'BAD_USER_INPUT' } });
    }
    if (gqlError && !gqlError.originalError) {
      return new GraphQLError(gqlError.message, { nodes: gqlError.nodes, extensions: { ...gqlError.extensions, code: 'BAD_REQUEST' } });
    }
    logger.error({ err: original, path: gqlError?.path }, 'unexpected error');
    return new GraphQLError(message, { path: gqlError?.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  };
}
