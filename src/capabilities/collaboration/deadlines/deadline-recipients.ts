import type { ActionRegistry } from '../../../domains/permissions/actions.js';
import { actorsWithGrants, decideInOccasion } from '../../../domains/permissions/authorizer.js';
import { localeOfAttributes } from '../../localization/locales.js';
import type { Tx } from '../../../platform/db/client.js';

/** A collaborator a task message can reach: at their account's address, in their language if one is recorded. */
export interface Collaborator {
  actorId: string;
  occasionId: string;
  displayName: string;
  address: string;
  locale: string | null;
}

const SELECT = { id: true, occasionId: true, displayName: true, attributes: true, user: { select: { email: true } } } as const;

/** A live grant: what "still taking part in the occasion" means for tasks too (see tasks.access.ts). */
const liveGrant = (now: Date) => ({ some: { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] } });

/**
 * The actors among `actorIds` a task message can reach: people who sign in
 * (an actor linked to a user account, whose address is the account's, as a
 * collaborator's invitation went there) and still take part (a live grant).
 * Teams, guests and former helpers are not among them: the caller counts them
 * as unreachable, never as an error.
 */
export async function reachableCollaborators(tx: Tx, actorIds: string[], now: Date): Promise<Map<string, Collaborator>> {
  if (!actorIds.length) return new Map();
  const rows = await tx.actor.findMany({
    where: { id: { in: actorIds }, user: { deletedAt: null }, grants: liveGrant(now) },
    select: SELECT,
  });
  return new Map(rows.map((a) => [a.id, collaborator(a)]));
}

/** Who manages the occasion's tasks (tasks:manage, held directly or through a team): the people an unowned task's lateness goes to. */
export async function taskManagers(tx: Tx, registry: ActionRegistry, occasionId: string, now: Date): Promise<Collaborator[]> {
  const people = await tx.actor.findMany({ where: { occasionId, user: { deletedAt: null } }, select: SELECT, orderBy: { id: 'asc' } });
  if (!people.length) return [];
  const standings = await actorsWithGrants(tx, { id: { in: people.map((p) => p.id) } });
  const managers = new Set(standings.filter((s) => decideInOccasion(s, 'tasks:manage', { occasionId }, registry, now).allowed).map((s) => s.actorId));
  return people.filter((p) => managers.has(p.id)).map(collaborator);
}

function collaborator(a: { id: string; occasionId: string; displayName: string; attributes: unknown; user: { email: string } | null }): Collaborator {
  return { actorId: a.id, occasionId: a.occasionId, displayName: a.displayName, address: a.user!.email, locale: localeOfAttributes(a.attributes) };
}
