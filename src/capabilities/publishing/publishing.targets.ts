import type { Target } from '../../kit/authorization.js';
import { defineTarget, type TargetLoader } from '../../kit/targets.js';
import { grantResourceTypes } from '../../domains/permissions/permissions.service.js';

declare module '../../kit/targets.js' {
  interface TargetLoaders {
    artifact: TargetLoader;
    artifactVersion: TargetLoader;
  }
}

/**
 * An artifact is a resource of its occasion: occasion grants cover it, and a
 * RESOURCE grant on one artifact (a printer's) covers that artifact and each
 * of its versions, without anything else of the occasion.
 */
export const artifactTarget = (occasionId: string, artifactId: string): Target => ({ occasionId, resource: { type: 'Artifact', id: artifactId } });

export const PUBLISHING_TARGETS = {
  artifact: defineTarget({
    what: 'Artifact',
    fetch: (prisma, ids) => prisma.artifact.findMany({ where: { id: { in: ids } }, select: { id: true, occasionId: true } }),
    toTarget: (r) => artifactTarget(r.occasionId, r.id),
  }),
  artifactVersion: defineTarget({
    what: 'Artifact version',
    fetch: (prisma, ids) => prisma.artifactVersion.findMany({ where: { id: { in: ids } }, select: { id: true, occasionId: true, artifactId: true } }),
    toTarget: (r) => artifactTarget(r.occasionId, r.artifactId),
  }),
};

// A printer is granted one artifact (RESOURCE scope): grants may name artifacts of the occasion.
grantResourceTypes.set(
  'Artifact',
  async (db, occasionId, id) => !!(await db.artifact.findFirst({ where: { id, occasionId }, select: { id: true } })),
);
