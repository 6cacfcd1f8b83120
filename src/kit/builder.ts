import SchemaBuilder from '@pothos/core';
import DirectivesPlugin from '@pothos/plugin-directives';
import ErrorsPlugin from '@pothos/plugin-errors';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import type PrismaTypes from '../generated/pothos-prisma-types.js';
import { getDatamodel } from '../generated/pothos-prisma-types.js';
import { MAX_PAGE_SIZE } from './pagination.js';
import { type Target, targetKey } from './authorization.js';
import { forbidden, unauthenticated } from '../platform/errors.js';
import { decodeGlobalID, encodeGlobalID } from './ids.js';
import type { Context } from './context.js';

const ucfirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

const isCanScope = (v: unknown): v is { action: string; target: Target } =>
  typeof v === 'object' && v !== null && typeof (v as { action?: unknown }).action === 'string' && 'target' in v;

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  DefaultFieldNullability: false;
  /** List filters that depend on the caller's grants are planned asynchronously (Authorizer.eventsWhere). */
  AsyncSelections: true;
  AuthScopes: {
    public: boolean;
    authenticated: boolean;
    /** A guest with a valid invitation link or print code. */
    guest: boolean;
    /** A guest with a valid invitation link (a print code opens RSVP only). */
    guestPortal: boolean;
    /** A signed-in user acting for themselves (not an integration, not a guest): see rules.ts counterpartField. */
    counterpart: boolean;
    /** The parent is the signed-in user's own record. */
    self: string;
    /** The one permission engine: action on target. */
    can: { action: string; target: Target };
  };
  Directives: {
    auth: {
      locations: 'OBJECT' | 'FIELD_DEFINITION';
      args: { action: string; scope: string; alsoChecks?: readonly string[]; alsoReadableBy?: string };
    };
    public: { locations: 'OBJECT' | 'FIELD_DEFINITION'; args: Record<string, never> };
    authenticated: { locations: 'OBJECT' | 'FIELD_DEFINITION'; args: Record<string, never> };
    self: { locations: 'OBJECT' | 'FIELD_DEFINITION'; args: Record<string, never> };
    inherited: { locations: 'OBJECT' | 'FIELD_DEFINITION'; args: Record<string, never> };
    guest: { locations: 'OBJECT' | 'FIELD_DEFINITION'; args: Record<string, never> };
    guestPortal: { locations: 'OBJECT' | 'FIELD_DEFINITION'; args: Record<string, never> };
    counterpart: { locations: 'OBJECT' | 'FIELD_DEFINITION'; args: Record<string, never> };
  };
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    JSON: { Input: unknown; Output: unknown };
    /** A file sent with the request (GraphQL multipart request spec); input only. */
    File: { Input: unknown; Output: never };
  };
  Connection: { totalCount: number | (() => number | Promise<number>) };
}>({
  // Relay first so authScopes functions receive decoded global ids.
  plugins: [RelayPlugin, ScopeAuthPlugin, ErrorsPlugin, PrismaPlugin, DirectivesPlugin],
  defaultFieldNullability: false,
  directives: { useGraphQLToolsUnorderedDirectives: true },
  scopeAuth: {
    // Deny-by-default lives in the schema test: every field must carry a rule.
    runScopesOnType: true,
    authorizeOnSubscribe: true,
    // Decisions are memoised per request by (action, target); the key is built by hand because it is
    // computed for every object of a response (JSON.stringify here was a visible share of a list's CPU).
    cacheKey: (value) => (isCanScope(value) ? `${value.action}|${targetKey(value.target)}` : JSON.stringify(value)),
    authScopes: (ctx) => ({
      public: true,
      // Guests are not "signed in": they reach only @guest fields.
      authenticated: ctx.principal.kind !== 'anonymous' && ctx.principal.kind !== 'guest',
      guest: ctx.principal.kind === 'guest',
      guestPortal: ctx.principal.kind === 'guest' && ctx.principal.credential === 'portal',
      counterpart: ctx.principal.kind === 'user',
      self: (userId) => (ctx.principal.kind === 'user' && ctx.principal.userId === userId) || ctx.sessionUserIds.has(userId),
      // Throws NOT_FOUND (no access to the occasion) or FORBIDDEN with the missing action.
      can: ({ action, target }) => ctx.authz.check(action, target),
    }),
    unauthorizedError: (_parent, ctx) => (ctx.principal.kind === 'anonymous' ? unauthenticated() : forbidden()),
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodeQueryOptions: false,
    nodesQueryOptions: false,
    // Malformed ids are the caller's mistake: a typed BAD_USER_INPUT, never a 500.
    decodeGlobalID,
    encodeGlobalID,
    pageInfoTypeOptions: { authScopes: { public: true }, directives: { inherited: {} } },
    defaultConnectionTypeOptions: { authScopes: { public: true }, directives: { inherited: {} } },
    defaultEdgeTypeOptions: { authScopes: { public: true }, directives: { inherited: {} } },
  },
  errors: {
    directResult: true,
    defaultUnionOptions: { name: ({ fieldName }) => `${ucfirst(fieldName)}Result` },
  },
  prisma: {
    client: (ctx) => ctx.prisma,
    dmmf: getDatamodel(),
    filterConnectionTotalCount: true,
    defaultConnectionSize: 20,
    // Larger pages are refused with BAD_USER_INPUT before execution (connection-args.ts), not cut short here.
    maxConnectionSize: MAX_PAGE_SIZE,
    onUnusedQuery: process.env.NODE_ENV === 'production' ? null : 'warn',
  },
});
