import { z } from 'zod';
import type { CommDelivery, CommDeliveryStatus } from '../../generated/prisma/client.js';
import { recordAudit } from '../../platform/audit.js';
import type { Tx } from '../../platform/db/client.js';
import { notFound } from '../../platform/errors.js';
import type { Caller } from '../../platform/principal.js';
import { parseInput } from '../../platform/validation.js';
import { DELIVER_ACTION } from './communications.actions.js';
import { recordBounce, recordComplaint } from './feedback.js';

/*
 * A messaging provider's report of what became of a message it was handed
 * (it arrives as a signed inbound webhook, `message.status`). The message is
 * looked for only among those this provider was handed: another provider's,
 * or one never sent through a provider, is not found, exactly like one that
 * does not exist. Reports arrive late, twice and out of order, so each moves
 * a message only forward: a delivery report never undoes a bounce, a repeat
 * changes nothing, and the first delivery and open times are kept.
 */

export const REPORTED_EVENTS = ['DELIVERED', 'OPENED', 'BOUNCED', 'COMPLAINED'] as const;

const reportInput = z
  .object({
    providerMessageId: z.string().trim().min(1).max(200).optional(),
    messageId: z.string().trim().min(1).max(400).optional(),
    event: z.enum(REPORTED_EVENTS),
    hard: z.boolean().optional(),
    at: z.date(),
  })
  .refine((d) => d.providerMessageId !== undefined || d.messageId !== undefined, {
    message: 'Name the message: its providerMessageId or its messageId.',
    path: ['providerMessageId'],
  })
  .refine((d) => d.event !== 'BOUNCED' || d.hard !== undefined, { message: 'Say whether the bounce is hard (permanent).', path: ['hard'] });

export interface ReportOutcome {
  deliveryId: string;
  /** The Message-ID: what the provider was handed, and all it learns back besides the status. */
  messageId: string;
  status: CommDeliveryStatus;
  /** False: the report said nothing the message did not already show (a repeat, or older news). */
  changed: boolean;
}

export async function reportMessageStatus(tx: Tx, caller: Caller, input: unknown): Promise<ReportOutcome> {
  const r = parseInput(reportInput, input);
  const p = caller.principal;
  const providerIntegrationId = p.kind === 'integration' ? p.integrationId : null;
  const d = providerIntegrationId
    ? await tx.commDelivery.findFirst({
        where: {
          providerIntegrationId,
          ...(r.providerMessageId !== undefined ? { providerMessageId: r.providerMessageId } : {}),
          ...(r.messageId !== undefined ? { messageId: r.messageId } : {}),
        },
        select: { id: true, occasionId: true, address: true, kind: true, recipientActorId: true, status: true, messageId: true },
      })
    : null;
  if (!d) throw notFound('Message');
  // A provider's clock ahead of ours does not put a message's history in the future.
  const now = new Date();
  const at = r.at > now ? now : r.at;
  const changed = await apply(tx, caller, d, r.event, r.hard ?? false, at);
  const after = await tx.commDelivery.findUniqueOrThrow({ where: { id: d.id }, select: { status: true } });
  await recordAudit(tx, caller, {
    action: DELIVER_ACTION,
    occasionId: d.occasionId,
    target: { type: 'CommDelivery', id: d.id },
    before: { status: d.status },
    after: { status: after.status, reported: r.event, ...(r.event === 'BOUNCED' ? { hard: r.hard } : {}), at, changed },
  });
  return { deliveryId: d.id, messageId: d.messageId, status: after.status, changed };
}

type Reported = Pick<CommDelivery, 'id' | 'occasionId' | 'address' | 'kind' | 'recipientActorId' | 'status'>;

async function apply(tx: Tx, caller: Caller, d: Reported, event: (typeof REPORTED_EVENTS)[number], hard: boolean, at: Date): Promise<boolean> {
  switch (event) {
    case 'DELIVERED':
      return arrived(tx, d.id, at);
    case 'OPENED': {
      // An open is also news that it arrived, whichever report comes first.
      const delivered = await arrived(tx, d.id, at);
      const opened = await tx.commDelivery.updateMany({ where: { id: d.id, openedAt: null }, data: { openedAt: at } });
      return delivered || opened.count > 0;
    }
    case 'BOUNCED': {
      if (d.status === 'COMPLAINED') return false;
      if (d.status === 'BOUNCED') {
        // Only a soft bounce turning out hard is news: the address is suppressed now.
        const suppressed = await tx.commSuppression.findUnique({
          where: { occasionId_address: { occasionId: d.occasionId, address: d.address } },
          select: { id: true },
        });
        if (!hard || suppressed) return false;
      }
      await recordBounce(tx, d, { hard, at }, caller);
      return true;
    }
    case 'COMPLAINED':
      if (d.status === 'COMPLAINED') return false;
      await recordComplaint(tx, d, at, caller);
      return true;
  }
}

/** SENT → DELIVERED, and the first delivery time, on a message the provider has not reported bounced. */
async function arrived(tx: Tx, id: string, at: Date): Promise<boolean> {
  const moved = await tx.commDelivery.updateMany({ where: { id, status: 'SENT' }, data: { status: 'DELIVERED' } });
  const stamped = await tx.commDelivery.updateMany({
    where: { id, deliveredAt: null, status: { in: ['DELIVERED', 'COMPLAINED'] } },
    data: { deliveredAt: at },
  });
  return moved.count > 0 || stamped.count > 0;
}
