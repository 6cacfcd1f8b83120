import DataLoader from 'dataloader';
import type { Target } from '../../domains/permissions/target.js';
import type { Prisma } from '../../platform/db/client.js';
import { notFound } from '../../platform/errors.js';

/**
 * id → permission target, batched per request. An id that does not exist is
 * NOT_FOUND here; an id of an occasion the caller cannot see becomes NOT_FOUND
 * in the engine. Either way a caller learns nothing about other tenants.
 */
function loader<R extends { id: string }>(
  what: string,
  fetch: (ids: string[]) => Promise<R[]>,
  toTarget: (row: R) => Target,
): (id: string) => Promise<Target> {
  const dl = new DataLoader<string, Target | null>(async (ids) => {
    const rows = await fetch([...ids]);
    const byId = new Map(rows.map((r) => [r.id, toTarget(r)]));
    return ids.map((id) => byId.get(id) ?? null);
  });
  return async (id: string) => {
    const t = await dl.load(id);
    if (!t) throw notFound(what);
    return t;
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const uuidsOnly = (ids: string[]) => ids.filter((id) => UUID.test(id));

/**
 * @param occasionScopedOnly the caller's grants can only be occasion-scoped (a user's), so an
 * occasion it may act on necessarily exists.
 */
export function createTargetLoaders(prisma: Prisma, occasionScopedOnly = false) {
  return {
    occasion: occasionScopedOnly
      ? // A user's grants live inside occasions and go with them, so "no standing" already means NOT_FOUND: no query needed.
        async (id: string): Promise<Target> => {
          if (!UUID.test(id)) throw notFound('Occasion');
          return { occasionId: id };
        }
      : loader(
          'Occasion',
          (ids) => prisma.occasion.findMany({ where: { id: { in: uuidsOnly(ids) } }, select: { id: true } }),
          (r) => ({ occasionId: r.id }),
        ),
    event: loader(
      'Event',
      (ids) => prisma.event.findMany({ where: { id: { in: uuidsOnly(ids) } }, select: { id: true, occasionId: true } }),
      (r) => ({ occasionId: r.occasionId, eventId: r.id }),
    ),
    actor: loader(
      'Actor',
      (ids) => prisma.actor.findMany({ where: { id: { in: uuidsOnly(ids) } }, select: { id: true, occasionId: true } }),
      (r) => ({ occasionId: r.occasionId, resource: { type: 'Actor', id: r.id } }),
    ),
    tag: loader(
      'Tag',
      (ids) => prisma.tag.findMany({ where: { id: { in: uuidsOnly(ids) } }, select: { id: true, occasionId: true } }),
      (r) => ({ occasionId: r.occasionId, resource: { type: 'Tag', id: r.id } }),
    ),
    membership: loader(
      'Membership',
      (ids) => prisma.membership.findMany({ where: { id: { in: uuidsOnly(ids) } }, select: { id: true, occasionId: true, groupActorId: true } }),
      (r) => ({ occasionId: r.occasionId, resource: { type: 'Actor', id: r.groupActorId } }),
    ),
    relationship: loader(
      'Relationship',
      (ids) => prisma.relationship.findMany({ where: { id: { in: uuidsOnly(ids) } }, select: { id: true, occasionId: true, fromActorId: true } }),
      (r) => ({ occasionId: r.occasionId, resource: { type: 'Actor', id: r.fromActorId } }),
    ),
    installation: loader(
      'Module installation',
      (ids) => prisma.moduleInstallation.findMany({ where: { id: { in: uuidsOnly(ids) } }, select: { id: true, occasionId: true } }),
      (r) => ({ occasionId: r.occasionId, installationId: r.id }),
    ),
    enablement: loader(
      'Module enablement',
      (ids) =>
        prisma.moduleEnablement.findMany({
          where: { id: { in: uuidsOnly(ids) } },
          select: { id: true, occasionId: true, installationId: true, eventId: true },
        }),
      (r) => ({ occasionId: r.occasionId, installationId: r.installationId, eventId: r.eventId, enablementId: r.id }),
    ),
    grant: loader(
      'Grant',
      (ids) => prisma.grant.findMany({ where: { id: { in: uuidsOnly(ids) }, occasionId: { not: null } }, select: { id: true, occasionId: true } }),
      (r) => ({ occasionId: r.occasionId!, resource: { type: 'Grant', id: r.id } }),
    ),
    collaboratorInvitation: loader(
      'Invitation',
      (ids) => prisma.collaboratorInvitation.findMany({ where: { id: { in: uuidsOnly(ids) } }, select: { id: true, occasionId: true } }),
      (r) => ({ occasionId: r.occasionId, resource: { type: 'CollaboratorInvitation', id: r.id } }),
    ),
  };
}

export type TargetLoaders = ReturnType<typeof createTargetLoaders>;
