import type { App } from '../src/app/create-app.js';
import type { Authorizer } from '../src/domains/permissions/authorizer.js';
import { grantAccess } from '../src/domains/permissions/permissions.service.js';
import { createIntegration, transitionIntegration } from '../src/interfaces/integrations/apps.service.js';
import { connectIntegration } from '../src/interfaces/integrations/connections.service.js';
import { issueCredential, revokeCredential } from '../src/interfaces/integrations/credentials.service.js';
import { loadPersistedManifest } from '../src/interfaces/integrations/persisted-operations.js';
import type { Caller } from '../src/platform/principal.js';

/*
 * The demo's partners (the printer, the venue) are integrations made the way an
 * operator and a planner make one: created and enabled by the platform,
 * connected to the occasion and granted least privilege by the planner,
 * allowed its shipped documents. Each boot issues a fresh credential (earlier
 * ones revoked) for the banner.
 */

const OPERATOR: Caller = { principal: { kind: 'system', reason: 'demo', actions: ['integration:read', 'integration:manage'] }, requestId: 'seed' };

type GrantScope = { type: 'OCCASION' } | { type: 'EVENT'; eventId: string } | { type: 'RESOURCE'; resource: { type: string; id: string } };

export interface DemoPartner {
  name: string;
  description: string;
  flags: ('OUTBOUND' | 'INBOUND' | 'EVENT_DRIVEN' | 'SYNC')[];
  /** Events the connection is limited to (none: the whole occasion). */
  eventIds?: string[];
  grants: { actions: string[]; scope: GrantScope; allowWrite?: boolean }[];
  /** Its persisted documents, by operation name (from the shipped manifest). */
  operations: string[];
}

/** Creates, enables, connects and grants a demo partner (first boot, as the planner); returns its id. */
export async function seedDemoPartner(app: App, me: Caller & { authz: Authorizer }, occasionId: string, p: DemoPartner): Promise<string> {
  const prisma = app.db.prisma;
  const created = await prisma.$transaction(async (tx) => {
    const c = await createIntegration(tx, OPERATOR, {
      displayName: p.name,
      businessRole: 'PARTNER',
      flags: p.flags,
      environment: 'DEVELOPMENT',
      config: { description: p.description },
    });
    return transitionIntegration(tx, OPERATOR, c.id, 'ENABLED');
  });
  await prisma.$transaction((tx) =>
    me.authz.within(tx, async () => {
      await connectIntegration(tx, me, created.id, occasionId, { eventIds: p.eventIds ?? [] });
      for (const g of p.grants) {
        await grantAccess(tx, me, me.authz, app.actions, occasionId, {
          subjectIntegrationId: created.id,
          actions: g.actions,
          ...(g.allowWrite ? { allowWrite: true } : {}),
          scope: g.scope,
        });
      }
    }),
  );
  // By name from the shipped manifest (setIntegrationOperations checks them against a schema the api builds later).
  const names = new RegExp(`^query (${p.operations.join('|')})\\b`);
  const ids = [...loadPersistedManifest()].filter(([, doc]) => names.test(doc)).map(([id]) => id);
  await prisma.integrationApp.update({ where: { id: created.id }, data: { allowedOperationIds: ids } });
  return created.id;
}

/** A fresh credential for the demo partner named `name` (earlier ones revoked), or null when it is not there. */
export async function demoPartnerCredential(app: App, name: string) {
  const prisma = app.db.prisma;
  const partner = await prisma.integrationApp.findFirst({ where: { displayName: name, status: { in: ['ENABLED', 'ACTIVE'] } } });
  if (!partner) return null;
  const issued = await prisma.$transaction(async (tx) => {
    for (const c of await tx.integrationCredential.findMany({ where: { integrationId: partner.id, revokedAt: null } })) {
      await revokeCredential(tx, OPERATOR, { id: c.id });
    }
    return issueCredential(tx, OPERATOR, partner.id, {});
  });
  return { name: partner.displayName, clientId: issued.credential.keyId, clientSecret: issued.secret, documentIds: partner.allowedOperationIds };
}
