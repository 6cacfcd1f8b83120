import { defineTarget, type TargetLoader } from '../../kit/targets.js';

declare module '../../kit/targets.js' {
  interface TargetLoaders {
    grant: TargetLoader;
    collaboratorInvitation: TargetLoader;
  }
}

export const PERMISSION_TARGETS = {
  // Platform grants (no occasion) are an operator's, managed through their integration: not reachable by id here.
  grant: defineTarget({
    what: 'Grant',
    fetch: (prisma, ids) => prisma.grant.findMany({ where: { id: { in: ids }, occasionId: { not: null } }, select: { id: true, occasionId: true } }),
    toTarget: (r) => ({ occasionId: r.occasionId!, resource: { type: 'Grant', id: r.id } }),
  }),
  collaboratorInvitation: defineTarget({
    what: 'Invitation',
    fetch: (prisma, ids) => prisma.collaboratorInvitation.findMany({ where: { id: { in: ids } }, select: { id: true, occasionId: true } }),
    toTarget: (r) => ({ occasionId: r.occasionId, resource: { type: 'CollaboratorInvitation', id: r.id } }),
  }),
};
