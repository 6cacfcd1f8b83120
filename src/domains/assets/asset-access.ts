import type { Context } from '../../kit/context.js';
import { isUuid } from '../../kit/ids.js';
import { requestLoader } from '../../kit/request-loader.js';

/*
 * Who besides holders of asset:read may read a file (the Asset type's rule,
 * canTypeOrVisible): guests of its occasion when the planners made it visible
 * to guests, and whoever the visibility hook of a subject it is attached to
 * lets read it there (an artifact version's files: whoever may read that
 * version). Anyone else gets NOT_FOUND.
 */

interface AttachmentRow {
  subjectType: string;
  subjectId: string;
  role: string;
}

/** A page of assets' attachments in one statement, asked for only when a caller has no asset:read. */
const attachmentsOf = requestLoader<AttachmentRow[]>(async (ctx, assetIds) => {
  const rows = await ctx.prisma.assetAttachment.findMany({
    where: { assetId: { in: assetIds.filter(isUuid) } },
    select: { assetId: true, subjectType: true, subjectId: true, role: true },
  });
  const out = new Map<string, AttachmentRow[]>();
  for (const { assetId, ...a } of rows) out.set(assetId, [...(out.get(assetId) ?? []), a]);
  return out;
});

export async function visibleWithoutAssetRead(ctx: Context, asset: { id: string; occasionId: string; visibility: string }): Promise<boolean> {
  const p = ctx.principal;
  if (asset.visibility === 'GUESTS' && p.kind === 'guest' && p.occasionId === asset.occasionId) return true;
  for (const a of (await attachmentsOf(ctx, asset.id)) ?? []) {
    const subject = ctx.app.assetSubjects.get(a.subjectType);
    if (subject && (await subject.canRead(ctx, { id: a.subjectId, occasionId: asset.occasionId }, a.role))) return true;
  }
  return false;
}
