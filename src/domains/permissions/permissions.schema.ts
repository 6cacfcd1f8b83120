import type { ObjectParam } from '@pothos/core';
import { builder } from '../../kit/builder.js';
import { encodeGlobalID } from '../../kit/ids.js';
import { payload } from '../../kit/payload.js';
import { canField, canType, inheritedType, type IdArgs, type InputIdArgs } from '../../kit/rules.js';
import { inTransaction } from '../../kit/transaction.js';
import { ConflictError, notFound, ValidationError } from '../../platform/errors.js';
import { ActorType } from '../actors/actors.schema.js';
import { EventType } from '../events/events.schema.js';
import { ModuleEnablementType, ModuleInstallationType, RoleInfo } from '../module-platform/module-platform.schema.js';
import { OccasionType } from '../occasions/occasions.schema.js';
import { grantActions, grantIsLive, type GrantRow } from './grant-match.js';
import { explainAccess, type Explanation, grantAccess, resolveScope, revokeAccess, type ScopeInput } from './permissions.service.js';
import { SCOPE_LEVELS } from '../../kit/authorization.js';

/**
 * Who may hold a grant besides an actor. Integrations are principals of
 * interfaces/integrations (above this domain): it adds its type here when its
 * schema file loads; fields read the list only when the schema is built.
 */
type BuilderTypes = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;
export const grantSubjectTypes: ObjectParam<BuilderTypes>[] = [];
/** Types a RESOURCE grant may name besides Actor, pushed by their owners' schema files (publishing: Artifact). */
export const grantResourceTypes: ObjectParam<BuilderTypes>[] = [];

export const ScopeType = builder.enumType('ScopeType', { values: SCOPE_LEVELS });

const occasionOf = (g: { occasionId: string | null }) => ({ occasionId: g.occasionId! });

const GrantScope = builder.objectRef<GrantRow>('GrantScope').implement({
  ...inheritedType,
  description: 'Where a grant applies. Scopes nest: occasion ⊃ event | module installation ⊃ module enablement ⊃ resource.',
  fields: (t) => ({
    type: t.field({ type: ScopeType, ...inheritedType, resolve: (g) => g.scopeType }),
    eventId: t.id({ nullable: true, ...inheritedType, resolve: (g) => (g.scopeEventId ? encodeGlobalID('Event', g.scopeEventId) : null) }),
    installationId: t.id({
      nullable: true,
      ...inheritedType,
      resolve: (g) => (g.scopeInstallationId ? encodeGlobalID('ModuleInstallation', g.scopeInstallationId) : null),
    }),
    enablementId: t.id({
      nullable: true,
      ...inheritedType,
      resolve: (g) => (g.scopeEnablementId ? encodeGlobalID('ModuleEnablement', g.scopeEnablementId) : null),
    }),
    resourceType: t.string({ nullable: true, ...inheritedType, resolve: (g) => g.resourceType }),
    resourceId: t.id({
      nullable: true,
      ...inheritedType,
      resolve: (g) => (g.resourceType && g.resourceId ? encodeGlobalID(g.resourceType, g.resourceId) : null),
    }),
  }),
});

export const GrantType = builder.prismaNode('Grant', {
  id: { field: 'id' },
  ...canType('access:read', 'OCCASION', occasionOf),
  description: 'One entry of the central grants table: a subject holds a role and/or actions at a scope.',
  fields: (t) => ({
    subjectType: t.exposeString('subjectType'),
    subject: t.relation('subjectActor', { nullable: true, description: 'The actor holding the grant (null for integrations).' }),
    subjectIntegrationId: t.id({
      nullable: true,
      description: 'The integration holding the grant (its identity: Occasion.integrationConnections).',
      resolve: (g) => (g.subjectIntegrationId ? encodeGlobalID('IntegrationApp', g.subjectIntegrationId) : null),
    }),
    role: t.exposeString('role', { nullable: true }),
    actions: t.exposeStringList('actions', { description: 'Actions granted explicitly, beside the role.' }),
    effectiveActions: t.stringList({
      description: 'Role actions plus explicit actions.',
      resolve: (g, _a, ctx) => [...grantActions(g as GrantRow, ctx.app.actions)].sort(),
    }),
    scope: t.field({ type: GrantScope, resolve: (g) => g as GrantRow }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true }),
    grantedAt: t.expose('grantedAt', { type: 'DateTime' }),
    grantedBy: t.relation('grantedByActor', { nullable: true }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
    isLive: t.boolean({ resolve: (g) => grantIsLive(g as GrantRow, new Date()) }),
  }),
});

const GrantFilter = builder.inputType('GrantFilter', {
  fields: (t) => ({
    subjectId: t.globalID({ for: ActorType }),
    role: t.string(),
    includeRevoked: t.boolean({ description: 'Revoked grants are hidden unless asked for.' }),
  }),
});

