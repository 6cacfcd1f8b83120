import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { TestServer } from './harness.js';

/** The database id inside a Relay global id (base64url "Type:uuid"); raw ids pass through. */
export function rawId(id: string): string {
  const decoded = Buffer.from(id, 'base64url').toString('utf8');
  const i = decoded.indexOf(':');
  return i > 0 && /^[A-Za-z]+$/.test(decoded.slice(0, i)) ? decoded.slice(i + 1) : id;
}

export const globalId = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64url');

/** A request id the server accepts as x-request-id, so a test can find the rows its request wrote. */
export const newRequestId = (label = 'req') => `${label}-${randomBytes(6).toString('hex')}`;

/** How many rows of each table belong to one occasion. */
export async function occasionRows(s: TestServer, occasionGlobalOrRawId: string) {
  const occasionId = rawId(occasionGlobalOrRawId);
  const p = s.app.db.prisma;
  const where = { occasionId };
  return {
    occasions: await p.occasion.count({ where: { id: occasionId } }),
    events: await p.event.count({ where }),
    actors: await p.actor.count({ where }),
    linkedActors: await p.actor.count({ where: { occasionId, userId: { not: null } } }),
    tags: await p.tag.count({ where }),
    actorTags: await p.actorTag.count({ where: { actor: { occasionId } } }),
    memberships: await p.membership.count({ where }),
    relationships: await p.relationship.count({ where }),
    grants: await p.grant.count({ where }),
    liveGrants: await p.grant.count({ where: { occasionId, revokedAt: null } }),
    invitations: await p.collaboratorInvitation.count({ where }),
    acceptedInvitations: await p.collaboratorInvitation.count({ where: { occasionId, acceptedAt: { not: null } } }),
    revokedInvitations: await p.collaboratorInvitation.count({ where: { occasionId, revokedAt: { not: null } } }),
    installations: await p.moduleInstallation.count({ where }),
    enablements: await p.moduleEnablement.count({ where }),
    /** Audited changes. Refusals (DENIED/FAILED rows) are not changes: see refusals(). */
    audit: await p.auditLog.count({ where: { occasionId, outcome: 'SUCCESS' } }),
    outbox: await p.outboxEvent.count({ where }),
  };
}
export type OccasionRows = Awaited<ReturnType<typeof occasionRows>>;

/**
 * Watches one occasion from now on: which audit and outbox rows were written
 * after this point, and whether any row count moved.
 */
export async function watchOccasion(s: TestServer, occasionGlobalOrRawId: string) {
  const occasionId = rawId(occasionGlobalOrRawId);
  const p = s.app.db.prisma;
  const lastOutbox =
    (await p.outboxEvent.findFirst({ where: { occasionId }, orderBy: { position: 'desc' }, select: { position: true } }))?.position ?? -1n;
  const lastAudit = (await p.auditLog.findFirst({ where: { occasionId }, orderBy: { id: 'desc' }, select: { id: true } }))?.id ?? -1n;
  const before = await occasionRows(s, occasionId);
  return {
    occasionId,
    before,
    /** Outbox rows of the occasion written since the watch started, oldest first. */
    outbox: () => p.outboxEvent.findMany({ where: { occasionId, position: { gt: lastOutbox } }, orderBy: { position: 'asc' } }),
    /** Audit rows of the occasion written since the watch started, oldest first. */
    audit: () => p.auditLog.findMany({ where: { occasionId, id: { gt: lastAudit }, outcome: 'SUCCESS' }, orderBy: { id: 'asc' } }),
    /** DENIED and FAILED audit rows of the occasion written since the watch started. */
    refusals: () => p.auditLog.findMany({ where: { occasionId, id: { gt: lastAudit }, outcome: { not: 'SUCCESS' } }, orderBy: { id: 'asc' } }),
    rows: () => occasionRows(s, occasionId),
    /** Nothing of the occasion changed: same row counts, no SUCCESS audit row and no outbox row. */
    async expectUnchanged() {
      expect(await occasionRows(s, occasionId)).toEqual(before);
    },
    /** Row counts moved by exactly `delta` (other counts unchanged). */
    async expectDelta(delta: Partial<Record<keyof OccasionRows, number>>) {
      const now = await occasionRows(s, occasionId);
      const expected = { ...before };
      for (const [k, d] of Object.entries(delta)) expected[k as keyof OccasionRows] += d;
      expect(now).toEqual(expected);
    },
  };
}

/** Every audit and outbox row carrying this request id: changes (SUCCESS) and refusals (DENIED/FAILED) apart. */
export async function rowsOfRequest(s: TestServer, requestId: string) {
  const p = s.app.db.prisma;
  return {
    audit: await p.auditLog.findMany({ where: { requestId, outcome: 'SUCCESS' }, orderBy: { id: 'asc' } }),
    refusals: await p.auditLog.findMany({ where: { requestId, outcome: { not: 'SUCCESS' } }, orderBy: { id: 'asc' } }),
    outbox: await p.outboxEvent.findMany({ where: { requestId }, orderBy: { position: 'asc' } }),
  };
}
