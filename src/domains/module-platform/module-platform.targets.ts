import { defineTarget, type TargetLoader } from '../../kit/targets.js';

declare module '../../kit/targets.js' {
  interface TargetLoaders {
    installation: TargetLoader;
    enablement: TargetLoader;
  }
}

export const MODULE_TARGETS = {
  installation: defineTarget({
    what: 'Module installation',
    fetch: (prisma, ids) => prisma.moduleInstallation.findMany({ where: { id: { in: ids } }, select: { id: true, occasionId: true } }),
    toTarget: (r) => ({ occasionId: r.occasionId, installationId: r.id }),
  }),
  enablement: defineTarget({
    what: 'Module enablement',
    fetch: (prisma, ids) =>
      prisma.moduleEnablement.findMany({
        where: { id: { in: ids } },
        select: { id: true, occasionId: true, installationId: true, eventId: true },
      }),
    toTarget: (r) => ({ occasionId: r.occasionId, installationId: r.installationId, eventId: r.eventId, enablementId: r.id }),
  }),
};
