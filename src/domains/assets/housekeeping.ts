import { recordAudit } from '../../platform/audit.js';
import type { Caller } from '../../platform/principal.js';
import { type CleanupDeps, purgeObjects, sweepDeletions } from './storage-cleanup.js';

/*
 * What the assets runtime's sweep does besides variants: direct uploads never
 * finalized are dropped once past their time (row, reservation and object),
 * and objects left to delete are deleted.
 */

const SWEEPER: Caller = { principal: { kind: 'system', reason: 'asset-sweep', actions: [] }, requestId: 'asset-sweep' };
const BATCH = 200;

/** Drops direct uploads past uploadExpiresAt, a batch at a time; how many. */
export async function expireUploads(deps: CleanupDeps): Promise<number> {
  let total = 0;
  for (;;) {
    const gone = await deps.db.prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ id: string; occasion_id: string; storage_key: string; filename: string; reserved_bytes: bigint }[]>`
        DELETE FROM assets WHERE id IN (
          SELECT id FROM assets WHERE status = 'UPLOADING' AND upload_expires_at < now() ORDER BY upload_expires_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED
        ) RETURNING id, occasion_id, storage_key, filename, reserved_bytes`;
      for (const r of rows) {
        await recordAudit(tx, SWEEPER, {
          action: 'asset:upload_expired',
          occasionId: r.occasion_id,
          target: { type: 'Asset', id: r.id },
          before: { filename: r.filename, reservedBytes: r.reserved_bytes },
        });
      }
      return rows;
    });
    if (gone.length)
      await purgeObjects(
        deps,
        gone.map((r) => r.storage_key),
      );
    total += gone.length;
    if (gone.length < BATCH) return total;
  }
}

export interface HousekeepingResult {
  expiredUploads: number;
  deletedObjects: number;
}

export async function runHousekeeping(deps: CleanupDeps): Promise<HousekeepingResult> {
  const expiredUploads = await expireUploads(deps);
  const deletedObjects = await sweepDeletions(deps);
  return { expiredUploads, deletedObjects };
}
