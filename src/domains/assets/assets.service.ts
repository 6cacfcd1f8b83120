import { recordAudit } from '../../platform/audit.js';
import type { Tx } from '../../platform/db/client.js';
import { notFound } from '../../platform/errors.js';
import { recordBusinessEvent } from '../../platform/outbox.js';
import type { Caller } from '../../platform/principal.js';
import { assetDeleted } from './assets.business-events.js';
import { AssetInUseError, SystemAssetError } from './assets.errors.js';
import type { AssetVisibility } from './uploads.service.js';

/*
 * Changing and deleting files. A file still attached to something cannot be
 * deleted (the error lists where it is used; the foreign key says the same if
 * a request slips past this check); generated files go with what generated
 * them. Its bytes go after the commit (deleteAsset returns their keys).
 */

/** Deletes the asset's row (and its variants' rows); returns the storage keys to purge once committed. */
export async function deleteAsset(tx: Tx, caller: Caller, assetId: string): Promise<{ id: string; storageKeys: string[] }> {
  // Locked: an attach running now waits for this to finish (and then finds no asset), rather than the other way round.
  const [locked] = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM assets WHERE id = ${assetId}::uuid FOR UPDATE`;
  if (!locked) throw notFound('Asset');
  const before = await tx.asset.findUniqueOrThrow({
    where: { id: assetId },
    include: { variants: { select: { storageKey: true } }, attachments: { orderBy: [{ subjectType: 'asc' }, { position: 'asc' }] } },
  });
  if (before.system) throw new SystemAssetError();
  if (before.attachments.length) {
    throw new AssetInUseError(before.attachments.map((a) => ({ subjectType: a.subjectType, subjectId: a.subjectId, role: a.role })));
  }
  await tx.asset.delete({ where: { id: assetId } });
  const { variants: _v, attachments: _a, ...row } = before;
  await recordAudit(tx, caller, { action: 'asset:delete', occasionId: before.occasionId, target: { type: 'Asset', id: assetId }, before: row });
  await recordBusinessEvent(tx, caller, assetDeleted, { occasionId: before.occasionId, assetId }, { occasionId: before.occasionId });
  return { id: assetId, storageKeys: [before.storageKey, ...before.variants.map((v) => v.storageKey)] };
}

export async function setAssetVisibility(tx: Tx, caller: Caller, assetId: string, visibility: AssetVisibility) {
  const before = await tx.asset.findUnique({ where: { id: assetId } });
  if (!before) throw notFound('Asset');
  if (before.visibility === visibility) return before;
  const after = await tx.asset.update({ where: { id: assetId }, data: { visibility } });
  await recordAudit(tx, caller, {
    action: 'asset:set_visibility',
    occasionId: before.occasionId,
    target: { type: 'Asset', id: assetId },
    before: { visibility: before.visibility },
    after: { visibility },
  });
  return after;
}