function grantWhere(occasionId: string, f: { subjectId?: { id: string } | null; role?: string | null; includeRevoked?: boolean | null }) {
  return {
    occasionId,
    ...(f.subjectId ? { subjectActorId: f.subjectId.id } : {}),
    ...(f.role ? { role: f.role } : {}),
    ...(f.includeRevoked ? {} : { revokedAt: null }),
  };
}

const AccessTargetInput = builder.inputType('AccessTargetInput', {
  description: 'What an action is asked about. Give the narrowest id you have; the others are derived.',
  fields: (t) => ({
    occasionId: t.globalID({ required: true, for: OccasionType }),
    eventId: t.globalID({ for: EventType }),
    installationId: t.globalID({ for: ModuleInstallationType }),
    enablementId: t.globalID({ for: ModuleEnablementType }),
    actorId: t.globalID({ for: ActorType, description: 'A resource: one actor.' }),
  }),
});

const Explanation = builder.objectRef<Explanation>('AccessExplanation').implement({
  ...inheritedType,
  description: 'The permission engine’s decision and the grant behind it.',
  fields: (t) => ({
    allowed: t.boolean({ ...inheritedType, resolve: (e) => e.decision.allowed }),
    action: t.exposeString('action', inheritedType),
    reason: t.string({
      ...inheritedType,
      description:
        'ALLOWED, NO_ACCESS_TO_OCCASION, NO_MATCHING_GRANT, PRIVATE_EVENT (a private event the subject is not granted at) or UNKNOWN_ACTION.',
      resolve: (e) => (e.decision.allowed ? 'ALLOWED' : e.decision.reason),
    }),
    detail: t.string({
      ...inheritedType,
      resolve: (e) =>
        e.decision.allowed
          ? `Allowed by grant ${e.decision.grant.id} (${e.decision.grant.role ?? 'explicit actions'} at ${e.decision.grant.scopeType}).`
          : e.decision.detail,
    }),
    grant: t.field({
      type: GrantType,
      nullable: true,
      ...inheritedType,
      resolve: (e, _a, ctx) => (e.decision.allowed ? ctx.prisma.grant.findUnique({ where: { id: e.decision.grant.id } }) : null),
    }),
  }),
});

builder.queryFields((t) => ({
  grants: t.prismaConnection({
    type: 'Grant',
    cursor: 'id',
    ...canField('access:read', 'OCCASION', (_p, args: IdArgs<'occasionId'>, ctx) => ctx.targets.occasion(args.occasionId.id)),
    description: 'Who holds what in an occasion.',
    args: { occasionId: t.arg.globalID({ required: true, for: OccasionType }), filter: t.arg({ type: GrantFilter }) },
    resolve: (query, _p, args, ctx) =>
      ctx.prisma.grant.findMany({ ...query, where: grantWhere(args.occasionId.id, args.filter ?? {}), orderBy: { id: 'asc' } }),
    totalCount: (_p, args, ctx) => ctx.prisma.grant.count({ where: grantWhere(args.occasionId.id, args.filter ?? {}) }),
  }),
  explainAccess: t.field({
    type: Explanation,
    ...canField('access:read', 'OCCASION', (_p, args: { target: IdArgs<'occasionId'> }, ctx) => ctx.targets.occasion(args.target.occasionId.id)),
    description: 'Would this actor be allowed `action` on the target, and by which grant (or why not)?',
    args: {
      subjectId: t.arg.globalID({ required: true, for: ActorType }),
      action: t.arg.string({ required: true }),
      target: t.arg({ type: AccessTargetInput, required: true }),
    },
    resolve: async (_r, args, ctx) => {
      const occasionId = args.target.occasionId.id;
      const subject = await ctx.prisma.actor.findFirst({ where: { id: args.subjectId.id, occasionId }, select: { id: true } });
      if (!subject) throw notFound('Actor');
      const tg = args.target;
      const scope: ScopeInput = tg.actorId
        ? { type: 'RESOURCE', resource: { type: 'Actor', id: tg.actorId.id } }
        : tg.enablementId
          ? { type: 'MODULE_ENABLEMENT', enablementId: tg.enablementId.id }
          : tg.installationId
            ? { type: 'MODULE_INSTALLATION', installationId: tg.installationId.id }
            : tg.eventId
              ? { type: 'EVENT', eventId: tg.eventId.id }
              : { type: 'OCCASION' };
      const { target } = await resolveScope(ctx.prisma, occasionId, scope);
      return explainAccess(ctx.prisma, ctx.app.actions, subject.id, args.action, target);
    },
  }),
  roles: t.field({
    type: [RoleInfo],
    ...canField('access:read', 'OCCASION', (_p, args: IdArgs<'occasionId'>, ctx) => ctx.targets.occasion(args.occasionId.id)),
    description: 'Role bundles that can be granted in this occasion, with their actions.',
    args: { occasionId: t.arg.globalID({ required: true, for: OccasionType }) },
    resolve: (_r, _a, ctx) => [...ctx.app.actions.roles].map(([name, r]) => ({ name, description: r.description, actions: [...r.actions].sort() })),
  }),
}));

