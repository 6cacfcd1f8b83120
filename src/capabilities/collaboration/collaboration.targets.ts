import { defineTarget, type TargetLoader } from '../../kit/targets.js';

declare module '../../kit/targets.js' {
  interface TargetLoaders {
    task: TargetLoader;
  }
}

/**
 * A task is a resource of its occasion: planners act on it with tasks:manage
 * held occasion-wide. (Its event, if any, is left out of the target: a task
 * is managed with the occasion, and a helper acts through candidacy, not grants.)
 */
export const COLLABORATION_TARGETS = {
  task: defineTarget({
    what: 'Task',
    fetch: (prisma, ids) => prisma.task.findMany({ where: { id: { in: ids } }, select: { id: true, occasionId: true } }),
    toTarget: (r) => ({ occasionId: r.occasionId }),
  }),
};
