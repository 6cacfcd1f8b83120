import type { Target, ScopeLevel } from './authorization.js';
import { notFound, unauthenticated } from '../platform/errors.js';
import type { Context } from './context.js';

/**
 * Every type and field of the schema declares exactly one of these rules. Each
 * helper returns both halves of the rule from one source: the scope-auth check
 * that enforces it and the directive that prints it into schema.graphql, so the
 * committed schema is a faithful map of who may read and do what.
 */

type MaybePromise<T> = T | Promise<T>;

export const RULE_DIRECTIVES = ['auth', 'public', 'authenticated', 'self', 'inherited', 'guest', 'guestPortal', 'counterpart'] as const;

/** Anyone, signed in or not (sign-up, sign-in, health of the API). */
export const publicField = { authScopes: { public: true }, directives: { public: {} } } as const;

/** Any signed-in user; what they get is then limited by what they own (me, createOccasion). */
export const authenticatedField = { authScopes: { authenticated: true }, directives: { authenticated: {} } } as const;

/**
 * Only a guest holding a valid invitation link. What it returns is limited to
 * the link's invitation unit and its invited, allowed events (the guest's implicit rights).
 */
export const guestField = { authScopes: { guest: true }, directives: { guest: {} } } as const;

/**
 * Only a guest holding its invitation link (portal access), not a print code:
 * a printed invitation's QR code opens the unit's RSVP (guestField) and
 * nothing else — not its conversations, not its communication preferences.
 */
export const guestPortalField = { authScopes: { guestPortal: true }, directives: { guestPortal: {} } } as const;

/**
 * Only a signed-in user, for what its own actor in the occasion is the
 * counterpart of (a conversation with the planners: its own, or its vendor's
 * when it is a member of one), while it takes part in the occasion (a live
 * grant). No grant of an action is needed: like a guest's, the right is
 * implicit and narrow, and the resolver answers NOT_FOUND for anything else.
 * Integrations and guests are refused.
 */
export const counterpartField = { authScopes: { counterpart: true }, directives: { counterpart: {} } } as const;

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
 * `options.alsoChecks` declares the actions the resolver checks in its body (see FieldRuleOptions).
 */
export function canField<P = unknown, A = unknown, const C extends string = never>(
  action: string,
  scope: ScopeLevel,
  target: (parent: P, args: A, ctx: Context) => MaybePromise<Target>,
  options?: FieldRuleOptions<C>,
) {
  return {
    authScopes: (parent: NoInfer<P>, args: NoInfer<A>, ctx: Context) => {
      refuseAnonymous(ctx);
      return scopeMap(action, target(parent, args, ctx));
    },
    directives: { auth: authArgs(action, scope, options) },
  } as const;
}

/** What a field's rule may say besides its action and scope. */
export interface FieldRuleOptions<A extends string> {
  /**
   * Actions the resolver checks in its body besides the rule's own: a second
   * action it needs, the rule's action on further targets, or one that only
   * narrows what it returns (the field's description says which). Printed into
   * the field's @auth directive, so schema.graphql shows every action a field
   * can be refused or narrowed by; the body checks them through
   * declaredChecks(rule, ctx), which accepts no other action.
   */
  alsoChecks: readonly [A, ...A[]];
}

/** The arguments of the @auth directive (src/interfaces/graphql/schema.ts defines it). */
export interface AuthDirectiveArgs<A extends string = string> {
  action: string;
  scope: ScopeLevel;
  alsoChecks?: readonly A[];
  alsoReadableBy?: string;
}

function authArgs<A extends string>(action: string, scope: ScopeLevel, options: FieldRuleOptions<A> | undefined): AuthDirectiveArgs<A> {
  // No empty list: a field without in-body checks prints exactly as before.
  return options ? { action, scope, alsoChecks: options.alsoChecks } : { action, scope };
}

