import { defineTarget, type TargetLoader } from '../../kit/targets.js';

declare module '../../kit/targets.js' {
  interface TargetLoaders {
    event: TargetLoader;
  }
}

export const EVENT_TARGETS = {
  event: defineTarget({
    what: 'Event',
    fetch: (prisma, ids) => prisma.event.findMany({ where: { id: { in: ids } }, select: { id: true, occasionId: true } }),
    toTarget: (r) => ({ occasionId: r.occasionId, eventId: r.id }),
  }),
};
