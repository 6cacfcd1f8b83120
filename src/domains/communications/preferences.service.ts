import type { CommCategory, CommChannel } from '../../generated/prisma/client.js';
import { recordAudit } from '../../platform/audit.js';
import type { Prisma, Tx } from '../../platform/db/client.js';
import { notFound } from '../../platform/errors.js';
import type { Caller } from '../../platform/principal.js';
import { normalizeAddress } from './addresses.js';

/** The categories a recipient may opt out of (transactional messages always go). */
export const OPTIONAL_CATEGORIES = ['INVITATIONS', 'ANNOUNCEMENTS'] as const satisfies readonly CommCategory[];
export type OptionalCategory = (typeof OPTIONAL_CATEGORIES)[number];

export interface Preference {
  category: OptionalCategory;
  channel: CommChannel;
  optedOut: boolean;
}

/**
 * The people a choice applies to: a household's or group's choice (made
 * through its guest link) covers the unit and its people, since messages go
 * to whichever of them has an address.
 */
async function peopleOf(db: Prisma | Tx, occasionId: string, actorId: string): Promise<string[]> {
  const actor = await db.actor.findFirst({
    where: { id: actorId, occasionId },
    select: { id: true, members: { select: { memberActorId: true } } },
  });
  if (!actor) throw notFound('Actor');
  return [actor.id, ...actor.members.map((m) => m.memberActorId)];
}

export async function preferencesOf(db: Prisma | Tx, occasionId: string, actorId: string): Promise<Preference[]> {
  const rows = await db.commPreference.findMany({ where: { occasionId, actorId }, select: { category: true, channel: true, optedOut: true } });
  const out: Preference[] = [];
  for (const category of OPTIONAL_CATEGORIES)
    for (const channel of ['EMAIL', 'SMS'] as const) {
      const r = rows.find((x) => x.category === category && x.channel === channel);
      out.push({ category, channel, optedOut: r?.optedOut ?? false });
    }
  return out;
}

/** Sets choices for an actor (and a unit's people); one audit row. */
export async function setPreferences(tx: Tx, caller: Caller, occasionId: string, actorId: string, prefs: Preference[]): Promise<Preference[]> {
  const people = await peopleOf(tx, occasionId, actorId);
  for (const p of prefs)
    for (const person of people) {
      await tx.commPreference.upsert({
        where: { actorId_category_channel: { actorId: person, category: p.category, channel: p.channel } },
        create: { occasionId, actorId: person, category: p.category, channel: p.channel, optedOut: p.optedOut },
        update: { optedOut: p.optedOut },
      });
    }
  await recordAudit(tx, caller, {
    action: 'communications:manage_recipients',
    occasionId,
    target: { type: 'Actor', id: actorId },
    after: { preferences: prefs, appliesTo: people },
  });
  return preferencesOf(tx, occasionId, actorId);
}

/**
 * One-click unsubscribe (RFC 8058) from the link in a message: its recipient
 * (and the unit it was about) opts out of that message's category on its
 * channel. Idempotent: a second click changes nothing.
 */
export async function unsubscribeByDelivery(tx: Tx, caller: Caller, deliveryId: string) {
  const d = await tx.commDelivery.findUnique({
    where: { id: deliveryId },
    select: { occasionId: true, recipientActorId: true, unitActorId: true, category: true, channel: true, address: true },
  });
  if (!d) throw notFound('Message');
  if (d.category === 'TRANSACTIONAL') return d;
  const category = d.category;
  const actorIds = [...new Set([d.recipientActorId, d.unitActorId].filter((a): a is string => !!a))];
  for (const actorId of actorIds) {
    const people = await peopleOf(tx, d.occasionId, actorId).catch(() => [] as string[]);
    for (const person of people)
      await tx.commPreference.upsert({
        where: { actorId_category_channel: { actorId: person, category, channel: d.channel } },
        create: { occasionId: d.occasionId, actorId: person, category, channel: d.channel, optedOut: true },
        update: { optedOut: true },
      });
  }
  await recordAudit(tx, caller, {
    action: 'communications:manage_recipients',
    occasionId: d.occasionId,
    target: { type: 'CommDelivery', id: deliveryId },
    after: { unsubscribed: { category, channel: d.channel } },
    reason: 'The recipient used the unsubscribe link of a message.',
  });
  return d;
}

/** A planner suppresses an address (nothing more is sent to it in the occasion) or restores it. */
export async function suppressAddress(tx: Tx, caller: Caller, occasionId: string, address: string) {
  const a = normalizeAddress(address);
  const row = await tx.commSuppression.upsert({
    where: { occasionId_address: { occasionId, address: a } },
    create: { occasionId, address: a, reason: 'MANUAL' },
    update: {},
  });
  await recordAudit(tx, caller, {
    action: 'communications:manage_recipients',
    occasionId,
    target: { type: 'CommSuppression', id: row.id },
    after: row,
  });
  return row;
}

export async function restoreAddress(tx: Tx, caller: Caller, suppressionId: string) {
  const row = await tx.commSuppression.findUnique({ where: { id: suppressionId } });
  if (!row) throw notFound('Suppressed address');
  await tx.commSuppression.delete({ where: { id: suppressionId } });
  await recordAudit(tx, caller, {
    action: 'communications:manage_recipients',
    occasionId: row.occasionId,
    target: { type: 'CommSuppression', id: row.id },
    before: row,
  });
  return row;
}
