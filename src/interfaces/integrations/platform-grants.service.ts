import { z } from 'zod';
import type { ActionRegistry } from '../../domains/permissions/actions.js';
import { isReadOnlyAction, NEVER_FOR_INTEGRATIONS } from '../../domains/permissions/permissions.service.js';
import { PLATFORM_TARGET, type Authorization } from '../../kit/authorization.js';
import { recordAudit } from '../../platform/audit.js';
import type { Tx } from '../../platform/db/client.js';
import { ConflictError, notFound, ValidationError } from '../../platform/errors.js';
import { recordBusinessEvent } from '../../platform/outbox.js';
import { type Caller, userIdOf } from '../../platform/principal.js';
import { parseInput } from '../../platform/validation.js';
import { assertUsable, loadIntegration } from './apps.service.js';
import { integrationPlatformAccessGranted, integrationPlatformAccessRevoked } from './integrations.business-events.js';

/*
 * Platform-scope grants: what a platform service (a messaging provider, a
 * storage provider) may do across occasions. Only operators make them
 * (integration:manage at PLATFORM), only to PLATFORM integrations connected
 * at platform scope, and only of platform-service actions (see
 * PLATFORM_SERVICE_ACTIONS): a PLATFORM grant covers every occasion, so an
 * occasion action there would be access no operator holds (escalation) and
 * would make the service a reader of every tenant. Partners are granted
 * inside occasions by planners (grantAccess), never here.
 */

const grantInput = z.object({
  actions: z.array(z.string()).min(1, 'Give at least one action.').max(50),
  expiresAt: z
    .date()
    .refine((d) => d > new Date(), 'Expiry must be in the future.')
    .optional(),
  allowWrite: z.boolean().default(false),
});

export async function grantPlatformAccess(
  tx: Tx,
  caller: Caller,
  authz: Authorization,
  registry: ActionRegistry,
  integrationId: string,
  input: unknown,
) {
  const d = parseInput(grantInput, input);
  const actions = [...new Set(d.actions)];
  const unknown = actions.filter((a) => !registry.isAction(a));
  if (unknown.length) throw new ValidationError(`Unknown actions: ${unknown.join(', ')}.`, [{ path: 'input.actions', message: 'Unknown action.' }]);
  const never = actions.filter((a) => NEVER_FOR_INTEGRATIONS.has(a));
  if (never.length) {
    throw new ValidationError(`Integrations never hold ${never.join(', ')}.`, [
      { path: 'input.actions', message: 'Not grantable to an integration.' },
    ]);
  }
  const app = await loadIntegration(tx, integrationId);
  if (app.businessRole !== 'PLATFORM') {
    throw new ValidationError('Only platform integrations hold platform grants; a partner is granted inside the occasions it is connected to.', [
      { path: 'input.integrationId', message: 'Not a platform integration.' },
    ]);
  }
  assertUsable(app, 'it cannot be granted access');
  const connected = await tx.integrationConnection.findFirst({ where: { integrationId, occasionId: null, disabledAt: null }, select: { id: true } });
  if (!connected) throw new ConflictError('Connect this integration at platform scope first (connectPlatformIntegration).');
  const occasionActions = actions.filter((a) => !registry.platformService.has(a));
  // The engine's own refusal (FORBIDDEN, recorded as the denial): operators hold no occasion access to hand out.
  if (occasionActions.length) authz.refuseEscalation(occasionActions, PLATFORM_TARGET);
  const writes = actions.filter((a) => !isReadOnlyAction(a));
  if (writes.length && !d.allowWrite) {
    throw new ValidationError(`Integrations get read-only access unless allowWrite is set: ${writes.join(', ')}.`, [
      { path: 'input.allowWrite', message: 'Required for write actions.' },
    ]);
  }
  const grant = await tx.grant.create({
    data: {
      occasionId: null,
      subjectType: 'INTEGRATION',
      subjectIntegrationId: integrationId,
      actions,
      scopeType: 'PLATFORM',
      expiresAt: d.expiresAt ?? null,
      grantedByUserId: userIdOf(caller.principal),
    },
  });
  await recordAudit(tx, caller, { action: 'access:grant', target: { type: 'Grant', id: grant.id }, scope: { type: 'PLATFORM' }, after: grant });
  await recordBusinessEvent(
    tx,
    caller,
    integrationPlatformAccessGranted,
    { integrationId, grantId: grant.id, actions, expiresAt: grant.expiresAt?.toISOString() ?? null },
    { occasionId: null },
  );
  return grant;
}

export async function revokePlatformAccess(tx: Tx, caller: Caller, grantId: string) {
  const before = await tx.grant.findUnique({ where: { id: grantId } });
  // Only platform-scope integration grants are the operators' to revoke; any other grant does not exist here.
  if (!before || before.scopeType !== 'PLATFORM' || !before.subjectIntegrationId) throw notFound('Grant');
  if (before.revokedAt) throw new ConflictError('This grant is already revoked.');
  const after = await tx.grant.update({ where: { id: grantId }, data: { revokedAt: new Date(), revokedByUserId: userIdOf(caller.principal) } });
  await recordAudit(tx, caller, { action: 'access:revoke', target: { type: 'Grant', id: grantId }, before, after });
  await recordBusinessEvent(
    tx,
    caller,
    integrationPlatformAccessRevoked,
    { integrationId: before.subjectIntegrationId, grantId },
    { occasionId: null },
  );
  return after;
}
