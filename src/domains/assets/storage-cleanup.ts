import type { Database } from '../../platform/db/client.js';
import type { ObjectStorage } from '../../platform/storage/storage.js';
import type { Logger } from 'pino';

/*
 * Objects whose rows are gone are deleted after the commit, and whatever that
 * misses (storage down, a process killed) by the sweep. The list is
 * asset_storage_deletions, which triggers keep (a deleted or moved row leaves
 * its key there; a row taking a key takes it off). Before an upload's bytes
 * are put, its key goes there as an intent due later: if the upload's row
 * never commits (refused, crashed), the sweep deletes what was put. A key some
 * row still names is never deleted, whatever the list says.
 */

/** How long an intent waits: longer than any upload's transaction. */
const INTENT_GRACE = '1 hour';

export interface CleanupDeps {
  db: Database;
  storage: ObjectStorage;
  logger: Logger;
}

/** Written in its own statement (not the upload's transaction): it must outlive that transaction's rollback. */
export async function recordUploadIntent(db: Database, storageKey: string): Promise<void> {
  await db.query(
    `INSERT INTO asset_storage_deletions (storage_key, due_at) VALUES ($1, now() + interval '${INTENT_GRACE}') ON CONFLICT (storage_key) DO NOTHING`,
    [storageKey],
  );
}

/** Deletes the objects at `keys` that no row names now, and their entries; a failure is logged and left to the sweep. */
export async function purgeObjects(deps: CleanupDeps, keys: readonly string[]): Promise<number> {
  if (!keys.length) return 0;
  const inUse = new Set(
    (
      await deps.db.query<{ storage_key: string }>(
        `SELECT storage_key FROM assets WHERE storage_key = ANY($1::text[]) UNION SELECT storage_key FROM asset_variants WHERE storage_key = ANY($1::text[])`,
        [keys],
      )
    ).map((r) => r.storage_key),
  );
  let deleted = 0;
  for (const key of keys) {
    try {
      if (!inUse.has(key)) await deps.storage.delete(key);
      await deps.db.query(`DELETE FROM asset_storage_deletions WHERE storage_key = $1`, [key]);
      deleted++;
    } catch (err) {
      deps.logger.warn({ err, storageKey: key }, 'stored object could not be deleted; the sweep tries again');
      await deps.db
        .query(
          `UPDATE asset_storage_deletions SET attempts = attempts + 1, last_error = $2,
             due_at = now() + make_interval(secs => LEAST(3600, 30 * power(2, LEAST(attempts, 7))))
           WHERE storage_key = $1`,
          [key, String((err as Error)?.message ?? err).slice(0, 500)],
        )
        .catch(() => {});
    }
  }
  return deleted;
}

/** The entries due now, a batch at a time; how many objects were dealt with. */
export async function sweepDeletions(deps: CleanupDeps, batch = 200): Promise<number> {
  let total = 0;
  for (;;) {
    const due = await deps.db.query<{ storage_key: string }>(
      `SELECT storage_key FROM asset_storage_deletions WHERE due_at <= now() ORDER BY due_at LIMIT ${batch}`,
    );
    if (!due.length) return total;
    const done = await purgeObjects(
      deps,
      due.map((d) => d.storage_key),
    );
    total += done;
    // Failures moved their entries later: stop rather than meet them again in this sweep.
    if (due.length < batch || done < due.length) return total;
  }
}
