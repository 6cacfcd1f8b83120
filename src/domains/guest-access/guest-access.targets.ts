import { defineTarget, type TargetLoader } from '../../kit/targets.js';

declare module '../../kit/targets.js' {
  interface TargetLoaders {
    guestAccess: TargetLoader;
  }
}

export const GUEST_ACCESS_TARGETS = {
  guestAccess: defineTarget({
    what: 'Guest access',
    fetch: (prisma, ids) => prisma.guestAccess.findMany({ where: { id: { in: ids } }, select: { id: true, occasionId: true } }),
    toTarget: (r) => ({ occasionId: r.occasionId, resource: { type: 'GuestAccess', id: r.id } }),
  }),
};
