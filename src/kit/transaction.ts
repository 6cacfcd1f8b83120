import type { Tx } from '../platform/db/client.js';
import { ConflictError } from '../platform/errors.js';
import { collectBusinessEvents, type RecordedBusinessEvent } from '../platform/outbox.js';
import type { AppServices, Context } from './context.js';

/**
 * Runs one mutation's work in one transaction: its rows, its audit row and its
 * outbox rows commit together or not at all. Permission checks made inside
 * read through the same transaction. Cached grants are dropped after a write,
 * so the rest of the response sees what the write changed.
 *
 * The events it recorded go to live subscribers only once `$transaction` has
 * resolved, i.e. after COMMIT: a rolled-back write publishes nothing.
 */
export async function inTransaction<T>(ctx: Context, fn: (tx: Tx) => Promise<T>): Promise<T> {
  try {
    return await inAppTransaction(ctx.app, (tx) => ctx.authz.within(tx, () => fn(tx)), ctx.prisma);
  } finally {
    ctx.authz.clear();
  }
}

/**
 * The same for a write that comes in outside GraphQL (a guest page's form, a
 * message link): one transaction, its business events to live subscribers
 * after COMMIT, a unique-index race answered as a ConflictError.
 */
export async function inAppTransaction<T>(app: AppServices, fn: (tx: Tx) => Promise<T>, prisma = app.db.prisma): Promise<T> {
  try {
    let recorded: RecordedBusinessEvent[] = [];
    const result = await prisma.$transaction(
      (tx) => {
        recorded = collectBusinessEvents(tx);
        return fn(tx);
      },
      { timeout: 20_000, maxWait: 10_000 },
    );
    // Not awaited: the response does not wait for subscribers, and a failure to publish never fails a committed write.
    if (recorded.length) app.live.committed(recorded);
    return result;
  } catch (e) {
    // Two requests racing past a service's duplicate check meet the unique index: same answer as the check.
    if (isUniqueViolation(e)) throw new ConflictError('That already exists (it was created by a concurrent request).');
    throw e;
  }
}

function isUniqueViolation(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: string }).code === 'P2002';
}
