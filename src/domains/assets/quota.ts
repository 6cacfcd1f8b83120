import type { Prisma, Tx } from '../../platform/db/client.js';
import { QuotaExceededError } from './assets.errors.js';

/*
 * An occasion's files count against its quota (its own, else ASSET_QUOTA_BYTES):
 * every READY file by its size (generated files too), and every direct upload
 * still under way by the size it reserved. Writers take the occasion row's
 * lock first (FOR NO KEY UPDATE: other writes to the occasion's tables are not
 * held up), so two uploads racing for the last bytes are decided one after
 * the other instead of both fitting.
 */

export interface AssetUsage {
  usedBytes: number;
  quotaBytes: number;
}

async function usedBytes(db: Prisma | Tx, occasionId: string): Promise<number> {
  const [row] = await db.$queryRaw<{ used: bigint | null }[]>`
    SELECT COALESCE(SUM(CASE WHEN status = 'READY' THEN COALESCE(byte_size, 0) ELSE reserved_bytes END), 0)::bigint AS used
    FROM assets
    WHERE occasion_id = ${occasionId}::uuid AND (status = 'READY' OR upload_expires_at > now())`;
  return Number(row?.used ?? 0);
}

/** The occasion's usage, read without a lock (for display, and to refuse an upload early). */
export async function assetUsage(db: Prisma | Tx, occasionId: string, defaultQuota: number): Promise<AssetUsage> {
  const occasion = await db.occasion.findUnique({ where: { id: occasionId }, select: { assetQuotaBytes: true } });
  return {
    usedBytes: await usedBytes(db, occasionId),
    quotaBytes: occasion?.assetQuotaBytes != null ? Number(occasion.assetQuotaBytes) : defaultQuota,
  };
}

/** Throws QuotaExceededError unless `bytes` more fit. */
export function assertFits(usage: AssetUsage, bytes: number): void {
  if (usage.usedBytes + bytes > usage.quotaBytes) throw new QuotaExceededError(usage.usedBytes, usage.quotaBytes, bytes);
}

/** Locks the occasion's row for the rest of the transaction, then checks that `bytes` more fit. */
export async function reserveQuota(tx: Tx, occasionId: string, bytes: number, defaultQuota: number): Promise<AssetUsage> {
  const [occasion] = await tx.$queryRaw<{ quota: bigint | null }[]>`
    SELECT asset_quota_bytes AS quota FROM occasions WHERE id = ${occasionId}::uuid FOR NO KEY UPDATE`;
  const usage = { usedBytes: await usedBytes(tx, occasionId), quotaBytes: occasion?.quota != null ? Number(occasion.quota) : defaultQuota };
  assertFits(usage, bytes);
  return usage;
}
