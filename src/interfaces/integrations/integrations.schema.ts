import { grantSubjectTypes } from '../../domains/permissions/permissions.schema.js';
import { EventType } from '../../domains/events/events.schema.js';
import { OccasionType } from '../../domains/occasions/occasions.schema.js';
import { PLATFORM_TARGET } from '../../kit/authorization.js';
import { resolveAppKey } from '../../platform/app-key.js';
import { ConflictError, ValidationError } from '../../platform/errors.js';
import { builder } from '../../kit/builder.js';
import { ErrorInterface } from '../../kit/common.schema.js';
import { encodeGlobalID } from '../../kit/ids.js';
import { payload } from '../../kit/payload.js';
import { canField, canType, inheritedType, type InputIdArgs } from '../../kit/rules.js';
import { inTransaction } from '../../kit/transaction.js';
import {
  configureIntegration,
  createIntegration,
  INTEGRATION_ENVIRONMENTS,
  INTEGRATION_FLAGS,
  INTEGRATION_ROLES,
  INTEGRATION_STATUSES,
  OPERATOR_TARGETS,
  transitionIntegration,
} from './apps.service.js';
import { connectIntegration, disconnectIntegration } from './connections.service.js';
import { credentialIsLive, issueCredential, revokeCredential } from './credentials.service.js';
import { IllegalTransitionError } from './integrations.errors.js';
import { setSecret } from './secrets.service.js';

/*
 * Who sees what:
 * - Integration records (IntegrationApp, its credentials, secrets and platform
 *   connection) are platform-level: `integration:read` / `integration:manage`
 *   at PLATFORM scope, held only by platform operators (PLATFORM_OPERATORS)
 *   and explicit system principals (CLI). Anyone else is FORBIDDEN: there is no
 *   tenant to hide.
 * - A connection to an occasion is occasion data: `access:read` at OCCASION
 *   (whoever may see the occasion's grants sees which integrations are
 *   connected), `integration:connect` at OCCASION to connect or disconnect.
 *   Through a connection, planners see the integration's public identity
 *   (ConnectedIntegration: name, role, flags, environment, status), never its
 *   configuration, credentials or secrets.
 */

const platform = () => PLATFORM_TARGET;
const read = canType('integration:read', 'PLATFORM', platform);
const manage = (resolveTarget = platform) => canField('integration:manage', 'PLATFORM', resolveTarget);

export const IntegrationRole = builder.enumType('IntegrationRole', { values: INTEGRATION_ROLES });
export const IntegrationFlag = builder.enumType('IntegrationFlag', { values: INTEGRATION_FLAGS });
export const IntegrationEnvironment = builder.enumType('IntegrationEnvironment', { values: INTEGRATION_ENVIRONMENTS });
export const IntegrationStatus = builder.enumType('IntegrationStatus', {
  values: INTEGRATION_STATUSES,
  description: 'defined → configured → enabled → active → disabled → revoked | archived (disabled → enabled re-enables).',
});
const IntegrationTransition = builder.enumType('IntegrationTransition', {
  values: OPERATOR_TARGETS,
  description: 'Statuses an operator moves an integration to. ACTIVE follows by itself on the first successful token use.',
});
const CredentialStatus = builder.enumType('IntegrationCredentialStatus', { values: ['ACTIVE', 'EXPIRED', 'REVOKED'] as const });

builder.objectType(IllegalTransitionError, {
  name: 'IllegalTransitionError',
  interfaces: [ErrorInterface],
  ...inheritedType,
  fields: (t) => ({
    from: t.exposeString('from', { ...inheritedType, description: 'The status the integration is in.' }),
    to: t.exposeString('to', { ...inheritedType, description: 'The status asked for.' }),
  }),
});

