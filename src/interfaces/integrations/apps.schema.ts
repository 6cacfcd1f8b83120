import { grantSubjectTypes } from '../../domains/permissions/permissions.schema.js';
import { PLATFORM_TARGET } from '../../kit/authorization.js';
import { builder } from '../../kit/builder.js';
import { encodeGlobalID } from '../../kit/ids.js';
import { canField, canType, inheritedType } from '../../kit/rules.js';
import { INTEGRATION_ENVIRONMENTS, INTEGRATION_FLAGS, INTEGRATION_ROLES, INTEGRATION_STATUSES } from './apps.service.js';
import { credentialIsLive } from './credentials.service.js';

/*
 * Integration records, for platform operators: an integration (IntegrationApp),
 * its credentials, secrets and platform connection are platform-level:
 * `integration:read` at PLATFORM scope, held only by platform operators
 * (PLATFORM_OPERATORS) and explicit system principals (CLI). Anyone else is
 * FORBIDDEN: there is no tenant to hide. Operators change them in
 * apps-admin.schema.ts; occasion planners see an integration connected to
 * their occasion through connections.schema.ts, never these records.
 */

const platform = () => PLATFORM_TARGET;
const read = canType('integration:read', 'PLATFORM', platform);

export const IntegrationRole = builder.enumType('IntegrationRole', { values: INTEGRATION_ROLES });
export const IntegrationFlag = builder.enumType('IntegrationFlag', { values: INTEGRATION_FLAGS });
export const IntegrationEnvironment = builder.enumType('IntegrationEnvironment', { values: INTEGRATION_ENVIRONMENTS });
export const IntegrationStatus = builder.enumType('IntegrationStatus', {
  values: INTEGRATION_STATUSES,
  description: 'defined → configured → enabled → active → disabled → revoked | archived (disabled → enabled re-enables).',
});
const CredentialStatus = builder.enumType('IntegrationCredentialStatus', { values: ['ACTIVE', 'EXPIRED', 'REVOKED'] as const });

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
grantSubjectTypes.push(IntegrationAppType);

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
