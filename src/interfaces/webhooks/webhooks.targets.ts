import { defineTarget, type TargetLoader } from '../../kit/targets.js';

declare module '../../kit/targets.js' {
  interface TargetLoaders {
    webhookEndpoint: TargetLoader;
  }
}

export const WEBHOOK_TARGETS = {
  // Endpoints of platform connections are operators' (integration:manage at PLATFORM), not reachable here.
  webhookEndpoint: defineTarget({
    what: 'Webhook endpoint',
    fetch: (prisma, ids) =>
      prisma.webhookEndpoint.findMany({
        where: { id: { in: ids }, occasionId: { not: null } },
        select: { id: true, occasionId: true, connectionId: true },
      }),
    toTarget: (r) => ({ occasionId: r.occasionId!, resource: { type: 'IntegrationConnection', id: r.connectionId } }),
  }),
};
