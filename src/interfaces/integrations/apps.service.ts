import { z } from 'zod';
import type { IntegrationApp, IntegrationStatus } from '../../generated/prisma/client.js';
import { recordAudit } from '../../platform/audit.js';
import type { Prisma, Tx } from '../../platform/db/client.js';
import { ConflictError, notFound } from '../../platform/errors.js';
import { recordBusinessEvent } from '../../platform/outbox.js';
import { type Caller, userIdOf } from '../../platform/principal.js';
import { parseInput } from '../../platform/validation.js';
import { IllegalTransitionError } from './integrations.errors.js';
import { integrationConfigured, integrationCreated, integrationStatusChanged } from './integrations.business-events.js';

export const INTEGRATION_ROLES = ['PARTNER', 'PLATFORM'] as const;
export const INTEGRATION_FLAGS = ['INBOUND', 'OUTBOUND', 'SYNC', 'EVENT_DRIVEN'] as const;
export const INTEGRATION_ENVIRONMENTS = ['DEVELOPMENT', 'STAGING', 'PRODUCTION'] as const;
export const INTEGRATION_STATUSES = ['DEFINED', 'CONFIGURED', 'ENABLED', 'ACTIVE', 'DISABLED', 'REVOKED', 'ARCHIVED'] as const;

/**
 * The lifecycle: defined → configured → enabled → active → disabled →
 * revoked | archived. Backward moves that exist:
 * - disabled → enabled: re-enable after a pause; it becomes active again at
 *   its next successful token use.
 * - configured stays reachable from later states only by reconfiguring, which
 *   keeps the status (configuring an enabled integration does not disable it).
 * Revoked (compromised or terminated: stops at once) and archived (retired,
 * kept for the record) are terminal. Revoke is possible from every live
 * state; archive only from states that carry no traffic (defined, configured,
 * disabled), so a working integration is disabled first.
 * ACTIVE is never chosen by an operator: markActive sets it on the first
 * successful token use.
 */
export const LIFECYCLE: Record<IntegrationStatus, readonly IntegrationStatus[]> = {
  DEFINED: ['CONFIGURED', 'REVOKED', 'ARCHIVED'],
  CONFIGURED: ['ENABLED', 'REVOKED', 'ARCHIVED'],
  ENABLED: ['ACTIVE', 'DISABLED', 'REVOKED'],
  ACTIVE: ['DISABLED', 'REVOKED'],
  DISABLED: ['ENABLED', 'REVOKED', 'ARCHIVED'],
  REVOKED: [],
  ARCHIVED: [],
};

/** Statuses an operator may ask for (transitionIntegration, CLI). */
export const OPERATOR_TARGETS = ['ENABLED', 'DISABLED', 'REVOKED', 'ARCHIVED'] as const;
export type OperatorTarget = (typeof OPERATOR_TARGETS)[number];

export const isTerminal = (s: IntegrationStatus) => LIFECYCLE[s].length === 0;

/**
 * Definition-level configuration: describes the integration for people and
 * holds no secrets. The only part that drives anything is a platform
 * contract's own address: `messaging.deliveryUrl`, where a messaging provider
 * takes the messages handed to it (interfaces/communications/provider-transport.ts;
 * where webhooks go is each webhook endpoint's). Unknown keys are refused, so
 * a secret pasted into configuration is an error rather than a plaintext
 * value at rest (secrets go through setIntegrationSecret).
 */
export const definitionConfig = z
  .object({
    description: z.string().trim().max(1000).optional(),
    homepageUrl: z.url({ protocol: /^https?$/ }).optional(),
    contactEmail: z.email().optional(),
    messaging: z
      .object({
        /** Signed POSTs of each message (the network policy of webhooks applies when sending). */
        deliveryUrl: z.url({ protocol: /^https?$/ }).max(2000),
      })
      .strict()
      .optional(),
  })
  .strict();

const createInput = z.object({
  displayName: z.string().trim().min(1).max(120),
  businessRole: z.enum(INTEGRATION_ROLES),
  flags: z
    .array(z.enum(INTEGRATION_FLAGS))
    .min(1, 'Give at least one interaction flag.')
    .transform((f) => [...new Set(f)]),
  partnerRef: z.string().trim().min(1).max(200).optional(),
  environment: z.enum(INTEGRATION_ENVIRONMENTS),
  expiresAt: z
    .date()
    .refine((d) => d > new Date(), 'Expiry must be in the future.')
    .optional(),
  config: definitionConfig.optional(),
});

/** The audit view of an app row (configuration included: it holds no secrets by construction). */
const auditView = (a: IntegrationApp) => a;

export async function createIntegration(tx: Tx, caller: Caller, input: unknown) {
  const d = parseInput(createInput, input);
  const app = await tx.integrationApp.create({
    data: {
      displayName: d.displayName,
      businessRole: d.businessRole,
      flags: d.flags,
      partnerRef: d.partnerRef ?? null,
      environment: d.environment,
      expiresAt: d.expiresAt ?? null,
      config: d.config ?? {},
      // Given a valid definition at once, it is configured from the start.
      status: d.config ? 'CONFIGURED' : 'DEFINED',
      createdByUserId: userIdOf(caller.principal),
    },
  });
  await recordAudit(tx, caller, { action: 'integration:create', target: { type: 'IntegrationApp', id: app.id }, after: auditView(app) });
  await recordBusinessEvent(
    tx,
    caller,
    integrationCreated,
    { integrationId: app.id, businessRole: app.businessRole, environment: app.environment, flags: app.flags },
    { occasionId: null },
  );
  return app;
}

