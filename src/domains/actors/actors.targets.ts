import { defineTarget, type TargetLoader } from '../../kit/targets.js';

declare module '../../kit/targets.js' {
  interface TargetLoaders {
    actor: TargetLoader;
    tag: TargetLoader;
    membership: TargetLoader;
    relationship: TargetLoader;
  }
}

/** Memberships and relationships are guarded as part of the actor they belong to (the group, the "from" side). */
export const ACTOR_TARGETS = {
  actor: defineTarget({
    what: 'Actor',
    fetch: (prisma, ids) => prisma.actor.findMany({ where: { id: { in: ids } }, select: { id: true, occasionId: true } }),
    toTarget: (r) => ({ occasionId: r.occasionId, resource: { type: 'Actor', id: r.id } }),
  }),
  tag: defineTarget({
    what: 'Tag',
    fetch: (prisma, ids) => prisma.tag.findMany({ where: { id: { in: ids } }, select: { id: true, occasionId: true } }),
    toTarget: (r) => ({ occasionId: r.occasionId, resource: { type: 'Tag', id: r.id } }),
  }),
  membership: defineTarget({
    what: 'Membership',
    fetch: (prisma, ids) => prisma.membership.findMany({ where: { id: { in: ids } }, select: { id: true, occasionId: true, groupActorId: true } }),
    toTarget: (r) => ({ occasionId: r.occasionId, resource: { type: 'Actor', id: r.groupActorId } }),
  }),
  relationship: defineTarget({
    what: 'Relationship',
    fetch: (prisma, ids) => prisma.relationship.findMany({ where: { id: { in: ids } }, select: { id: true, occasionId: true, fromActorId: true } }),
    toTarget: (r) => ({ occasionId: r.occasionId, resource: { type: 'Actor', id: r.fromActorId } }),
  }),
};
