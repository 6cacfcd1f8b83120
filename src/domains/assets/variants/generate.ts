import sharp from 'sharp';
import type { Logger } from 'pino';
import type { Database } from '../../../platform/db/client.js';
import type { ObjectStorage } from '../../../platform/storage/storage.js';
import { MAX_IMAGE_PIXELS } from '../file-inspection.js';
import { VARIANT_CONTENT_TYPE, VARIANT_PRESETS, type VariantPreset } from './presets.js';

/*
 * One attempt at one variant. The row decides: it is taken (attempts + 1, a
 * lease the runtime's heartbeat renews) only while PENDING and not leased by
 * a live worker, so a variant queued twice, or found again by the sweep, is
 * made by one worker at a time, and a killed worker's variant goes to another
 * once its lease lapses. Its key is fixed (presets.ts): a worker that dies
 * after the put and before the update leaves an object the next attempt
 * overwrites. A failure is tried again later (the lease then says when), up
 * to maxAttempts, then FAILED with its error; a file that can never make one
 * (gone, undecodable) fails at once.
 */

export interface VariantWorkerDeps {
  db: Database;
  storage: ObjectStorage;
  logger: Logger;
  leaseMs: number;
  maxAttempts: number;
  /** Before the n-th retry: retryDelayMs × 2^(n−1). */
  retryDelayMs: number;
}

export type VariantOutcome = { status: 'PENDING'; nextAttemptAt: Date } | { status: 'READY' | 'FAILED' | 'SKIPPED' };

interface Claimed {
  id: string;
  preset: string;
  storage_key: string;
  attempts: number;
  source_key: string;
}

/** Refusals no retry can change. */
class PermanentVariantError extends Error {}

export function createVariantWorker(deps: VariantWorkerDeps) {
  const inFlight = new Set<string>();

  async function claim(id: string): Promise<Claimed | VariantOutcome> {
    const rows = await deps.db.query<Claimed>(
      `UPDATE asset_variants v SET attempts = v.attempts + 1, lease_until = now() + make_interval(secs => $2)
       FROM assets a
       WHERE v.id = $1 AND a.id = v.asset_id AND v.status = 'PENDING' AND (v.lease_until IS NULL OR v.lease_until < now())
       RETURNING v.id, v.preset, v.storage_key, v.attempts, a.storage_key AS source_key`,
      [id, deps.leaseMs / 1000],
    );
    if (rows[0]) return rows[0];
    const row = await deps.db.prisma.assetVariant.findUnique({ where: { id }, select: { status: true, leaseUntil: true } });
    // Leased by a live worker (or waiting for its retry): come back when that lapses.
    if (row?.status === 'PENDING' && row.leaseUntil) return { status: 'PENDING', nextAttemptAt: row.leaseUntil };
    return { status: 'SKIPPED' };
  }

  async function make(v: Claimed): Promise<{ bytes: Buffer; width: number; height: number }> {
    const preset = VARIANT_PRESETS[v.preset as VariantPreset];
    if (!preset) throw new PermanentVariantError(`No preset named ${v.preset}.`);
    const source = await deps.storage.get(v.source_key);
    if (!source) throw new PermanentVariantError('The original file is gone.');
    let out;
    try {
      out = await sharp(source, { limitInputPixels: MAX_IMAGE_PIXELS })
        .rotate()
        .resize({ width: preset.size, height: preset.size, fit: 'inside', withoutEnlargement: true })
        .webp({ quality: preset.quality })
        .toBuffer({ resolveWithObject: true });
    } catch (e) {
      throw new PermanentVariantError(`The image cannot be decoded: ${(e as Error).message}`);
    }
    return { bytes: out.data, width: out.info.width, height: out.info.height };
  }

  async function attempt(id: string): Promise<VariantOutcome> {
    const claimed = await claim(id);
    if ('status' in claimed) return claimed;
    inFlight.add(id);
    try {
      const made = await make(claimed);
      await deps.storage.put(claimed.storage_key, made.bytes, { contentType: VARIANT_CONTENT_TYPE });
      await deps.db.query(
        `UPDATE asset_variants SET status = 'READY', content_type = $2, byte_size = $3, width = $4, height = $5,
           lease_until = NULL, error = NULL, ready_at = now()
         WHERE id = $1 AND status = 'PENDING'`,
        [id, VARIANT_CONTENT_TYPE, made.bytes.byteLength, made.width, made.height],
      );
      return { status: 'READY' };
    } catch (err) {
      const permanent = err instanceof PermanentVariantError;
      const message = String((err as Error)?.message ?? err).slice(0, 500);
      if (permanent || claimed.attempts >= deps.maxAttempts) {
        deps.logger.warn({ err, variantId: id, attempts: claimed.attempts }, 'image variant failed');
        await deps.db.query(`UPDATE asset_variants SET status = 'FAILED', error = $2, lease_until = NULL WHERE id = $1 AND status = 'PENDING'`, [
          id,
          message,
        ]);
        return { status: 'FAILED' };
      }
      const nextAttemptAt = new Date(Date.now() + deps.retryDelayMs * 2 ** (claimed.attempts - 1));
      deps.logger.info({ err, variantId: id, attempts: claimed.attempts, nextAttemptAt }, 'image variant attempt failed; trying again');
      await deps.db.query(`UPDATE asset_variants SET error = $2, lease_until = $3 WHERE id = $1 AND status = 'PENDING'`, [
        id,
        message,
        nextAttemptAt,
      ]);
      return { status: 'PENDING', nextAttemptAt };
    } finally {
      inFlight.delete(id);
    }
  }

  /** Keeps this worker's leases while it works (a variant of a large image can outlast one). */
  async function renewLeases(): Promise<void> {
    if (!inFlight.size) return;
    await deps.db.query(
      `UPDATE asset_variants SET lease_until = now() + make_interval(secs => $2) WHERE id = ANY($1::uuid[]) AND status = 'PENDING'`,
      [[...inFlight], deps.leaseMs / 1000],
    );
  }

  return { attempt, renewLeases };
}
