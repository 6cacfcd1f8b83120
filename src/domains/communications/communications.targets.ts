import { defineTarget, type TargetLoader } from '../../kit/targets.js';

declare module '../../kit/targets.js' {
  interface TargetLoaders {
    commDelivery: TargetLoader;
    commSend: TargetLoader;
    commSuppression: TargetLoader;
    commReminder: TargetLoader;
    commThread: TargetLoader;
  }
}

export const COMMUNICATIONS_TARGETS = {
  commDelivery: defineTarget({
    what: 'Message',
    fetch: (prisma, ids) => prisma.commDelivery.findMany({ where: { id: { in: ids } }, select: { id: true, occasionId: true } }),
    toTarget: (r) => ({ occasionId: r.occasionId, resource: { type: 'CommDelivery', id: r.id } }),
  }),
  commSend: defineTarget({
    what: 'Send',
    fetch: (prisma, ids) => prisma.commSend.findMany({ where: { id: { in: ids } }, select: { id: true, occasionId: true } }),
    toTarget: (r) => ({ occasionId: r.occasionId, resource: { type: 'CommSend', id: r.id } }),
  }),
  commReminder: defineTarget({
    what: 'Reminder',
    fetch: (prisma, ids) => prisma.commReminder.findMany({ where: { id: { in: ids } }, select: { id: true, occasionId: true, eventId: true } }),
    toTarget: (r) => ({ occasionId: r.occasionId, eventId: r.eventId, resource: { type: 'CommReminder', id: r.id } }),
  }),
  commSuppression: defineTarget({
    what: 'Suppressed address',
    fetch: (prisma, ids) => prisma.commSuppression.findMany({ where: { id: { in: ids } }, select: { id: true, occasionId: true } }),
    toTarget: (r) => ({ occasionId: r.occasionId, resource: { type: 'CommSuppression', id: r.id } }),
  }),
  commThread: defineTarget({
    what: 'Thread',
    fetch: (prisma, ids) => prisma.commThread.findMany({ where: { id: { in: ids } }, select: { id: true, occasionId: true } }),
    toTarget: (r) => ({ occasionId: r.occasionId, resource: { type: 'CommThread', id: r.id } }),
  }),
};
