import { describe, expect, it } from 'vitest';
import { accessReview, integrationHealth } from '../../../src/interfaces/integrations/health.js';
import { newKeyId, newSecret } from '../../../src/interfaces/integrations/credential-format.js';
import { buildWorld, uniq } from '../../support/factories.js';
import { startServer } from '../../support/harness.js';
import { rawId } from '../../support/rows.js';

const s = await startServer();
const p = s.app.db.prisma;

async function app(status: 'ACTIVE' | 'REVOKED' = 'ACTIVE') {
  return p.integrationApp.create({
    data: { displayName: `App ${uniq()}`, businessRole: 'PARTNER', flags: ['INBOUND'], environment: 'DEVELOPMENT', status },
  });
}
async function calls(integrationId: string, outcomes: ('SUCCESS' | 'DENIED' | 'FAILED')[]) {
  await p.auditLog.createMany({ data: outcomes.map((outcome) => ({ principalType: 'integration', integrationId, action: 'query', outcome })) });
}

describe('integration health', () => {
  it('comes from status and the recent outcome mix', async () => {
    const [ok, degraded, failing, quiet, revoked] = await Promise.all([app(), app(), app(), app(), app('REVOKED')]);
    await calls(ok.id, ['SUCCESS', 'SUCCESS', 'SUCCESS']);
    await calls(degraded.id, [...Array(8).fill('SUCCESS'), 'FAILED', 'DENIED']);
    await calls(failing.id, ['FAILED', 'FAILED', 'SUCCESS']);
    await calls(revoked.id, ['SUCCESS']);
    const rows = await integrationHealth(p, [ok.id, degraded.id, failing.id, quiet.id, revoked.id]);
    const by = Object.fromEntries(rows.map((r) => [r.integrationId, r.health]));
    expect([by[ok.id], by[degraded.id], by[failing.id], by[quiet.id], by[revoked.id]]).toEqual([
      'ACTIVE',
      'DEGRADED',
      'FAILING',
      'INACTIVE',
      'REVOKED',
    ]);
    expect(rows.find((r) => r.integrationId === degraded.id)).toMatchObject({ calls: 10, failures: 2 });
  });
});

describe('access review', () => {
  it('lists unused and expiring credentials and broad grants, and leaves narrow read-only ones alone', async () => {
    const a = await app();
    const w = await buildWorld(s, { events: 1, households: [] });
    const old = new Date(Date.now() - 120 * 86_400_000);
    const mk = (extra: object) =>
      p.integrationCredential.create({
        data: { integrationId: a.id, keyId: newKeyId(), secretHash: newSecret().hash, secretHint: 'tovsk_x', ...extra },
      });
    const unused = await mk({ createdAt: old });
    const stale = await mk({ createdAt: old, lastUsedAt: old });
    const expiring = await mk({ lastUsedAt: new Date(), expiresAt: new Date(Date.now() + 3 * 86_400_000) });
    const fine = await mk({ lastUsedAt: new Date() });
    const grant = (extra: object) =>
      p.grant.create({
        data: {
          occasionId: rawId(w.occasionId),
          subjectType: 'INTEGRATION',
          subjectIntegrationId: a.id,
          actions: ['event:read'],
          scopeType: 'EVENT',
          scopeEventId: rawId(w.eventIds[0]!),
          ...extra,
        },
      });
    const narrow = await grant({});
    const wide = await grant({ scopeType: 'OCCASION', scopeEventId: null });
    const writer = await grant({ actions: ['event:read', 'event:update'] });

    const findings = (await accessReview(p, { unusedDays: 90, expiringDays: 14 })).filter((f) => f.integrationId === a.id);
    const kinds = (id: string) =>
      findings
        .filter((f) => f.credentialId === id || f.grantId === id)
        .map((f) => f.kind)
        .sort();
    expect(kinds(unused.id)).toEqual(['CREDENTIAL_UNUSED']);
    expect(kinds(stale.id)).toEqual(['CREDENTIAL_UNUSED']);
    expect(kinds(expiring.id)).toEqual(['CREDENTIAL_EXPIRING']);
    expect(kinds(fine.id)).toEqual([]);
    expect(kinds(narrow.id)).toEqual([]);
    expect(kinds(wide.id)).toEqual(['BROAD_GRANT']);
    expect(findings.find((f) => f.grantId === writer.id)!.detail).toContain('event:update');
  });
});
