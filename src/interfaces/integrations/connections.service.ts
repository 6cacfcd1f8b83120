import { z } from 'zod';
import { recordAudit } from '../../platform/audit.js';
import type { Tx } from '../../platform/db/client.js';
import { ConflictError, notFound, ValidationError } from '../../platform/errors.js';
import { recordBusinessEvent } from '../../platform/outbox.js';
import { type Caller, userIdOf } from '../../platform/principal.js';
import { parseInput } from '../../platform/validation.js';
import { assertUsable, loadIntegration } from './apps.service.js';
import { integrationConnected, integrationDisconnected } from './integrations.business-events.js';

/*
 * What a connection holds that has an effect: the events it is limited to
 * (eventIds: the permission engine bounds every grant the integration holds
 * in the occasion by them) and its webhook endpoints (where and what it is
 * sent). Its config is a label for people (the partner's account or job
 * reference) that no code reads. It is strict, so a secret pasted into it is
 * refused rather than stored in plaintext; secrets go through
 * setIntegrationSecret.
 */

export const connectionConfig = z
  .object({
    connection: z
      .object({
        /** The partner's own id for this account, booking or job: shown to people, read by nothing. */
        externalAccountId: z.string().trim().min(1).max(200).optional(),
      })
      .strict()
      .default({}),
  })
  .strict();

const connectInput = z.object({
  config: connectionConfig.default({ connection: {} }),
  eventIds: z.array(z.uuid()).max(100).default([]),
});

/** Only an integration an operator has enabled (or that is already in use) can be connected. */
const CONNECTABLE = new Set(['ENABLED', 'ACTIVE']);

/**
 * Connects an integration: a PARTNER integration per occasion (occasionId
 * given), a PLATFORM integration once at platform scope (occasionId null).
 * Connecting again reconfigures (and re-enables a disconnected connection):
 * there is one connection per integration and occasion.
 */
export async function connectIntegration(tx: Tx, caller: Caller, integrationId: string, occasionId: string | null, input: unknown) {
  const d = parseInput(connectInput, input);
  const app = await loadIntegration(tx, integrationId);
  assertUsable(app, 'it cannot be connected');
  if (app.businessRole === 'PARTNER' && !occasionId) {
    throw new ValidationError('A partner integration is connected to an occasion.', [{ path: 'input.occasionId', message: 'Required.' }]);
  }
  if (app.businessRole === 'PLATFORM' && occasionId) {
    // Platform services (messaging, storage) exist once; occasions do not each connect their own.
    throw new ValidationError('A platform integration is connected once, at platform scope, by an operator.', [
      { path: 'input.integrationId', message: 'Not a partner integration.' },
    ]);
  }
  if (!CONNECTABLE.has(app.status)) throw new ConflictError('This integration is not enabled yet: an operator enables it first.');
  const eventIds = [...new Set(d.eventIds)];
  if (eventIds.length) {
    if (!occasionId) throw new ValidationError('Platform connections have no events.', [{ path: 'input.eventIds', message: 'Not allowed.' }]);
    if ((await tx.event.count({ where: { id: { in: eventIds }, occasionId } })) !== eventIds.length) throw notFound('Event');
  }
  const before = await tx.integrationConnection.findFirst({ where: { integrationId, occasionId } });
  const data = { config: d.config, eventIds, disabledAt: null };
  const connection = before
    ? await tx.integrationConnection.update({ where: { id: before.id }, data })
    : await tx.integrationConnection.create({ data: { integrationId, occasionId, ...data } });
  await recordAudit(tx, caller, {
    action: 'integration:connect',
    occasionId,
    target: { type: 'IntegrationConnection', id: connection.id },
    before: before ?? undefined,
    after: connection,
  });
  await recordBusinessEvent(tx, caller, integrationConnected, { integrationId, connectionId: connection.id, occasionId, eventIds }, { occasionId });
  return connection;
}

/**
 * Disconnects: the connection is kept (disabledAt) for the record, and every
 * live grant the integration holds in that occasion is revoked with it, so
 * reconnecting later starts from no access.
 */
export async function disconnectIntegration(tx: Tx, caller: Caller, connectionId: string) {
  const before = await tx.integrationConnection.findUnique({ where: { id: connectionId } });
  if (!before) throw notFound('Connection');
  if (before.disabledAt) throw new ConflictError('This integration is already disconnected.');
  const now = new Date();
  const after = await tx.integrationConnection.update({ where: { id: connectionId }, data: { disabledAt: now } });
  const { count } = await tx.grant.updateMany({
    where: { subjectIntegrationId: before.integrationId, occasionId: before.occasionId, revokedAt: null },
    data: { revokedAt: now, revokedByUserId: userIdOf(caller.principal) },
  });
  await recordAudit(tx, caller, {
    action: 'integration:disconnect',
    occasionId: before.occasionId,
    target: { type: 'IntegrationConnection', id: connectionId },
    before,
    after: { ...after, revokedGrants: count },
  });
  await recordBusinessEvent(
    tx,
    caller,
    integrationDisconnected,
    { integrationId: before.integrationId, connectionId, occasionId: before.occasionId, revokedGrants: count },
    { occasionId: before.occasionId },
  );
  return after;
}
