import { type DocumentNode, visit, BREAK } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import type { Config } from '../../platform/config.js';
import type { Principal } from '../../platform/principal.js';
import type { Context } from '../../kit/context.js';

/*
 * Who may read the schema through introspection (INTROSPECTION). In
 * production only signed-in users may (GraphiQL and codegen run with a
 * planner's token); anonymous callers, guests (their app is built from the
 * repository's documents) and integrations (persisted documents only) are
 * refused, so a stranger cannot map every type and argument. `__typename`
 * is not introspection of the schema and is always allowed.
 *
 * Checked at execution, not validation: the caller is known only once the
 * context is built, which yoga does after validating.
 */

export function mayIntrospect(mode: Config['INTROSPECTION'], principal: Principal): boolean {
  if (mode === 'public') return true;
  if (mode === 'users') return principal.kind === 'user';
  return false;
}

export function introspects(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type') {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}

export function introspectionPolicy(mode: Config['INTROSPECTION']): Plugin<Context> {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const ctx = args.contextValue as Context;
      // Envelop types graphql-js' execution args as any (it is written for any GraphQL engine); yoga runs graphql-js.
      if (mayIntrospect(mode, ctx.principal) || !introspects(args.document as DocumentNode)) return;
      setResultAndStopExecution({
        errors: [
          createGraphQLError(mode === 'off' ? 'Introspection is disabled on this server.' : 'Introspection is available to signed-in users only.', {
            extensions: { code: 'INTROSPECTION_DISABLED', http: { status: 403 } },
          }),
        ],
      });
    },
  };
}
