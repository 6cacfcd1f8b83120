import { type GraphQLSchema, parse, TypeInfo, visit, visitWithTypeInfo } from 'graphql';
import { recordAudit } from '../../platform/audit.js';
import type { Tx } from '../../platform/db/client.js';
import { ConflictError, ValidationError } from '../../platform/errors.js';
import type { Caller } from '../../platform/principal.js';
import { loadIntegration } from './apps.service.js';
import type { PersistedManifest } from './persisted-operations.js';

/**
 * The actions a persisted document needs: the `@auth` rule of every field it
 * selects (rules are printed on fields, inherited ones included). A document
 * an integration could never run successfully is not worth allowing.
 */
export function actionsOfDocument(schema: GraphQLSchema, document: string): Set<string> {
  const actions = new Set<string>();
  const typeInfo = new TypeInfo(schema);
  visit(
    parse(document),
    visitWithTypeInfo(typeInfo, {
      Field() {
        const rule = (typeInfo.getFieldDef()?.extensions as { directives?: { auth?: { action?: string } } } | undefined)?.directives?.auth;
        if (rule?.action) actions.add(rule.action);
      },
    }),
  );
  return actions;
}

/**
 * Sets the persisted operations an integration may run. Each must be in the
 * manifest, and each action it needs must be held by one of the integration's
 * live grants (somewhere): assigning "print guest addresses" to a caterer with
 * catering grants only is refused, naming what is missing.
 */
export async function setIntegrationOperations(
  tx: Tx,
  caller: Caller,
  deps: { schema: GraphQLSchema; manifest: PersistedManifest },
  integrationId: string,
  operationIds: string[],
) {
  const before = await loadIntegration(tx, integrationId);
  if (before.status === 'REVOKED' || before.status === 'ARCHIVED') throw new ConflictError(`This integration is ${before.status.toLowerCase()}.`);
  const ids = [...new Set(operationIds)];
  const unknown = ids.filter((id) => !deps.manifest.has(id));
  if (unknown.length) {
    throw new ValidationError(
      `Unknown persisted operation: ${unknown.join(', ')}.`,
      unknown.map((id) => ({ path: `input.operationIds.${operationIds.indexOf(id)}`, message: 'Not in the manifest.' })),
    );
  }
  const grants = await tx.grant.findMany({
    where: { subjectIntegrationId: integrationId, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }] },
    select: { actions: true },
  });
  const held = new Set(grants.flatMap((g) => g.actions));
  const issues = ids.flatMap((id) => {
    const missing = [...actionsOfDocument(deps.schema, deps.manifest.get(id)!)].filter((a) => !held.has(a));
    return missing.length
      ? [
          {
            path: `input.operationIds.${operationIds.indexOf(id)}`,
            message: `Needs ${missing.join(', ')}, which no grant of this integration holds.`,
          },
        ]
      : [];
  });
  if (issues.length) throw new ValidationError(issues.map((i) => i.message).join(' '), issues);
  const after = await tx.integrationApp.update({ where: { id: integrationId }, data: { allowedOperationIds: ids } });
  await recordAudit(tx, caller, {
    action: 'integration:manage',
    target: { type: 'IntegrationApp', id: integrationId },
    before: { allowedOperationIds: before.allowedOperationIds },
    after: { allowedOperationIds: after.allowedOperationIds },
  });
  return after;
}