export const IntegrationCredentialType = builder.prismaNode('IntegrationCredential', {
  id: { field: 'id' },
  ...read,
  description: 'A machine credential: public key id; the secret was shown once, only its hash is kept (and never shown).',
  fields: (t) => ({
    keyId: t.exposeString('keyId', { description: 'Public: the client_id of the client-credentials flow.' }),
    secretHint: t.exposeString('secretHint', { description: 'The first characters of the secret, to tell credentials apart.' }),
    status: t.field({
      type: CredentialStatus,
      resolve: (c) => (c.revokedAt ? 'REVOKED' : credentialIsLive(c) ? 'ACTIVE' : 'EXPIRED'),
    }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

export const IntegrationSecretType = builder.prismaNode('IntegrationSecret', {
  id: { field: 'id' },
  ...read,
  description: 'A webhook/adapter secret, encrypted at rest. Its value is never returned, not even encrypted.',
  fields: (t) => ({
    name: t.exposeString('name'),
    connectionId: t.id({
      nullable: true,
      resolve: (s) => (s.connectionId ? encodeGlobalID('IntegrationConnection', s.connectionId) : null),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
  }),
});

/** The platform-scope connection of a PLATFORM integration, read through its (operator-only) integration. */
const PlatformConnection = builder
  .objectRef<{ id: string; config: unknown; disabledAt: Date | null; createdAt: Date }>('PlatformIntegrationConnection')
  .implement({
    ...inheritedType,
    fields: (t) => ({
      id: t.id({ ...inheritedType, resolve: (c) => encodeGlobalID('IntegrationConnection', c.id) }),
      config: t.field({ type: 'JSON', ...inheritedType, resolve: (c) => c.config }),
      disabledAt: t.field({ type: 'DateTime', nullable: true, ...inheritedType, resolve: (c) => c.disabledAt }),
      createdAt: t.field({ type: 'DateTime', ...inheritedType, resolve: (c) => c.createdAt }),
    }),
  });

export const IntegrationAppType = builder.prismaNode('IntegrationApp', {
  id: { field: 'id' },
  ...read,
  description: 'An external system acting as an integration principal (never a user, never an actor). Operators only.',
  fields: (t) => ({
    displayName: t.exposeString('displayName'),
    businessRole: t.expose('businessRole', { type: IntegrationRole }),
    flags: t.expose('flags', { type: [IntegrationFlag] }),
    partnerRef: t.exposeString('partnerRef', { nullable: true }),
    environment: t.expose('environment', { type: IntegrationEnvironment }),
    status: t.expose('status', { type: IntegrationStatus }),
    statusChangedAt: t.expose('statusChangedAt', { type: 'DateTime' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true }),
    config: t.expose('config', { type: 'JSON', description: 'Definition-level configuration (never secrets).' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    credentials: t.relation('credentials', { query: { orderBy: { id: 'desc' } }, description: 'Newest first; several may be active (rotation).' }),
    secrets: t.relation('secrets', { query: { orderBy: { id: 'desc' } }, description: 'Names and dates only.' }),
    platformConnection: t.field({
      type: PlatformConnection,
      nullable: true,
      resolve: (a, _args, ctx) => ctx.prisma.integrationConnection.findFirst({ where: { integrationId: a.id, occasionId: null } }),
    }),
    connectedOccasionCount: t.int({
      description: 'Occasions it is connected to now (which ones is occasion data, not shown here).',
      resolve: (a, _args, ctx) =>
        ctx.prisma.integrationConnection.count({ where: { integrationId: a.id, occasionId: { not: null }, disabledAt: null } }),
    }),
  }),
});
// An integration connected to an occasion may be granted actions there (grantAccess's subjectId).
grantSubjectTypes.push(IntegrationAppType as never);

/** What an occasion's planners may know of an integration connected to it. */
const ConnectedIntegration = builder
  .objectRef<{ id: string; displayName: string; businessRole: string; flags: string[]; environment: string; status: string }>('ConnectedIntegration')
  .implement({
    ...inheritedType,
    description: 'An integration’s public identity, as seen by the occasion it is connected to.',
    fields: (t) => ({
      id: t.id({
        ...inheritedType,
        description: 'The integration’s id (grant it access with grantAccess).',
        resolve: (a) => encodeGlobalID('IntegrationApp', a.id),
      }),
      displayName: t.exposeString('displayName', inheritedType),
      businessRole: t.field({ type: IntegrationRole, ...inheritedType, resolve: (a) => a.businessRole as never }),
      flags: t.field({ type: [IntegrationFlag], ...inheritedType, resolve: (a) => a.flags as never }),
      environment: t.field({ type: IntegrationEnvironment, ...inheritedType, resolve: (a) => a.environment as never }),
      status: t.field({ type: IntegrationStatus, ...inheritedType, resolve: (a) => a.status as never }),
    }),
  });

export const IntegrationConnectionType = builder.prismaNode('IntegrationConnection', {
  id: { field: 'id' },
  ...canType('access:read', 'OCCASION', (c: { occasionId: string | null }) => (c.occasionId ? { occasionId: c.occasionId } : PLATFORM_TARGET)),
  description: 'A partner integration connected to one occasion, with the events it is limited to.',
  fields: (t) => ({
    integration: t.field({
      type: ConnectedIntegration,
      select: { integration: { select: { id: true, displayName: true, businessRole: true, flags: true, environment: true, status: true } } },
      resolve: (c) => c.integration,
    }),
    config: t.expose('config', { type: 'JSON', description: '{ connection: { externalAccountId } }: a label for people; nothing reads it.' }),
    eventIds: t.idList({
      description: 'The events this connection is limited to: every grant the integration holds in the occasion covers only these (empty: no limit).',
      resolve: (c) => c.eventIds.map((id) => encodeGlobalID('Event', id)),
    }),
    connected: t.boolean({ resolve: (c) => !c.disabledAt }),
    disabledAt: t.expose('disabledAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.prismaObjectField(OccasionType, 'integrationConnections', (t) =>
  t.relatedConnection('integrationConnections', {
    ...canField('access:read', 'OCCASION', (o: { id: string }) => ({ occasionId: o.id })),
    cursor: 'id',
    totalCount: true,
    args: { includeDisconnected: t.arg.boolean() },
    query: (args) => ({ where: args.includeDisconnected ? {} : { disabledAt: null }, orderBy: { id: 'asc' as const } }),
    description: 'Integrations connected to the occasion.',
  }),
);

const IntegrationFilter = builder.inputType('IntegrationFilter', {
  fields: (t) => ({
    status: t.field({ type: [IntegrationStatus] }),
    businessRole: t.field({ type: IntegrationRole }),
    environment: t.field({ type: IntegrationEnvironment }),
    search: t.string({ description: 'Part of the display name or partner reference.' }),
  }),
});

type Filter = { status?: string[] | null; businessRole?: string | null; environment?: string | null; search?: string | null };
function integrationWhere(f: Filter) {
  return {
    ...(f.status?.length ? { status: { in: f.status as never } } : {}),
    ...(f.businessRole ? { businessRole: f.businessRole as never } : {}),
    ...(f.environment ? { environment: f.environment as never } : {}),
    ...(f.search
      ? {
          OR: [
            { displayName: { contains: f.search, mode: 'insensitive' as const } },
            { partnerRef: { contains: f.search, mode: 'insensitive' as const } },
          ],
        }
      : {}),
  };
}

builder.queryFields((t) => ({
  integrations: t.prismaConnection({
    type: 'IntegrationApp',
    cursor: 'id',
    ...canField('integration:read', 'PLATFORM', platform),
    description: 'Every integration (platform operators).',
    args: { filter: t.arg({ type: IntegrationFilter }) },
    resolve: (query, _p, args, ctx) =>
      ctx.prisma.integrationApp.findMany({ ...query, where: integrationWhere(args.filter ?? {}), orderBy: { id: 'asc' } }),
    totalCount: (_p, args, ctx) => ctx.prisma.integrationApp.count({ where: integrationWhere(args.filter ?? {}) }),
  }),
  integration: t.prismaField({
    type: 'IntegrationApp',
    nullable: true,
    ...canField('integration:read', 'PLATFORM', platform),
    args: { id: t.arg.globalID({ required: true, for: IntegrationAppType }) },
    resolve: (query, _p, args, ctx) => ctx.prisma.integrationApp.findUnique({ ...query, where: { id: args.id.id } }),
  }),
}));

// ─── Operator mutations (integration:manage at PLATFORM) ───────────────────

const CreateIntegrationInput = builder.inputType('CreateIntegrationInput', {
  fields: (t) => ({
    displayName: t.string({ required: true }),
    businessRole: t.field({ type: IntegrationRole, required: true }),
    flags: t.field({ type: [IntegrationFlag], required: true, description: 'Several at once, e.g. [OUTBOUND, EVENT_DRIVEN].' }),
    partnerRef: t.string({ description: 'The partner organisation behind it.' }),
    environment: t.field({ type: IntegrationEnvironment, required: true }),
    expiresAt: t.field({ type: 'DateTime' }),
    config: t.field({ type: 'JSON', description: 'Definition configuration; given, the integration starts CONFIGURED.' }),
  }),
});
const ConfigureIntegrationInput = builder.inputType('ConfigureIntegrationInput', {
  fields: (t) => ({
    id: t.globalID({ required: true, for: IntegrationAppType }),
    config: t.field({
      type: 'JSON',
      required: true,
      description: 'description, homepageUrl, contactEmail: for people. Webhooks are configured as endpoints (createWebhookEndpoint).',
    }),
    displayName: t.string(),
    partnerRef: t.string(),
    expiresAt: t.field({ type: 'DateTime' }),
  }),
});
const TransitionIntegrationInput = builder.inputType('TransitionIntegrationInput', {
  fields: (t) => ({
    id: t.globalID({ required: true, for: IntegrationAppType }),
    to: t.field({ type: IntegrationTransition, required: true }),
  }),
});
const IssueCredentialInput = builder.inputType('IssueIntegrationCredentialInput', {
  fields: (t) => ({
    integrationId: t.globalID({ required: true, for: IntegrationAppType }),
    expiresAt: t.field({ type: 'DateTime' }),
  }),
});
const RevokeCredentialInput = builder.inputType('RevokeIntegrationCredentialInput', {
  fields: (t) => ({ id: t.globalID({ required: true, for: IntegrationCredentialType }) }),
});
const SetSecretInput = builder.inputType('SetIntegrationSecretInput', {
  fields: (t) => ({
    integrationId: t.globalID({ required: true, for: IntegrationAppType }),
    name: t.string({ required: true, description: 'e.g. webhook_signing. Setting a name again rotates it.' }),
    value: t.string({ required: true, description: 'Write-only: stored encrypted, never returned.' }),
    connectionId: t.globalID({ for: IntegrationConnectionType, description: 'A secret for one connection only.' }),
  }),
});
const ConnectPlatformIntegrationInput = builder.inputType('ConnectPlatformIntegrationInput', {
  fields: (t) => ({
    integrationId: t.globalID({ required: true, for: IntegrationAppType }),
    config: t.field({ type: 'JSON', description: '{ connection: { externalAccountId } }: a label for people.' }),
  }),
});

const IntegrationPayload = payload('IntegrationPayload', 'integration', IntegrationAppType);
const CredentialPayload = payload('IntegrationCredentialPayload', 'credential', IntegrationCredentialType);
const SecretPayload = payload('IntegrationSecretPayload', 'secret', IntegrationSecretType);

const IssuedCredential = builder.objectRef<{ credential: unknown; secret: string }>('IssueIntegrationCredentialPayload').implement({
  ...inheritedType,
  fields: (t) => ({
    credential: t.field({ type: IntegrationCredentialType, ...inheritedType, resolve: (p) => p.credential as never }),
    keyId: t.string({ ...inheritedType, resolve: (p) => (p.credential as { keyId: string }).keyId }),
    secret: t.exposeString('secret', { ...inheritedType, description: 'Shown once, now. Only its hash is kept.' }),
  }),
});

const defined = <T>(v: T | null | undefined) => v ?? undefined;

builder.mutationFields((t) => ({
  createIntegration: t.field({
    type: IntegrationPayload,
    ...manage(),
    args: { input: t.arg({ type: CreateIntegrationInput, required: true }) },
    errors: { types: [ValidationError] },
    resolve: async (_r, { input }, ctx) => ({
      integration: await inTransaction(ctx, (tx) =>
        createIntegration(tx, ctx.caller, {
          ...input,
          partnerRef: defined(input.partnerRef),
          expiresAt: defined(input.expiresAt),
          config: defined(input.config),
        }),
      ),
    }),
  }),
  configureIntegration: t.field({
    type: IntegrationPayload,
    ...manage(),
    description: 'Replace the definition configuration; a DEFINED integration becomes CONFIGURED.',
    args: { input: t.arg({ type: ConfigureIntegrationInput, required: true }) },
    errors: { types: [ValidationError, ConflictError] },
    resolve: async (_r, { input }, ctx) => ({
      integration: await inTransaction(ctx, (tx) =>
        configureIntegration(tx, ctx.caller, input.id.id, {
          config: input.config,
          displayName: defined(input.displayName),
          partnerRef: defined(input.partnerRef),
          expiresAt: defined(input.expiresAt),
        }),
      ),
    }),
  }),
  transitionIntegration: t.field({
    type: IntegrationPayload,
    ...manage(),
    description: 'Enable, disable, revoke or archive. Revoke and archive are final and also revoke credentials and grants.',
    args: { input: t.arg({ type: TransitionIntegrationInput, required: true }) },
    errors: { types: [IllegalTransitionError] },
    resolve: async (_r, { input }, ctx) => ({
      integration: await inTransaction(ctx, (tx) => transitionIntegration(tx, ctx.caller, input.id.id, input.to)),
    }),
  }),
  issueIntegrationCredential: t.field({
    type: IssuedCredential,
    ...manage(),
    description: 'A new key id + secret (shown once). Earlier credentials keep working until revoked: rotation with overlap.',
    args: { input: t.arg({ type: IssueCredentialInput, required: true }) },
    errors: { types: [ValidationError, ConflictError] },
    resolve: (_r, { input }, ctx) =>
      inTransaction(ctx, (tx) => issueCredential(tx, ctx.caller, input.integrationId.id, { expiresAt: defined(input.expiresAt) })),
  }),
  revokeIntegrationCredential: t.field({
    type: CredentialPayload,
    ...manage(),
    args: { input: t.arg({ type: RevokeCredentialInput, required: true }) },
    errors: { types: [ConflictError] },
    resolve: async (_r, { input }, ctx) => ({ credential: await inTransaction(ctx, (tx) => revokeCredential(tx, ctx.caller, { id: input.id.id })) }),
  }),
  setIntegrationSecret: t.field({
    type: SecretPayload,
    ...manage(),
    description: 'Set or rotate a named webhook/adapter secret (the previous value of that name is revoked).',
    args: { input: t.arg({ type: SetSecretInput, required: true }) },
    errors: { types: [ValidationError, ConflictError] },
    resolve: async (_r, { input }, ctx) => ({
      secret: await inTransaction(ctx, (tx) =>
        setSecret(tx, ctx.caller, resolveAppKey(ctx.app.config), input.integrationId.id, {
          name: input.name,
          value: input.value,
          connectionId: input.connectionId?.id,
        }),
      ),
    }),
  }),
  connectPlatformIntegration: t.field({
    type: payload('ConnectPlatformIntegrationPayload', 'integration', IntegrationAppType),
    ...manage(),
    description: 'Connect a PLATFORM integration once, at platform scope (or reconfigure that connection).',
    args: { input: t.arg({ type: ConnectPlatformIntegrationInput, required: true }) },
    errors: { types: [ValidationError, ConflictError] },
    resolve: async (_r, { input }, ctx) => ({
      integration: await inTransaction(ctx, async (tx) => {
        await connectIntegration(tx, ctx.caller, input.integrationId.id, null, { config: defined(input.config) });
        return tx.integrationApp.findUniqueOrThrow({ where: { id: input.integrationId.id } });
      }),
    }),
  }),
}));

// ─── Planner mutations (integration:connect at OCCASION) ────────────────────

const ConnectIntegrationInput = builder.inputType('ConnectIntegrationInput', {
  fields: (t) => ({
    occasionId: t.globalID({ required: true, for: OccasionType }),
    integrationId: t.globalID({ required: true, for: IntegrationAppType, description: 'A partner integration an operator has enabled.' }),
    config: t.field({ type: 'JSON', description: '{ connection: { externalAccountId } }: a label for people; nothing reads it.' }),
    eventIds: t.globalIDList({
      for: EventType,
      description: 'Limit the connection to these events of the occasion: every grant the integration holds here covers only them.',
    }),
  }),
});
const DisconnectIntegrationInput = builder.inputType('DisconnectIntegrationInput', {
  fields: (t) => ({ id: t.globalID({ required: true, for: IntegrationConnectionType }) }),
});
const ConnectionPayload = payload('IntegrationConnectionPayload', 'connection', IntegrationConnectionType);

builder.mutationFields((t) => ({
  connectIntegration: t.field({
    type: ConnectionPayload,
    ...canField('integration:connect', 'OCCASION', (_p, args: InputIdArgs<'occasionId'>, ctx) => ctx.targets.occasion(args.input.occasionId.id)),
    description: 'Connect a partner integration to the occasion (connecting again reconfigures). Grant it access with grantAccess.',
    args: { input: t.arg({ type: ConnectIntegrationInput, required: true }) },
    errors: { types: [ValidationError, ConflictError] },
    resolve: async (_r, { input }, ctx) => ({
      connection: await inTransaction(ctx, (tx) =>
        connectIntegration(tx, ctx.caller, input.integrationId.id, input.occasionId.id, {
          config: defined(input.config),
          eventIds: input.eventIds?.map((e) => e.id),
        }),
      ),
    }),
  }),
  disconnectIntegration: t.field({
    type: ConnectionPayload,
    ...canField('integration:connect', 'OCCASION', (_p, args: InputIdArgs<'id'>, ctx) => ctx.targets.integrationConnection(args.input.id.id)),
    description: 'Disconnect; every grant the integration holds in the occasion is revoked with it.',
    args: { input: t.arg({ type: DisconnectIntegrationInput, required: true }) },
    errors: { types: [ConflictError] },
    resolve: async (_r, { input }, ctx) => ({ connection: await inTransaction(ctx, (tx) => disconnectIntegration(tx, ctx.caller, input.id.id)) }),
  }),
}));
