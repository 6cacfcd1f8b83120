import { defineTarget, type TargetLoader } from '../../kit/targets.js';

declare module '../../kit/targets.js' {
  interface TargetLoaders {
    asset: TargetLoader;
  }
}

export const ASSET_TARGETS = {
  asset: defineTarget({
    what: 'Asset',
    fetch: (prisma, ids) => prisma.asset.findMany({ where: { id: { in: ids } }, select: { id: true, occasionId: true } }),
    toTarget: (r) => ({ occasionId: r.occasionId, resource: { type: 'Asset', id: r.id } }),
  }),
};