export async function loadIntegration(db: Prisma | Tx, id: string) {
  const app = await db.integrationApp.findUnique({ where: { id } });
  if (!app) throw notFound('Integration');
  return app;
}

const configureInput = z.object({
  config: definitionConfig,
  displayName: z.string().trim().min(1).max(120).optional(),
  partnerRef: z.string().trim().min(1).max(200).nullable().optional(),
  expiresAt: z
    .date()
    .refine((d) => d > new Date(), 'Expiry must be in the future.')
    .nullable()
    .optional(),
});

/** Replaces the definition configuration; a DEFINED integration becomes CONFIGURED, later states keep theirs. */
export async function configureIntegration(tx: Tx, caller: Caller, id: string, input: unknown) {
  const d = parseInput(configureInput, input);
  const before = await loadIntegration(tx, id);
  if (isTerminal(before.status)) throw new ConflictError(`This integration is ${before.status.toLowerCase()}: it can no longer be changed.`);
  const status = before.status === 'DEFINED' ? 'CONFIGURED' : before.status;
  const after = await tx.integrationApp.update({
    where: { id },
    data: {
      config: d.config,
      status,
      ...(status !== before.status ? { statusChangedAt: new Date() } : {}),
      ...(d.displayName !== undefined ? { displayName: d.displayName } : {}),
      ...(d.partnerRef !== undefined ? { partnerRef: d.partnerRef } : {}),
      ...(d.expiresAt !== undefined ? { expiresAt: d.expiresAt } : {}),
    },
  });
  await recordAudit(tx, caller, {
    action: 'integration:configure',
    target: { type: 'IntegrationApp', id },
    before: auditView(before),
    after: auditView(after),
  });
  await recordBusinessEvent(tx, caller, integrationConfigured, { integrationId: id, status: after.status }, { occasionId: null });
  return after;
}

/**
 * Moves an integration through its lifecycle. Anything LIFECYCLE does not
 * list is an IllegalTransitionError and writes nothing. Revoking or archiving
 * also revokes its live credentials and grants and disables its connections:
 * a terminal integration must not keep working anywhere.
 */
export async function transitionIntegration(tx: Tx, caller: Caller, id: string, to: IntegrationStatus) {
  const before = await loadIntegration(tx, id);
  if (to === 'ACTIVE' && before.status !== 'ACTIVE') {
    throw new IllegalTransitionError(before.status, to, 'An integration becomes ACTIVE by itself, on its first successful token use.');
  }
  if (!LIFECYCLE[before.status].includes(to)) throw new IllegalTransitionError(before.status, to);
  const now = new Date();
  const after = await tx.integrationApp.update({ where: { id }, data: { status: to, statusChangedAt: now } });
  let cascade = {};
  if (to === 'REVOKED' || to === 'ARCHIVED') {
    const credentials = await tx.integrationCredential.updateMany({ where: { integrationId: id, revokedAt: null }, data: { revokedAt: now } });
    const grants = await tx.grant.updateMany({
      where: { subjectIntegrationId: id, revokedAt: null },
      data: { revokedAt: now, revokedByUserId: userIdOf(caller.principal) },
    });
    const connections = await tx.integrationConnection.updateMany({ where: { integrationId: id, disabledAt: null }, data: { disabledAt: now } });
    cascade = { revokedCredentials: credentials.count, revokedGrants: grants.count, disabledConnections: connections.count };
  }
  await recordAudit(tx, caller, {
    action: 'integration:transition',
    target: { type: 'IntegrationApp', id },
    before: { status: before.status },
    after: { status: after.status, ...cascade },
  });
  await recordBusinessEvent(tx, caller, integrationStatusChanged, { integrationId: id, from: before.status, to }, { occasionId: null });
  return after;
}

/**
 * ENABLED → ACTIVE on the first successful token use (called by the token
 * endpoint, which has no caller of its own: the row is attributed to the
 * integration principal when the credential is given). A no-op in every other state, so it is safe to call
 * on every token request; the conditional update makes concurrent first uses
 * record the transition once.
 */
export async function markActive(
  db: Prisma,
  integrationId: string,
  credentialId: string | null = null,
  requestId = 'token-endpoint',
): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const now = new Date();
    const { count } = await tx.integrationApp.updateMany({
      where: { id: integrationId, status: 'ENABLED' },
      data: { status: 'ACTIVE', statusChangedAt: now },
    });
    if (!count) return false;
    const app = await tx.integrationApp.findUniqueOrThrow({ where: { id: integrationId }, select: { environment: true } });
    const caller: Caller = {
      principal: credentialId
        ? { kind: 'integration', integrationId, credentialId, environment: app.environment }
        : { kind: 'system', reason: 'token-endpoint', actions: [] },
      requestId,
    };
    await recordAudit(tx, caller, {
      action: 'integration:transition',
      target: { type: 'IntegrationApp', id: integrationId },
      before: { status: 'ENABLED' },
      after: { status: 'ACTIVE' },
    });
    await recordBusinessEvent(tx, caller, integrationStatusChanged, { integrationId, from: 'ENABLED', to: 'ACTIVE' }, { occasionId: null });
    return true;
  });
}

/** Integrations that may still receive credentials, connections and grants. */
export function assertUsable(app: { status: IntegrationStatus }, what: string) {
  if (isTerminal(app.status)) throw new ConflictError(`This integration is ${app.status.toLowerCase()}: ${what}.`);
}
