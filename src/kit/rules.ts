import type { Target, ScopeLevel } from './authorization.js';
import { unauthenticated } from '../platform/errors.js';
import type { Context } from './context.js';

/**
 * Every type and field of the schema declares exactly one of these rules. Each
 * helper returns both halves of the rule from one source: the scope-auth check
 * that enforces it and the directive that prints it into schema.graphql, so the
 * committed schema is a faithful map of who may read and do what.
 */

type MaybePromise<T> = T | Promise<T>;

export const RULE_DIRECTIVES = ['auth', 'public', 'authenticated', 'self', 'inherited', 'guest'] as const;

/** Anyone, signed in or not (sign-up, sign-in, health of the API). */
export const publicField = { authScopes: { public: true }, directives: { public: {} } } as const;

/** Any signed-in user; what they get is then limited by what they own (me, createOccasion). */
export const authenticatedField = { authScopes: { authenticated: true }, directives: { authenticated: {} } } as const;

/**
 * Only a guest holding a valid invitation link. What it returns is limited to
 * the link's invitation unit and its invited, allowed events (the guest's implicit rights).
 */
export const guestField = { authScopes: { guest: true }, directives: { guest: {} } } as const;

/** Wrapper types (connections, edges, payloads, errors): reachable only through a guarded field, adding no rule of their own. */
export const inheritedType = { authScopes: { public: true }, directives: { inherited: {} } } as const;

/** The signed-in user's own record. */
export function selfType<P>(userId: (parent: P) => string) {
  return {
    authScopes: (parent: P) => ({ self: userId(parent) }),
    directives: { self: {} },
  } as const;
}

/**
 * `action` on the target a field computes from its parent and arguments (may load rows to find the occasion).
 * The target function declares the parent and arguments it reads (`(_p, args: InputIdArgs<'occasionId'>, ctx) => …`);
 * undeclared, they are `unknown`. The returned `authScopes` takes exactly those types, and Pothos checks them
 * against the field's own parent and arguments, so a target that reads an argument the field lacks does not compile.
 * (`NoInfer`: P and A come from the target function only, never from the field options the rule is spread into.)
 */
export function canField<P = unknown, A = unknown>(
  action: string,
  scope: ScopeLevel,
  target: (parent: P, args: A, ctx: Context) => MaybePromise<Target>,
) {
  return {
    authScopes: (parent: NoInfer<P>, args: NoInfer<A>, ctx: Context) => {
      refuseAnonymous(ctx);
      return scopeMap(action, target(parent, args, ctx));
    },
    directives: { auth: { action, scope } },
  } as const;
}

/**
 * Anonymous callers are refused before the target is computed: computing it
 * looks ids up, and "unknown id → NOT_FOUND, real id → UNAUTHENTICATED" would
 * tell anyone without a token which ids exist.
 */
function refuseAnonymous(ctx: Context): void {
  if (ctx.principal.kind === 'anonymous') throw unauthenticated();
}

/** Synchronous when the target is (most are: computed from the parent row), so a list's checks stay cheap. */
function scopeMap(action: string, target: MaybePromise<Target>) {
  return target instanceof Promise ? target.then((t) => ({ can: { action, target: t } })) : { can: { action, target } };
}

/** Arguments that name a target by global id, as a target function reads them: `IdArgs<'id'>` for `args.id.id`. */
export type IdArgs<K extends string> = Record<K, { id: string }>;
/** The same inside a mutation's `input`: `InputIdArgs<'occasionId'>` for `args.input.occasionId.id`. */
export type InputIdArgs<K extends string> = { input: IdArgs<K> };

/** `action` on each object of the type: checked once per object before any of its fields resolve. */
export function canType<P = unknown>(action: string, scope: ScopeLevel, target: (parent: P, ctx: Context) => MaybePromise<Target>) {
  return {
    authScopes: (parent: NoInfer<P>, ctx: Context) => {
      refuseAnonymous(ctx);
      return scopeMap(action, target(parent, ctx));
    },
    directives: { auth: { action, scope } },
  } as const;
}
