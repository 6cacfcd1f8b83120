import type { Prisma } from '../../platform/db/client.js';

/*
 * Operational views over integrations, for operators: how each one is doing
 * (from its recent audited calls) and what an access review should look at.
 * Read-only, set-based: one statement per view whatever the number of apps.
 */

export type IntegrationHealth = 'ACTIVE' | 'DEGRADED' | 'FAILING' | 'REVOKED' | 'INACTIVE';

export interface HealthWindow {
  /** Calls looked at: the last `minutes`. */
  minutes: number;
  /** Share of non-SUCCESS calls at or above which an integration is DEGRADED / FAILING. */
  degradedAt: number;
  failingAt: number;
}
export const DEFAULT_HEALTH_WINDOW: HealthWindow = { minutes: 60, degradedAt: 0.1, failingAt: 0.5 };

export interface HealthRow {
  integrationId: string;
  health: IntegrationHealth;
  calls: number;
  failures: number;
  lastCallAt: Date | null;
}

/** Health from status and the recent outcome mix: revoked/archived/disabled win; no calls at all is INACTIVE. */
export async function integrationHealth(db: Prisma, integrationIds: string[], w: HealthWindow = DEFAULT_HEALTH_WINDOW): Promise<HealthRow[]> {
  if (!integrationIds.length) return [];
  const rows = await db.$queryRaw<{ integrationId: string; status: string; calls: number; failures: number; lastCallAt: Date | null }[]>`
    SELECT i.id::text AS "integrationId", i.status::text AS status,
           count(a.id)::int AS calls,
           count(a.id) FILTER (WHERE a.outcome <> 'SUCCESS')::int AS failures,
           max(a.at) AS "lastCallAt"
      FROM integration_apps i
      LEFT JOIN audit_log a ON a.integration_id = i.id AND a.at > now() - make_interval(mins => ${w.minutes}::int)
     WHERE i.id = ANY(${integrationIds}::uuid[])
     GROUP BY i.id, i.status`;
  return rows.map((r) => ({
    integrationId: r.integrationId,
    calls: r.calls,
    failures: r.failures,
    lastCallAt: r.lastCallAt,
    health:
      r.status === 'REVOKED' || r.status === 'ARCHIVED' || r.status === 'DISABLED'
        ? 'REVOKED'
        : r.calls === 0
          ? 'INACTIVE'
          : r.failures / r.calls >= w.failingAt
            ? 'FAILING'
            : r.failures / r.calls >= w.degradedAt
              ? 'DEGRADED'
              : 'ACTIVE',
  }));
}

export interface AccessReviewFinding {
  kind: 'CREDENTIAL_UNUSED' | 'CREDENTIAL_EXPIRING' | 'BROAD_GRANT';
  integrationId: string;
  credentialId: string | null;
  grantId: string | null;
  detail: string;
}

/** Actions beyond reading: an integration holding one of these deserves a second look. */
const isWrite = (action: string) => !/:(read|view)(_|$)/.test(action);

/**
 * What an operator should review: live credentials unused for `unusedDays`
 * (or never used and older than that), credentials expiring within
 * `expiringDays`, and broad grants (platform or whole-occasion scope, or any
 * action that writes).
 */
export async function accessReview(db: Prisma, opts: { unusedDays: number; expiringDays: number }): Promise<AccessReviewFinding[]> {
  const now = Date.now();
  const unusedBefore = new Date(now - opts.unusedDays * 86_400_000);
  const expiringBefore = new Date(now + opts.expiringDays * 86_400_000);
  const [credentials, grants] = await Promise.all([
    db.integrationCredential.findMany({
      where: {
        revokedAt: null,
        OR: [{ expiresAt: null }, { expiresAt: { gt: new Date(now) } }],
        AND: [
          {
            OR: [{ lastUsedAt: { lt: unusedBefore } }, { lastUsedAt: null, createdAt: { lt: unusedBefore } }, { expiresAt: { lte: expiringBefore } }],
          },
        ],
      },
      select: { id: true, integrationId: true, keyId: true, lastUsedAt: true, expiresAt: true },
      orderBy: { createdAt: 'asc' },
    }),
    db.grant.findMany({
      where: { subjectType: 'INTEGRATION', revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: new Date(now) } }] },
      select: { id: true, subjectIntegrationId: true, scopeType: true, actions: true, role: true, occasionId: true },
      orderBy: { grantedAt: 'asc' },
    }),
  ]);
  const findings: AccessReviewFinding[] = [];
  for (const c of credentials) {
    if (c.expiresAt && c.expiresAt <= expiringBefore) {
      findings.push({
        kind: 'CREDENTIAL_EXPIRING',
        integrationId: c.integrationId,
        credentialId: c.id,
        grantId: null,
        detail: `${c.keyId} expires ${c.expiresAt.toISOString()}`,
      });
    }
    if ((c.lastUsedAt ?? new Date(0)) < unusedBefore) {
      findings.push({
        kind: 'CREDENTIAL_UNUSED',
        integrationId: c.integrationId,
        credentialId: c.id,
        grantId: null,
        detail: `${c.keyId} ${c.lastUsedAt ? `last used ${c.lastUsedAt.toISOString()}` : 'never used'}`,
      });
    }
  }
  for (const g of grants) {
    const writes = g.actions.filter(isWrite);
    const wide = g.scopeType === 'PLATFORM' || g.scopeType === 'OCCASION';
    if (!wide && !writes.length && !g.role) continue;
    const why = [
      wide ? `${g.scopeType.toLowerCase()}-wide` : null,
      writes.length ? `writes (${writes.join(', ')})` : null,
      g.role ? `role ${g.role}` : null,
    ];
    findings.push({
      kind: 'BROAD_GRANT',
      integrationId: g.subjectIntegrationId!,
      credentialId: null,
      grantId: g.id,
      detail: why.filter(Boolean).join('; '),
    });
  }
  return findings;
}
