import type { Authorization } from '../../kit/authorization.js';
import { isUuid } from '../../kit/ids.js';
import type { Prisma, Tx } from '../../platform/db/client.js';
import { notFound } from '../../platform/errors.js';
import type { Principal } from '../../platform/principal.js';

/*
 * Who a caller is in an occasion's conversations. Planners are decided by the
 * permission engine (threads:read / threads:write); the counterpart's right is
 * implicit and decided here: a guest link answers for its unit's threads, a
 * signed-in user for its own actor's and its vendor's (an actor of kind VENDOR
 * it is a member of), as long as it takes part in the occasion (a live grant:
 * a revoked vendor contact loses its conversations with its access).
 */

export interface CounterpartStanding {
  /** Whose read state the caller's reading moves: the guest's unit, the user's own actor. */
  readerId: string;
  /** The counterparts whose threads the caller sees and writes in. */
  counterpartIds: string[];
}

type Db = Prisma | Tx;

/** The caller as a counterpart in the occasion, or null when it is none there (so every thread of it is NOT_FOUND). */
export async function counterpartStanding(
  db: Db,
  authz: Authorization,
  principal: Principal,
  occasionId: string,
): Promise<CounterpartStanding | null> {
  if (principal.kind === 'guest') {
    return principal.occasionId === occasionId ? { readerId: principal.unitActorId, counterpartIds: [principal.unitActorId] } : null;
  }
  if (principal.kind !== 'user' || !(await authz.hasStanding(occasionId))) return null;
  const actorId = await authz.actorId(occasionId);
  if (!actorId) return null;
  const vendors = await db.membership.findMany({
    where: { memberActorId: actorId, group: { kind: 'VENDOR', occasionId } },
    select: { groupActorId: true },
  });
  return { readerId: actorId, counterpartIds: [actorId, ...vendors.map((v) => v.groupActorId)] };
}

/**
 * Every counterpart a signed-in user answers for, across the occasions where it
 * takes part: its own actor in each, and the vendors it is a member of there.
 */
export async function counterpartIdsOfUser(db: Db, authz: Authorization, userId: string): Promise<string[]> {
  const actors = await db.actor.findMany({
    where: { userId },
    select: { id: true, occasionId: true, memberOf: { where: { group: { kind: 'VENDOR' } }, select: { groupActorId: true } } },
  });
  // Standings were read with the token (or load in one batch): no statement per occasion.
  const live = await Promise.all(actors.map((a) => authz.hasStanding(a.occasionId)));
  return actors.filter((_, i) => live[i]).flatMap((a) => [a.id, ...a.memberOf.map((m) => m.groupActorId)]);
}

/**
 * A thread the caller may read and write in as its counterpart, with the caller's standing there.
 * "Not yours" and "not there" are the same NOT_FOUND.
 */
export async function counterpartThread(db: Db, authz: Authorization, principal: Principal, threadId: string) {
  const thread = isUuid(threadId)
    ? await db.commThread.findUnique({ where: { id: threadId }, select: { id: true, occasionId: true, counterpartActorId: true } })
    : null;
  const standing = thread ? await counterpartStanding(db, authz, principal, thread.occasionId) : null;
  if (!thread || !standing?.counterpartIds.includes(thread.counterpartActorId)) throw notFound('Thread');
  return { thread, standing };
}

/** A planner's read-state key: its own actor (an integration granted threads:read keeps none). */
export async function plannerReaderId(authz: Authorization, principal: Principal, occasionId: string): Promise<string | null> {
  return principal.kind === 'user' ? authz.actorId(occasionId) : null;
}
