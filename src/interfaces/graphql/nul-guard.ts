import { GraphQLError, Kind, visit, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * PostgreSQL text cannot hold U+0000: a NUL in any string would fail deep in a
 * write as a database error (a 500). No field of this API has a use for it, so
 * requests carrying one, in a variable or an inline string, are refused up
 * front as bad input, before anything runs.
 */
export function rejectNulCharacters(): Plugin {
  const refuse = () =>
    new GraphQLError('Text may not contain the NUL character (U+0000).', { extensions: { code: 'BAD_USER_INPUT', http: { status: 200 } } });
  const check = (args: { document: DocumentNode; variableValues?: unknown }) => hasNul(args.variableValues) || documentHasNul(args.document);
  return {
    onExecute({ args, setResultAndStopExecution }) {
      if (check(args)) setResultAndStopExecution({ errors: [refuse()] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      if (check(args)) setResultAndStopExecution({ errors: [refuse()] });
    },
  };
}

function hasNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 64 || value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some((v) => hasNul(v, depth + 1));
  return Object.entries(value).some(([k, v]) => k.includes('\u0000') || hasNul(v, depth + 1));
}

function documentHasNul(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    [Kind.STRING]: (node) => {
      if (node.value.includes('\u0000')) found = true;
    },
  });
  return found;
}