/**
 * The checks a resolver makes in its body, limited to the actions its rule
 * declares (`alsoChecks`), so the printed schema cannot drift from what the
 * body checks: an undeclared action does not compile, and if forced through
 * a cast it fails loudly instead of being checked unseen.
 *
 *   const rule = canField('rsvp:manage', 'MODULE_INSTALLATION', target, { alsoChecks: ['guest:invite'] });
 *   … { ...rule, resolve: (_r, args, ctx) => declaredChecks(rule, ctx).assert('guest:invite', { occasionId }) }
 */
export function declaredChecks<A extends string>(rule: { directives: { auth: AuthDirectiveArgs<A> } }, ctx: Context) {
  const declared = new Set<string>(rule.directives.auth.alsoChecks ?? []);
  const ensureDeclared = (action: string) => {
    if (!declared.has(action))
      throw new Error(`${action} is checked in a resolver whose rule (${rule.directives.auth.action}) does not declare it in alsoChecks.`);
  };
  return {
    /** Throws the engine's refusal: NOT_FOUND (naming `what`) without access to the occasion, FORBIDDEN otherwise. */
    async assert(action: A, target: Target, what?: string): Promise<void> {
      ensureDeclared(action);
      await ctx.authz.assert(action, target, what);
    },
    /** Whether the caller may: for checks that narrow what a field returns rather than refuse it. */
    async can(action: A, target: Target): Promise<boolean> {
      ensureDeclared(action);
      return ctx.authz.can(action, target);
    },
    /** The occasions where the caller may, for a list's filter planned with its parent's query (see Authorizer.eventsWhere). */
    async plannedOccasionsAllowing(action: A): Promise<string[]> {
      ensureDeclared(action);
      return ctx.authz.plannedOccasionsAllowing(action);
    },
  };
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

/**
 * A field that reads one object by id and is guarded by that object's own type
 * rule (`canType`, checked on the loaded row before any of its fields resolve):
 * one statement reads the row, which also names its occasion, where a field rule
 * would first look the id up to find the target. The caller learns nothing more
 * from it: a row they may not read is NOT_FOUND, like an id that does not exist
 * (the resolver throws notFound for those). Printed with the type's rule.
 */
export function guardedByType(typeRule: { directives: { auth: { action: string; scope: ScopeLevel; alsoReadableBy?: string } } }) {
  const { action, scope, alsoReadableBy } = typeRule.directives.auth;
  return {
    authScopes: (_parent: unknown, _args: unknown, ctx: Context) => {
      refuseAnonymous(ctx);
      return { public: true };
    },
    directives: { auth: alsoReadableBy ? { action, scope, alsoReadableBy } : { action, scope } },
  } as const;
}

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

/**
 * `action` on each object of the type, or else its owner's visibility rule: `orVisible` decides who besides
 * holders of the action may read it (an asset attached to something the caller may read). Refused either way is
 * NOT_FOUND naming `what`, never FORBIDDEN: "not yours" reads like "not there" even inside one's own occasion.
 * Printed as `@auth(action, scope, alsoReadableBy: …)`, so schema.graphql says that there is more than the action.
 * Guests hold no grants: for them only `orVisible` is asked.
 */
export function canTypeOrVisible<P>(
  action: string,
  scope: ScopeLevel,
  target: (parent: P, ctx: Context) => MaybePromise<Target>,
  orVisible: (parent: P, ctx: Context) => Promise<boolean>,
  options: { what: string; alsoReadableBy: string },
) {
  return {
    authScopes: async (parent: NoInfer<P>, ctx: Context) => {
      refuseAnonymous(ctx);
      if (ctx.principal.kind !== 'guest' && (await ctx.authz.can(action, await target(parent, ctx)))) return { public: true };
      if (await orVisible(parent, ctx)) return { public: true };
      throw notFound(options.what);
    },
    directives: { auth: { action, scope, alsoReadableBy: options.alsoReadableBy } },
  } as const;
}
