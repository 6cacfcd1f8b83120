import type { Tx } from './db/client.js';
import { actorIdOf, type Caller, principalId } from './principal.js';

export type AuditOutcome = 'SUCCESS' | 'DENIED' | 'FAILED';

export interface AuditEntry {
  action: string;
  occasionId?: string | null;
  target?: { type: string; id: string } | null;
  scope?: Record<string, unknown> | null;
  before?: unknown;
  after?: unknown;
  outcome?: AuditOutcome;
  reason?: string;
}

/** JSON-safe copy (Dates → ISO strings, BigInt → string) for the before/after columns. */
function snapshot(value: unknown): unknown {
  if (value === undefined) return undefined;
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) as unknown;
}

/**
 * One audit_log row. Called by services inside the mutation's transaction, so
 * the row commits or rolls back with the change it describes.
 */
export async function recordAudit(tx: Pick<Tx, 'auditLog' | 'actor'>, caller: Caller, e: AuditEntry): Promise<void> {
  const p = caller.principal;
  const occasionId = e.occasionId ?? null;
  await tx.auditLog.create({
    data: {
      occasionId,
      principalType: p.kind,
      principalId: p.kind === 'system' ? p.reason : principalId(p),
      userId: p.kind === 'user' ? p.userId : null,
      actorId: occasionId ? await actorIdOf(tx, p, occasionId) : null,
      integrationId: p.kind === 'integration' ? p.integrationId : null,
      credentialId: p.kind === 'integration' ? p.credentialId : null,
      action: e.action,
      targetType: e.target?.type ?? null,
      targetId: e.target?.id ?? null,
      scope: (e.scope as object) ?? undefined,
      requestId: caller.requestId,
      before: snapshot(e.before) as object | undefined,
      after: snapshot(e.after) as object | undefined,
      outcome: e.outcome ?? 'SUCCESS',
      reason: e.reason ?? null,
    },
  });
}
