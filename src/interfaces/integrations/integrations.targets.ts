import { defineTarget, type TargetLoader } from '../../kit/targets.js';

declare module '../../kit/targets.js' {
  interface TargetLoaders {
    integrationConnection: TargetLoader;
  }
}

export const INTEGRATION_TARGETS = {
  // Platform connections (no occasion) are not reachable by id here: they are managed through their integration.
  integrationConnection: defineTarget({
    what: 'Connection',
    fetch: (prisma, ids) =>
      prisma.integrationConnection.findMany({ where: { id: { in: ids }, occasionId: { not: null } }, select: { id: true, occasionId: true } }),
    toTarget: (r) => ({ occasionId: r.occasionId!, resource: { type: 'IntegrationConnection', id: r.id } }),
  }),
};
