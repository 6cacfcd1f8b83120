import { defineTarget, type TargetLoader } from '../../kit/targets.js';

declare module '../../kit/targets.js' {
  interface TargetLoaders {
    occasion: TargetLoader;
  }
}

/** An occasion is its own target. */
export const OCCASION_TARGETS = {
  occasion: defineTarget({
    what: 'Occasion',
    fetch: (prisma, ids) => prisma.occasion.findMany({ where: { id: { in: ids } }, select: { id: true } }),
    toTarget: (r) => ({ occasionId: r.id }),
    fromIdForUsers: (id) => ({ occasionId: id }),
  }),
};
