import { defineAssetSubject } from '../../domains/assets/asset-subjects.js';
import { artifactTarget } from './publishing.targets.js';

/**
 * A version's files are assets attached to it (role print_pdf…), written by
 * the render job only. The visibility hook: whoever may read the version may
 * read its files — a published one with artifact:read (a printer granted that
 * artifact), a draft with artifact:manage.
 */
export const PUBLISHING_ASSET_SUBJECTS = [
  defineAssetSubject({
    type: 'ArtifactVersion',
    what: 'Artifact version',
    occasionOf: async (db, id) => (await db.artifactVersion.findUnique({ where: { id }, select: { occasionId: true } }))?.occasionId ?? null,
    attachAction: null,
    roles: ['print_pdf', 'preview', 'qr_package'],
    async canRead(ctx, subject) {
      const v = await ctx.prisma.artifactVersion.findUnique({ where: { id: subject.id }, select: { status: true, artifactId: true } });
      if (!v) return false;
      const published = v.status === 'PUBLISHED' || v.status === 'SUPERSEDED';
      return ctx.authz.can(published ? 'artifact:read' : 'artifact:manage', artifactTarget(subject.occasionId, v.artifactId));
    },
  }),
];
