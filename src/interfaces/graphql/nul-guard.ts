import { GraphQLError, Kind, visit, type DocumentNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { preExecutionGuard } from './pre-execution-guard.js';

/**
 * PostgreSQL text cannot hold U+0000: a NUL in any string would fail deep in a
 * write as a database error (a 500). No field of this API has a use for it, so
 * requests carrying one, in a variable or an inline string, are refused up
 * front as bad input, before anything runs. The same goes for a lone UTF-16
 * surrogate (JSON's "\ud800"): it is no character at all, has no UTF-8 form,
 * and failed inside sign-up's password check.
 */
export function rejectNulCharacters(): Plugin {
  const refuse = () =>
    new GraphQLError('Text may not contain the NUL character (U+0000) or an unpaired surrogate.', {
      extensions: { code: 'BAD_USER_INPUT', http: { status: 200 } },
    });
  return preExecutionGuard((args) => (hasNul(args.variableValues) || documentHasNul(args.document) ? refuse() : null));
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const unstorable = (s: string) => s.includes('\u0000') || LONE_SURROGATE.test(s);

/**
 * Every string and key at every depth: a walk that stopped (it once did at 64
 * levels) let a NUL nested deeper reach PostgreSQL. Iterative, so a deeply
 * nested variable cannot exhaust the stack here either.
 */
function hasNul(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (unstorable(v)) return true;
    } else if (Array.isArray(v)) {
      for (const item of v) stack.push(item);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) {
        if (unstorable(k)) return true;
        stack.push(item);
      }
    }
  }
  return false;
}

function documentHasNul(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    [Kind.STRING]: (node) => {
      if (unstorable(node.value)) found = true;
    },
  });
  return found;
}
