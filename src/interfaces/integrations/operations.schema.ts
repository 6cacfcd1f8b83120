import { PLATFORM_TARGET } from '../../kit/authorization.js';
import { builder } from '../../kit/builder.js';
import { encodeGlobalID } from '../../kit/ids.js';
import { payload } from '../../kit/payload.js';
import { canField, inheritedType } from '../../kit/rules.js';
import { requestLoader } from '../../kit/request-loader.js';
import { inTransaction } from '../../kit/transaction.js';
import { ConflictError, ValidationError } from '../../platform/errors.js';
import { accessReview, type AccessReviewFinding, type HealthRow, integrationHealth } from './health.js';
import { IntegrationAppType } from './apps.schema.js';
import { setIntegrationOperations } from './operation-allowlist.js';
import { loadPersistedManifest } from './persisted-operations.js';

/*
 * Operator views and controls beside the integration records: which persisted
 * documents exist and which each integration may run, how each integration is
 * doing, and what an access review should look at.
 */

const manifest = loadPersistedManifest();
const operator = (action: 'integration:read' | 'integration:manage') => canField(action, 'PLATFORM', () => PLATFORM_TARGET);

const PersistedOperationType = builder.objectRef<{ id: string; document: string }>('PersistedOperation').implement({
  ...inheritedType,
  description: 'A trusted partner document (src/interfaces/integrations/operations), run by id.',
  fields: (t) => ({
    id: t.exposeString('id', { ...inheritedType, description: 'sha256:<hex> of the document: send it as `documentId`.' }),
    name: t.string({ ...inheritedType, resolve: (o) => /^(?:query|mutation|subscription)\s+(\w+)/.exec(o.document)?.[1] ?? o.id }),
    document: t.exposeString('document', inheritedType),
  }),
});

const HealthType = builder.objectRef<HealthRow>('IntegrationHealthInfo').implement({
  ...inheritedType,
  description: 'ACTIVE, DEGRADED or FAILING from the last hour of audited calls; REVOKED for stopped ones; INACTIVE without calls.',
  fields: (t) => ({
    status: t.string({ ...inheritedType, resolve: (h) => h.health }),
    calls: t.exposeInt('calls', inheritedType),
    failures: t.exposeInt('failures', inheritedType),
    lastCallAt: t.field({ type: 'DateTime', nullable: true, ...inheritedType, resolve: (h) => h.lastCallAt }),
  }),
});

const FindingType = builder.objectRef<AccessReviewFinding>('AccessReviewFinding').implement({
  ...inheritedType,
  fields: (t) => ({
    kind: t.exposeString('kind', { ...inheritedType, description: 'CREDENTIAL_UNUSED, CREDENTIAL_EXPIRING or BROAD_GRANT.' }),
    integrationId: t.id({ ...inheritedType, resolve: (f) => encodeGlobalID('IntegrationApp', f.integrationId) }),
    credentialId: t.id({
      nullable: true,
      ...inheritedType,
      resolve: (f) => (f.credentialId ? encodeGlobalID('IntegrationCredential', f.credentialId) : null),
    }),
    grantId: t.id({ nullable: true, ...inheritedType, resolve: (f) => (f.grantId ? encodeGlobalID('Grant', f.grantId) : null) }),
    detail: t.exposeString('detail', inheritedType),
  }),
});

/** Health of every integration on a page, in one statement. */
const healthOf = requestLoader(async (ctx, ids) => new Map((await integrationHealth(ctx.prisma, ids)).map((h) => [h.integrationId, h])));

builder.prismaObjectFields(IntegrationAppType, (t) => ({
  allowedOperations: t.field({
    type: [PersistedOperationType],
    ...operator('integration:read'),
    description: 'The persisted documents this integration may run.',
    resolve: (a) => a.allowedOperationIds.map((id) => ({ id, document: manifest.get(id) ?? '' })),
  }),
  health: t.field({
    type: HealthType,
    ...operator('integration:read'),
    resolve: async (a, _args, ctx) => (await healthOf(ctx, a.id))!,
  }),
}));

builder.queryFields((t) => ({
  persistedOperations: t.field({
    type: [PersistedOperationType],
    ...operator('integration:read'),
    description: 'Every trusted partner document of this server.',
    resolve: () => [...manifest.entries()].map(([id, document]) => ({ id, document })),
  }),
  integrationAccessReview: t.field({
    type: [FindingType],
    ...operator('integration:read'),
    description: 'Credentials unused for `unusedDays` or expiring within `expiringDays`, and broad or writing grants of integrations.',
    args: { unusedDays: t.arg.int({ defaultValue: 90 }), expiringDays: t.arg.int({ defaultValue: 14 }) },
    resolve: (_r, args, ctx) =>
      accessReview(ctx.prisma, {
        unusedDays: Math.min(Math.max(args.unusedDays ?? 90, 1), 3650),
        expiringDays: Math.min(Math.max(args.expiringDays ?? 14, 0), 3650),
      }),
  }),
}));

builder.mutationField('setIntegrationOperations', (t) =>
  t.field({
    type: payload('SetIntegrationOperationsPayload', 'integration', IntegrationAppType),
    ...operator('integration:manage'),
    description: 'The persisted documents an integration may run. Each must need only actions its grants hold.',
    args: {
      input: t.arg({
        type: builder.inputType('SetIntegrationOperationsInput', {
          fields: (f) => ({
            integrationId: f.globalID({ required: true, for: IntegrationAppType }),
            operationIds: f.stringList({ required: true, description: 'sha256:<hex> ids (see persistedOperations).' }),
          }),
        }),
        required: true,
      }),
    },
    errors: { types: [ValidationError, ConflictError] },
    resolve: async (_r, { input }, ctx, info) => ({
      integration: await inTransaction(ctx, (tx) =>
        setIntegrationOperations(tx, ctx.caller, { schema: info.schema, manifest }, input.integrationId.id, input.operationIds),
      ),
    }),
  }),
);
