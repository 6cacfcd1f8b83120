import { resolveAppKey } from '../../platform/app-key.js';
import { ConflictError, ValidationError } from '../../platform/errors.js';
import { PLATFORM_TARGET } from '../../kit/authorization.js';
import { builder } from '../../kit/builder.js';
import { ErrorInterface } from '../../kit/common.schema.js';
import { payload } from '../../kit/payload.js';
import { canField, inheritedType } from '../../kit/rules.js';
import { inTransaction } from '../../kit/transaction.js';
import { configureIntegration, createIntegration, OPERATOR_TARGETS, transitionIntegration } from './apps.service.js';
import {
  IntegrationAppType,
  IntegrationCredentialType,
  IntegrationEnvironment,
  IntegrationFlag,
  IntegrationRole,
  IntegrationSecretType,
} from './apps.schema.js';
import { IntegrationConnectionType } from './connections.schema.js';
import { connectIntegration } from './connections.service.js';
import { issueCredential, revokeCredential } from './credentials.service.js';
import { IllegalTransitionError } from './integrations.errors.js';
import { setSecret } from './secrets.service.js';

/*
 * Platform operators' mutations of integration records (apps.schema.ts):
 * define, configure and move an integration through its statuses, issue and
 * revoke credentials, set secrets, connect a platform integration. All need
 * `integration:manage` at PLATFORM scope.
 */

const manage = (resolveTarget = () => PLATFORM_TARGET) => canField('integration:manage', 'PLATFORM', resolveTarget);

const IntegrationTransition = builder.enumType('IntegrationTransition', {
  values: OPERATOR_TARGETS,
  description: 'Statuses an operator moves an integration to. ACTIVE follows by itself on the first successful token use.',
});
builder.objectType(IllegalTransitionError, {
  name: 'IllegalTransitionError',
  interfaces: [ErrorInterface],
  ...inheritedType,
  fields: (t) => ({
    from: t.exposeString('from', { ...inheritedType, description: 'The status the integration is in.' }),
    to: t.exposeString('to', { ...inheritedType, description: 'The status asked for.' }),
  }),
});

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
