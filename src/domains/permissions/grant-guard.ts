import type { Prisma as P } from '../../generated/prisma/client.js';
import type { Prisma, Tx } from '../../platform/db/client.js';
import { type Caller, userIdOf } from '../../platform/principal.js';
import type { ActionRegistry } from './actions.js';
import { grantActions, grantIsLive, type GrantRow } from './grant-match.js';
import type { Target, Authorization } from '../../kit/authorization.js';

/**
 * The scope a stored grant covers, built from its columns. It does not require
 * the scoped row to still exist: a grant on a deleted event can still be
 * revoked. Enablement grants are given their event and installation when the
 * enablement is still there, so grants on those enclosing scopes cover them.
 */
export async function targetOfGrant(db: Prisma | Tx, g: GrantRow & { occasionId: string }): Promise<Target> {
  const target: Target = { occasionId: g.occasionId };
  if (g.scopeEventId) target.eventId = g.scopeEventId;
  if (g.scopeInstallationId) target.installationId = g.scopeInstallationId;
  if (g.scopeEnablementId) {
    target.enablementId = g.scopeEnablementId;
    const en = await db.moduleEnablement.findUnique({ where: { id: g.scopeEnablementId }, select: { eventId: true, installationId: true } });
    if (en) Object.assign(target, { eventId: en.eventId, installationId: en.installationId });
  }
  if (g.resourceType && g.resourceId) target.resource = { type: g.resourceType, id: g.resourceId };
  return target;
}

/**
 * Nobody hands out (or takes away) more than they hold: every action must be
 * one the caller holds at a scope containing the target.
 */
export async function assertNoEscalation(authz: Authorization, actions: Iterable<string>, target: Target): Promise<void> {
  const missing: string[] = [];
  for (const a of actions) if (!(await authz.can(a, target))) missing.push(a);
  if (missing.length) authz.refuseEscalation(missing, target);
}

/**
 * Some writes move access without touching the grants table: linking a user to
 * an actor that holds grants, adding a member to (or removing one from) a team
 * that holds grants, deleting an actor that holds grants. Each is an access
 * change, so it gets grantAccess's rule: access:manage on the occasion, and no
 * action the caller does not hold at each grant's scope.
 *
 * `inherited` also counts grants the actors receive through teams and groups
 * they belong to (what a user linked to them would get).
 */
export async function assertMayMoveGrantsOf(
  tx: Tx,
  authz: Authorization,
  registry: ActionRegistry,
  occasionId: string,
  actorIds: string[],
  { inherited = false } = {},
): Promise<void> {
  const held: P.GrantWhereInput[] = [{ subjectActorId: { in: actorIds } }];
  if (inherited) held.push({ subjectActor: { members: { some: { memberActorId: { in: actorIds } } } } });
  const now = new Date();
  const grants = ((await tx.grant.findMany({ where: { occasionId, revokedAt: null, OR: held } })) as (GrantRow & { occasionId: string })[]).filter(
    (g) => grantIsLive(g, now),
  );
  if (!grants.length) return;
  await authz.assert('access:manage', { occasionId }, 'Actor');
  for (const g of grants) await assertNoEscalation(authz, grantActions(g, registry), await targetOfGrant(tx, g));
}

/**
 * Revokes the grants scoped to something being deleted (an event, an actor as
 * resource, a module installation or enablement): they would cover nothing,
 * and left live they would still show in access reviews.
 */
export async function revokeGrantsScopedTo(tx: Tx, caller: Caller, occasionId: string, scope: P.GrantWhereInput): Promise<number> {
  const { count } = await tx.grant.updateMany({
    where: { occasionId, revokedAt: null, ...scope },
    data: { revokedAt: new Date(), revokedByUserId: userIdOf(caller.principal) },
  });
  return count;
}
