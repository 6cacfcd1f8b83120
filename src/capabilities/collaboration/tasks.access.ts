import type { Prisma as PrismaNS } from '../../generated/prisma/client.js';
import type { Prisma, Tx } from '../../platform/db/client.js';

/*
 * Who a task is for, without grants: a helper or a vendor contact acts on a
 * task because it is the assignee or one of the candidates — as itself, as a
 * member of a team or vendor that is, or through a role it holds in the
 * occasion (candidateRole). This is the whole of their right ("assigned to me
 * or claimable by me"); planners see and manage every task with tasks:manage.
 */

export interface TaskStanding {
  occasionId: string;
  actorId: string;
  /** The actor and the teams, vendors and groups it is a member of: any of them may be assignee or candidate. */
  actingAs: string[];
  /** Roles of its live grants in the occasion. */
  roles: string[];
}

/** The user's standing in each occasion where it holds a live grant (or in one occasion). */
export async function taskStandings(db: Prisma | Tx, userId: string, occasionId?: string, now = new Date()): Promise<TaskStanding[]> {
  const actors = await db.actor.findMany({
    where: { userId, ...(occasionId ? { occasionId } : {}) },
    select: {
      id: true,
      occasionId: true,
      memberOf: { select: { groupActorId: true } },
      grants: { where: { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] }, select: { role: true } },
    },
  });
  // No live grant: no longer taking part in the occasion, so no tasks either.
  return actors
    .filter((a) => a.grants.length > 0)
    .map((a) => ({
      occasionId: a.occasionId,
      actorId: a.id,
      actingAs: [a.id, ...a.memberOf.map((m) => m.groupActorId)],
      roles: a.grants.flatMap((g) => (g.role ? [g.role] : [])),
    }));
}

/** Tasks assigned to, or claimable by, one of these standings: a SQL filter, so lists page and count only those. */
export function visibleTasksWhere(standings: TaskStanding[]): PrismaNS.TaskWhereInput {
  if (!standings.length) return { id: { in: [] } };
  return {
    OR: standings.map((s) => ({
      occasionId: s.occasionId,
      OR: [
        { assigneeActorId: { in: s.actingAs } },
        { candidateActorIds: { hasSome: s.actingAs } },
        ...(s.roles.length ? [{ candidateRole: { in: s.roles } }] : []),
      ],
    })),
  };
}

interface TaskPeople {
  assigneeActorId: string | null;
  candidateActorIds: string[];
  candidateRole: string | null;
}

export const isAssignee = (t: TaskPeople, s: TaskStanding | null): boolean => !!s && !!t.assigneeActorId && s.actingAs.includes(t.assigneeActorId);

export const isCandidate = (t: TaskPeople, s: TaskStanding | null): boolean =>
  !!s && (t.candidateActorIds.some((id) => s.actingAs.includes(id)) || (!!t.candidateRole && s.roles.includes(t.candidateRole)));
