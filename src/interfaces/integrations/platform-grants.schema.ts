import { GrantType } from '../../domains/permissions/permissions.schema.js';
import { PLATFORM_TARGET } from '../../kit/authorization.js';
import { ConflictError, ValidationError } from '../../platform/errors.js';
import { builder } from '../../kit/builder.js';
import { encodeGlobalID } from '../../kit/ids.js';
import { payload } from '../../kit/payload.js';
import { canField, inheritedType } from '../../kit/rules.js';
import { inTransaction } from '../../kit/transaction.js';
import { IntegrationAppType } from './apps.schema.js';
import { grantPlatformAccess, revokePlatformAccess } from './platform-grants.service.js';

/*
 * Operators' view and control of platform-scope grants (platform-grants.service.ts).
 * Read through the integration (integration:read at PLATFORM, like its
 * credentials); granted and revoked with integration:manage at PLATFORM.
 */

interface PlatformGrantRow {
  id: string;
  actions: string[];
  expiresAt: Date | null;
  grantedAt: Date;
}

const PlatformGrant = builder.objectRef<PlatformGrantRow>('PlatformGrant').implement({
  ...inheritedType,
  description: 'A platform-scope grant of a platform integration: platform-service actions across every occasion.',
  fields: (t) => ({
    id: t.id({ ...inheritedType, description: 'The grant (revokePlatformAccess).', resolve: (g) => encodeGlobalID('Grant', g.id) }),
    actions: t.stringList({ ...inheritedType, resolve: (g) => g.actions }),
    expiresAt: t.field({ type: 'DateTime', nullable: true, ...inheritedType, resolve: (g) => g.expiresAt }),
    grantedAt: t.field({ type: 'DateTime', ...inheritedType, resolve: (g) => g.grantedAt }),
  }),
});

builder.prismaObjectField(IntegrationAppType, 'platformGrants', (t) =>
  t.field({
    type: [PlatformGrant],
    description: 'Its live platform-scope grants (platform integrations only).',
    resolve: (a, _args, ctx) =>
      ctx.prisma.grant.findMany({
        where: { subjectIntegrationId: a.id, scopeType: 'PLATFORM', revokedAt: null },
        orderBy: { id: 'asc' },
        select: { id: true, actions: true, expiresAt: true, grantedAt: true },
      }),
  }),
);

const GrantPlatformAccessInput = builder.inputType('GrantPlatformAccessInput', {
  fields: (t) => ({
    integrationId: t.globalID({ required: true, for: IntegrationAppType }),
    actions: t.stringList({ required: true, description: 'Platform-service actions only (never an occasion action).' }),
    allowWrite: t.boolean({ description: 'Required for actions that are not reads.' }),
    expiresAt: t.field({ type: 'DateTime' }),
  }),
});
const RevokePlatformAccessInput = builder.inputType('RevokePlatformAccessInput', {
  fields: (t) => ({ grantId: t.globalID({ required: true, for: GrantType, description: 'A PlatformGrant id.' }) }),
});
const PlatformAccessPayload = payload('PlatformAccessPayload', 'integration', IntegrationAppType);
const manage = canField('integration:manage', 'PLATFORM', () => PLATFORM_TARGET);

builder.mutationFields((t) => ({
  grantPlatformAccess: t.field({
    type: PlatformAccessPayload,
    ...manage,
    description: 'Grant a platform integration (connected at platform scope) platform-service actions across every occasion. Operators only.',
    args: { input: t.arg({ type: GrantPlatformAccessInput, required: true }) },
    errors: { types: [ValidationError, ConflictError] },
    resolve: async (_r, { input }, ctx) => ({
      integration: await inTransaction(ctx, async (tx) => {
        await grantPlatformAccess(tx, ctx.caller, ctx.authz, ctx.app.actions, input.integrationId.id, {
          actions: input.actions,
          allowWrite: input.allowWrite ?? undefined,
          expiresAt: input.expiresAt ?? undefined,
        });
        return tx.integrationApp.findUniqueOrThrow({ where: { id: input.integrationId.id } });
      }),
    }),
  }),
  revokePlatformAccess: t.field({
    type: PlatformAccessPayload,
    ...manage,
    description: 'Revoke a platform-scope grant of a platform integration. Operators only.',
    args: { input: t.arg({ type: RevokePlatformAccessInput, required: true }) },
    errors: { types: [ConflictError] },
    resolve: async (_r, { input }, ctx) => {
      return {
        integration: await inTransaction(ctx, async (tx) => {
          const g = await revokePlatformAccess(tx, ctx.caller, input.grantId.id);
          return tx.integrationApp.findUniqueOrThrow({ where: { id: g.subjectIntegrationId! } });
        }),
      };
    },
  }),
}));
