import { z } from 'zod';
import type { IntegrationCredential } from '../../generated/prisma/client.js';
import { recordAudit } from '../../platform/audit.js';
import type { Prisma, Tx } from '../../platform/db/client.js';
import { ConflictError, notFound } from '../../platform/errors.js';
import { recordBusinessEvent } from '../../platform/outbox.js';
import { type Caller, userIdOf } from '../../platform/principal.js';
import { parseInput } from '../../platform/validation.js';
import { assertUsable, loadIntegration } from './apps.service.js';
import { newKeyId, newSecret } from './credential-format.js';
import { integrationCredentialIssued, integrationCredentialRevoked } from './integrations.business-events.js';

/** What may be shown of a credential after it was issued: never the hash. */
export const credentialView = ({ secretHash: _hash, ...rest }: IntegrationCredential) => rest;

const issueInput = z.object({
  expiresAt: z
    .date()
    .refine((d) => d > new Date(), 'Expiry must be in the future.')
    .optional(),
});

/**
 * A new credential: the key id is public, the secret is returned here once and
 * only its SHA-256 is stored. Earlier credentials stay valid, so a partner
 * rotates with overlap (issue, deploy, revoke the old one).
 */
export async function issueCredential(tx: Tx, caller: Caller, integrationId: string, input: unknown = {}) {
  const d = parseInput(issueInput, input);
  const app = await loadIntegration(tx, integrationId);
  assertUsable(app, 'it cannot receive credentials');
  const { secret, hash, hint } = newSecret();
  const credential = await tx.integrationCredential.create({
    data: {
      integrationId,
      keyId: newKeyId(),
      secretHash: hash,
      secretHint: hint,
      expiresAt: d.expiresAt ?? null,
      createdByUserId: userIdOf(caller.principal),
    },
  });
  await recordAudit(tx, caller, {
    action: 'integration:credential_issue',
    target: { type: 'IntegrationCredential', id: credential.id },
    after: { ...credentialView(credential), integrationId },
  });
  await recordBusinessEvent(
    tx,
    caller,
    integrationCredentialIssued,
    { integrationId, credentialId: credential.id, keyId: credential.keyId, expiresAt: credential.expiresAt?.toISOString() ?? null },
    { occasionId: null },
  );
  return { credential, secret };
}

/** Revokes one credential (by id or public key id); the others keep working. */
export async function revokeCredential(tx: Tx, caller: Caller, ref: { id?: string; keyId?: string }) {
  const before = await tx.integrationCredential.findFirst({ where: ref.id ? { id: ref.id } : { keyId: ref.keyId ?? '' } });
  if (!before) throw notFound('Credential');
  if (before.revokedAt) throw new ConflictError('This credential is already revoked.');
  const after = await tx.integrationCredential.update({ where: { id: before.id }, data: { revokedAt: new Date() } });
  await recordAudit(tx, caller, {
    action: 'integration:credential_revoke',
    target: { type: 'IntegrationCredential', id: before.id },
    before: credentialView(before),
    after: credentialView(after),
  });
  await recordBusinessEvent(
    tx,
    caller,
    integrationCredentialRevoked,
    { integrationId: before.integrationId, credentialId: before.id, keyId: before.keyId },
    { occasionId: null },
  );
  return after;
}

/** Credentials of an integration, newest first, with last-used times (kept by the token endpoint). */
export function listCredentials(db: Prisma | Tx, integrationId: string) {
  return db.integrationCredential.findMany({ where: { integrationId }, orderBy: { id: 'desc' } });
}

export const credentialIsLive = (c: { revokedAt: Date | null; expiresAt: Date | null }, now = new Date()) =>
  !c.revokedAt && (!c.expiresAt || c.expiresAt > now);
