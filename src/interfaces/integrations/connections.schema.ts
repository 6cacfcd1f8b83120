import { EventType } from '../../domains/events/events.schema.js';
import { OccasionType } from '../../domains/occasions/occasions.schema.js';
import { PLATFORM_TARGET } from '../../kit/authorization.js';
import { ConflictError, ValidationError } from '../../platform/errors.js';
import { builder } from '../../kit/builder.js';
import { encodeGlobalID } from '../../kit/ids.js';
import { payload } from '../../kit/payload.js';
import { canField, canType, inheritedType, type InputIdArgs } from '../../kit/rules.js';
import { inTransaction } from '../../kit/transaction.js';
import { IntegrationAppType, IntegrationEnvironment, IntegrationFlag, IntegrationRole, IntegrationStatus } from './apps.schema.js';
import { connectIntegration, disconnectIntegration } from './connections.service.js';

/*
 * Integrations connected to an occasion, for its planners. A connection is
 * occasion data: `access:read` at OCCASION (whoever may see the occasion's
 * grants sees which integrations are connected), `integration:connect` at
 * OCCASION to connect or disconnect. Through a connection, planners see the
 * integration's public identity (ConnectedIntegration: name, role, flags,
 * environment, status), never its configuration, credentials or secrets
 * (apps.schema.ts, operators only).
 */

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
const defined = <T>(v: T | null | undefined) => v ?? undefined;

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
