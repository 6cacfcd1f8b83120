import { z } from 'zod';
import type { IntegrationSecret } from '../../generated/prisma/client.js';
import { recordAudit } from '../../platform/audit.js';
import { decrypt, encrypt } from '../../platform/crypto.js';
import type { Prisma, Tx } from '../../platform/db/client.js';
import { notFound } from '../../platform/errors.js';
import { recordBusinessEvent } from '../../platform/outbox.js';
import type { Caller } from '../../platform/principal.js';
import { parseInput } from '../../platform/validation.js';
import { assertUsable, loadIntegration } from './apps.service.js';
import { integrationSecretSet } from './integrations.business-events.js';

/**
 * Webhook/adapter secrets (signing secrets, a partner API key the adapter
 * presents): encrypted with the app key (AES-256-GCM), in their own table,
 * never in configuration. Nothing but the adapter that needs one decrypts it;
 * GraphQL, audit rows, events and logs see only its name and dates.
 */

/** Safe to show or audit: no value, not even encrypted. */
export const secretView = ({ valueEnc: _enc, ...rest }: IntegrationSecret) => rest;

const setInput = z.object({
  name: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9_]{0,62}$/, 'A lower-case name such as webhook_signing.'),
  value: z.string().min(8, 'A secret shorter than 8 characters is not a secret.').max(4096),
  connectionId: z.uuid().optional(),
});

/** Sets (or rotates) a named secret: the previous live value of that name is revoked in the same transaction. */
export async function setSecret(tx: Tx, caller: Caller, appKey: Buffer, integrationId: string, input: unknown) {
  const d = parseInput(setInput, input);
  const app = await loadIntegration(tx, integrationId);
  assertUsable(app, 'its secrets can no longer be set');
  if (d.connectionId && !(await tx.integrationConnection.findFirst({ where: { id: d.connectionId, integrationId }, select: { id: true } }))) {
    throw notFound('Connection');
  }
  const connectionId = d.connectionId ?? null;
  const now = new Date();
  const previous = await tx.integrationSecret.findFirst({ where: { integrationId, name: d.name, connectionId, revokedAt: null } });
  if (previous) await tx.integrationSecret.update({ where: { id: previous.id }, data: { revokedAt: now } });
  const secret = await tx.integrationSecret.create({
    data: { integrationId, connectionId, name: d.name, valueEnc: encrypt(d.value, appKey) },
  });
  await recordAudit(tx, caller, {
    action: 'integration:secret_set',
    target: { type: 'IntegrationSecret', id: secret.id },
    before: previous ? secretView(previous) : undefined,
    after: secretView(secret),
  });
  await recordBusinessEvent(
    tx,
    caller,
    integrationSecretSet,
    { integrationId, secretId: secret.id, name: secret.name, replacesId: previous?.id ?? null },
    { occasionId: null },
  );
  return secret;
}

/** The live value of a named secret, for the adapter that signs or authenticates with it; null when none is set. */
export async function revealSecret(db: Prisma | Tx, appKey: Buffer, integrationId: string, name: string, connectionId: string | null = null) {
  const s = await db.integrationSecret.findFirst({ where: { integrationId, name, connectionId, revokedAt: null }, orderBy: { id: 'desc' } });
  return s ? decrypt(s.valueEnc, appKey) : null;
}
