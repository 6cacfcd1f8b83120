import type { Context } from '../../kit/context.js';
import { requestLoader } from '../../kit/request-loader.js';
import type { Tx } from '../../platform/db/client.js';

/*
 * Read state: one row per (thread, reader) with how far the reader got. A
 * message is unread for a reader when it came after that point and someone
 * else wrote it. Readers are actors: a planner's own, a vendor contact's own,
 * a guest link's unit (a household reads as one).
 */

const key = (threadId: string, readerId: string) => `${threadId}|${readerId}`;

/** A page of threads' unread counts in two statements, whatever the page size. */
const unreadLoader = requestLoader<number>(async (ctx, keys) => {
  const pairs = keys.map((k) => {
    const [threadId, readerId] = k.split('|') as [string, string];
    return { threadId, readerId };
  });
  const reads = await ctx.prisma.commThreadRead.findMany({ where: { OR: pairs }, select: { threadId: true, readerId: true, lastReadAt: true } });
  const readUpTo = new Map(reads.map((r) => [key(r.threadId, r.readerId), r.lastReadAt]));
  // Within one request a thread has one reader (the caller's), so counting by thread is counting by key.
  const counts = await ctx.prisma.commThreadMessage.groupBy({
    by: ['threadId'],
    where: {
      OR: pairs.map(({ threadId, readerId }) => {
        const after = readUpTo.get(key(threadId, readerId));
        return {
          threadId,
          ...(after ? { createdAt: { gt: after } } : {}),
          OR: [{ authorActorId: null }, { authorActorId: { not: readerId } }],
        };
      }),
    },
    _count: { _all: true },
  });
  const byThread = new Map(counts.map((c) => [c.threadId, c._count._all]));
  return new Map(pairs.map((p) => [key(p.threadId, p.readerId), byThread.get(p.threadId) ?? 0]));
});

export async function unreadCount(ctx: Context, threadId: string, readerId: string): Promise<number> {
  return (await unreadLoader(ctx, key(threadId, readerId))) ?? 0;
}

export async function lastReadAt(ctx: Context, threadId: string, readerId: string): Promise<Date | null> {
  const r = await ctx.prisma.commThreadRead.findUnique({ where: { threadId_readerId: { threadId, readerId } }, select: { lastReadAt: true } });
  return r?.lastReadAt ?? null;
}

/** Moves the reader's point forward to `at` (never back: a late, older mark must not make read messages unread again). */
export async function markReadUpTo(tx: Tx, threadId: string, readerId: string, at: Date): Promise<void> {
  await tx.$executeRaw`
    INSERT INTO comm_thread_reads (thread_id, reader_id, last_read_at) VALUES (${threadId}::uuid, ${readerId}::uuid, ${at})
    ON CONFLICT (thread_id, reader_id) DO UPDATE SET last_read_at = GREATEST(comm_thread_reads.last_read_at, EXCLUDED.last_read_at)`;
}