builder.prismaObjectField(OccasionType, 'grants', (t) =>
  t.relatedConnection('grants', {
    cursor: 'id',
    totalCount: true,
    ...canField('access:read', 'OCCASION', (o: { id: string }) => ({ occasionId: o.id })),
    query: { where: { revokedAt: null }, orderBy: { id: 'asc' } },
    description: 'Live grants of the occasion.',
  }),
);

const ScopeInputType = builder.inputType('GrantScopeInput', {
  fields: (t) => ({
    type: t.field({ type: ScopeType, required: true }),
    eventId: t.globalID({ for: EventType }),
    installationId: t.globalID({ for: ModuleInstallationType }),
    enablementId: t.globalID({ for: ModuleEnablementType }),
    resourceId: t.globalID({
      for: [ActorType, ...grantResourceTypes],
      description: 'For RESOURCE scope: an actor, or a resource type another part adds (an Artifact).',
    }),
  }),
});
const GrantAccessInput = builder.inputType('GrantAccessInput', {
  fields: (t) => ({
    occasionId: t.globalID({ required: true, for: OccasionType }),
    subjectId: t.globalID({
      required: true,
      for: [ActorType, ...grantSubjectTypes],
      description: 'The actor receiving the grant, or an integration connected to the occasion.',
    }),
    role: t.string({ description: 'A role bundle: owner, planner, co_planner, helper, vendor, viewer or a module role. Not for integrations.' }),
    actions: t.stringList({ description: 'Explicit area:verb actions, beside or instead of a role (integrations: actions only).' }),
    allowWrite: t.boolean({ description: 'Integrations get read-only actions unless this is true.' }),
    scope: t.field({ type: ScopeInputType, required: true }),
    expiresAt: t.field({ type: 'DateTime' }),
  }),
});
const RevokeAccessInput = builder.inputType('RevokeAccessInput', { fields: (t) => ({ grantId: t.globalID({ required: true, for: GrantType }) }) });

const GrantPayload = payload('GrantPayload', 'grant', GrantType);

builder.mutationFields((t) => ({
  grantAccess: t.field({
    type: GrantPayload,
    ...canField('access:manage', 'OCCASION', (_p, args: InputIdArgs<'occasionId'>, ctx) => ctx.targets.occasion(args.input.occasionId.id)),
    description: 'Give an actor a role or actions at a scope. You can only hand out access you hold yourself.',
    args: { input: t.arg({ type: GrantAccessInput, required: true }) },
    errors: { types: [ValidationError] },
    resolve: async (_r, { input }, ctx) => {
      if (input.scope.type === 'PLATFORM')
        throw new ValidationError('Platform grants are not made from inside an occasion.', [{ path: 'input.scope.type', message: 'Not allowed.' }]);
      const scope: ScopeInput = {
        type: input.scope.type,
        eventId: input.scope.eventId?.id,
        installationId: input.scope.installationId?.id,
        enablementId: input.scope.enablementId?.id,
        resource: input.scope.resourceId ? { type: input.scope.resourceId.typename, id: input.scope.resourceId.id } : null,
      };
      return {
        grant: await inTransaction(ctx, (tx) =>
          grantAccess(tx, ctx.caller, ctx.authz, ctx.app.actions, input.occasionId.id, {
            ...(input.subjectId.typename === 'IntegrationApp'
              ? { subjectIntegrationId: input.subjectId.id }
              : { subjectActorId: input.subjectId.id }),
            allowWrite: input.allowWrite ?? false,
            scope,
            role: input.role ?? undefined,
            actions: input.actions ?? undefined,
            expiresAt: input.expiresAt ?? undefined,
          }),
        ),
      };
    },
  }),
  revokeAccess: t.field({
    type: GrantPayload,
    ...canField('access:manage', 'OCCASION', (_p, args: InputIdArgs<'grantId'>, ctx) => ctx.targets.grant(args.input.grantId.id)),
    args: { input: t.arg({ type: RevokeAccessInput, required: true }) },
    errors: { types: [ConflictError] },
    resolve: async (_r, { input }, ctx) => ({
      grant: await inTransaction(ctx, (tx) => revokeAccess(tx, ctx.caller, ctx.authz, ctx.app.actions, input.grantId.id)),
    }),
  }),
}));
