import type { Prisma as P } from '../../generated/prisma/client.js';
import { csvText } from '../../kit/csv.js';
import type { Prisma, Tx } from '../../platform/db/client.js';

/**
 * The communication log as CSV, one row per message, newest first, for a
 * planner's spreadsheet. Names come from the actors as they are now; the
 * address column only for callers who may read contact details. Read in
 * pages, so a large occasion costs a few statements per thousand messages.
 */

const BEFORE_ADDRESS = ['queued_at', 'sent_at', 'kind', 'category', 'channel', 'recipient', 'unit'] as const;
const AFTER_ADDRESS = [
  'locale',
  'status',
  'delivered_at',
  'opened_at',
  'bounced_at',
  'complained_at',
  'failed_at',
  'suppressed_at',
  'cancelled_at',
  'template_version',
  'last_error_class',
  'attempts',
] as const;

export const LOG_COLUMNS = [...BEFORE_ADDRESS, 'address', ...AFTER_ADDRESS] as const;

const PAGE = 1000;

const select = {
  id: true,
  queuedAt: true,
  sentAt: true,
  kind: true,
  category: true,
  channel: true,
  recipientActorId: true,
  unitActorId: true,
  address: true,
  locale: true,
  status: true,
  deliveredAt: true,
  openedAt: true,
  bouncedAt: true,
  complainedAt: true,
  failedAt: true,
  suppressedAt: true,
  cancelledAt: true,
  templateVersion: { select: { version: true } },
  lastErrorClass: true,
  attemptCount: true,
} as const;

const time = (d: Date | null) => d?.toISOString() ?? '';

export async function communicationLogCsv(db: Prisma | Tx, where: P.CommDeliveryWhereInput, opts: { includeAddresses: boolean }): Promise<string> {
  const header = [...BEFORE_ADDRESS, ...(opts.includeAddresses ? ['address'] : []), ...AFTER_ADDRESS];
  const lines: string[][] = [header];
  let cursor: string | undefined;
  for (;;) {
    const page = await db.commDelivery.findMany({
      where: cursor ? { AND: [where, { id: { lt: cursor } }] } : where,
      orderBy: { id: 'desc' },
      take: PAGE,
      select,
    });
    if (!page.length) break;
    const ids = [...new Set(page.flatMap((d) => [d.recipientActorId, d.unitActorId]).filter((a): a is string => !!a))];
    const names = new Map(
      (await db.actor.findMany({ where: { id: { in: ids } }, select: { id: true, displayName: true } })).map((a) => [a.id, a.displayName]),
    );
    const name = (id: string | null) => (id ? (names.get(id) ?? '') : '');
    for (const d of page) {
      lines.push([
        time(d.queuedAt),
        time(d.sentAt),
        d.kind,
        d.category,
        d.channel,
        name(d.recipientActorId),
        d.unitActorId && d.unitActorId !== d.recipientActorId ? name(d.unitActorId) : '',
        ...(opts.includeAddresses ? [d.address] : []),
        d.locale,
        d.status,
        time(d.deliveredAt),
        time(d.openedAt),
        time(d.bouncedAt),
        time(d.complainedAt),
        time(d.failedAt),
        time(d.suppressedAt),
        time(d.cancelledAt),
        d.templateVersion ? String(d.templateVersion.version) : '',
        d.lastErrorClass ?? '',
        String(d.attemptCount),
      ]);
    }
    if (page.length < PAGE) break;
    cursor = page[page.length - 1]!.id;
  }
  return csvText(lines);
}
