import { type DocumentNode, getOperationAST, Kind, OperationTypeNode, type SelectionSetNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { AUTH_ATTEMPTS, type AuthAttempt, authThrottle } from '../../domains/identity/auth-throttle.js';
import { apiError } from '../../platform/errors.js';
import type { Context } from '../../kit/context.js';

const GUARDED = new Set<string>(AUTH_ATTEMPTS);

/** Root mutation fields of the operation that will run (through fragments too), that are sign-in style attempts. */
function attemptsIn(document: DocumentNode, operationName: string | null | undefined): AuthAttempt[] {
  const op = getOperationAST(document, operationName);
  if (!op || op.operation !== OperationTypeNode.MUTATION) return [];
  const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
  const found = new Set<AuthAttempt>();
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode) => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        if (GUARDED.has(sel.name.value)) found.add(sel.name.value as AuthAttempt);
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        walk(sel.selectionSet);
      } else if (!seen.has(sel.name.value)) {
        seen.add(sel.name.value);
        const f = fragments.get(sel.name.value);
        if (f) walk(f.selectionSet);
      }
    }
  };
  walk(op.selectionSet);
  return [...found];
}

/**
 * A request with signIn, signUp, refreshSession or acceptCollaboratorInvitation
 * from an address already over its limit for one of them is refused whole,
 * before anything runs: HTTP 429 with Retry-After, RATE_LIMITED. Below the
 * limit each attempt is still counted one by one in its resolver (an alias is
 * an attempt), and the ones past the limit answer RateLimitedError.
 */
export function authRateLimit(): Plugin<Context> {
  return {
    async onExecute({ args }) {
      // Envelop types graphql-js' execution args as any (it is written for any GraphQL engine); yoga runs graphql-js.
      const kinds = attemptsIn(args.document as DocumentNode, args.operationName as string | null | undefined);
      if (!kinds.length) return;
      const ctx = args.contextValue;
      const wait = await authThrottle(ctx).addressRefused(kinds, ctx.clientAddress);
      if (wait === null) return;
      throw apiError('RATE_LIMITED', `Too many sign-in attempts from this address; try again in ${wait} s.`, {
        retryAfter: wait,
        http: { status: 429, headers: { 'Retry-After': String(wait) } },
      });
    },
  };
}
