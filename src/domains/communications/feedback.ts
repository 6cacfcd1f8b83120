import type { CommDelivery } from '../../generated/prisma/client.js';
import type { Tx } from '../../platform/db/client.js';
import { recordBusinessEvent } from '../../platform/outbox.js';
import type { Caller } from '../../platform/principal.js';
import { communicationBounced, communicationComplained } from './communications.business-events.js';

const SYSTEM: Caller = { principal: { kind: 'system', reason: 'communications', actions: [] }, requestId: 'communications' };

/**
 * What became of a message after it left: a bounce (hard: the address does
 * not exist; the mail server's refusal or a provider's report) or a complaint.
 * Hard bounces and complaints suppress the address in the occasion, so nothing
 * more is sent to it there until a planner restores it.
 */
export async function recordBounce(
  tx: Tx,
  d: Pick<CommDelivery, 'id' | 'occasionId' | 'address' | 'kind' | 'recipientActorId'>,
  b: { hard: boolean; at: Date },
  caller: Caller = SYSTEM,
): Promise<void> {
  await tx.commDelivery.update({ where: { id: d.id }, data: { status: 'BOUNCED', bouncedAt: b.at, leaseUntil: null, nextAttemptAt: null } });
  if (b.hard) {
    await tx.commSuppression.upsert({
      where: { occasionId_address: { occasionId: d.occasionId, address: d.address } },
      create: { occasionId: d.occasionId, address: d.address, reason: 'HARD_BOUNCE', deliveryId: d.id },
      update: {},
    });
  }
  await recordBusinessEvent(
    tx,
    caller,
    communicationBounced,
    { occasionId: d.occasionId, deliveryId: d.id, kind: d.kind, hard: b.hard, recipientActorId: d.recipientActorId },
    { occasionId: d.occasionId },
  );
}

export async function recordComplaint(
  tx: Tx,
  d: Pick<CommDelivery, 'id' | 'occasionId' | 'address' | 'kind' | 'recipientActorId'>,
  at: Date,
  caller: Caller = SYSTEM,
): Promise<void> {
  await tx.commDelivery.update({ where: { id: d.id }, data: { status: 'COMPLAINED', complainedAt: at } });
  await tx.commSuppression.upsert({
    where: { occasionId_address: { occasionId: d.occasionId, address: d.address } },
    create: { occasionId: d.occasionId, address: d.address, reason: 'COMPLAINT', deliveryId: d.id },
    update: { reason: 'COMPLAINT' },
  });
  await recordBusinessEvent(
    tx,
    caller,
    communicationComplained,
    { occasionId: d.occasionId, deliveryId: d.id, kind: d.kind, recipientActorId: d.recipientActorId },
    { occasionId: d.occasionId },
  );
}
