import type { CommCategory, CommChannel } from '../../generated/prisma/client.js';
import { recordAudit } from '../../platform/audit.js';
import type { Prisma, Tx } from '../../platform/db/client.js';
import { notFound, ValidationError, type FieldIssue } from '../../platform/errors.js';
import type { Caller } from '../../platform/principal.js';
import { isSendableAddress, normalizeAddress } from './addresses.js';

/** The categories a recipient may opt out of (transactional messages always go). */
export const OPTIONAL_CATEGORIES = ['INVITATIONS', 'ANNOUNCEMENTS'] as const satisfies readonly CommCategory[];
export type OptionalCategory = (typeof OPTIONAL_CATEGORIES)[number];

export interface Preference {
  category: OptionalCategory;
  channel: CommChannel;
  optedOut: boolean;
}

/** A choice as a caller asks for it: any category, checked by parsePreferences. */
export interface PreferenceInput {
  category: CommCategory;
  channel: CommChannel;
  optedOut: boolean;
}

/**
 * The choices a caller may make: none about transactional messages (they
 * answer something the recipient did and always go), and each category ×
 * channel once. `path` is the input's path, for the ValidationError's fields.
 */
export function parsePreferences(input: readonly PreferenceInput[], path = 'input.preferences'): Preference[] {
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  input.forEach((p, i) => {
    if (!(OPTIONAL_CATEGORIES as readonly string[]).includes(p.category))
      issues.push({
        path: `${path}.${i}.category`,
        message: 'Transactional messages (confirmations, replies) always go: they cannot be opted out of.',
      });
    const key = `${p.category}/${p.channel}`;
    if (seen.has(key)) issues.push({ path: `${path}.${i}`, message: `${p.category} by ${p.channel} is given twice.` });
    seen.add(key);
  });
  if (issues.length) throw new ValidationError(issues.map((f) => `${f.path}: ${f.message}`).join('; '), issues);
  return input.map((p) => ({ category: p.category as OptionalCategory, channel: p.channel, optedOut: p.optedOut }));
}

/**
 * The people a choice applies to: a household's or group's choice (made
 * through its guest link) covers the unit and its people (a group's
 * households' people too), since messages go to whichever of them has an
 * address.
 */
async function peopleOf(db: Prisma | Tx, occasionId: string, actorId: string): Promise<string[]> {
  const actor = await db.actor.findFirst({
    where: { id: actorId, occasionId },
    select: { id: true, members: { select: { memberActorId: true, member: { select: { members: { select: { memberActorId: true } } } } } } },
  });
  if (!actor) throw notFound('Actor');
  return [...new Set([actor.id, ...actor.members.flatMap((m) => [m.memberActorId, ...m.member.members.map((mm) => mm.memberActorId)])])];
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

/** Sets choices for an actor (and a unit's people); one audit row, saying why when the caller knows (a guest's own choice, a planner noting a wish). */
export async function setPreferences(
  tx: Tx,
  caller: Caller,
  occasionId: string,
  actorId: string,
  prefs: Preference[],
  reason?: string,
): Promise<Preference[]> {
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
    ...(reason ? { reason } : {}),
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

/**
 * A planner suppresses an address: nothing more is sent to it in the occasion,
 * including messages already queued to it and not yet taken by a sender
 * (they become SUPPRESSED). An address suppressed already (for any reason)
 * stays as it is.
 */
export async function suppressAddress(tx: Tx, caller: Caller, occasionId: string, address: string) {
  if (!isSendableAddress(address))
    throw new ValidationError('input.address: not an email address we could send to.', [
      { path: 'input.address', message: 'Not an email address we could send to.' },
    ]);
  const a = normalizeAddress(address);
  const existing = await tx.commSuppression.findUnique({ where: { occasionId_address: { occasionId, address: a } } });
  if (existing) return existing;
  const row = await tx.commSuppression.upsert({
    where: { occasionId_address: { occasionId, address: a } },
    create: { occasionId, address: a, reason: 'MANUAL' },
    update: {},
  });
  const now = new Date();
  // A sender claims only QUEUED rows, in one statement: a message is either taken already or never sent.
  const withdrawn = await tx.commDelivery.updateMany({
    where: { occasionId, address: a, status: 'QUEUED' },
    data: {
      status: 'SUPPRESSED',
      suppressedAt: now,
      nextAttemptAt: null,
      lastErrorClass: 'suppressed:manual',
      lastError: 'Not sent: a planner suppressed this address.',
    },
  });
  await recordAudit(tx, caller, {
    action: 'communications:manage_recipients',
    occasionId,
    target: { type: 'CommSuppression', id: row.id },
    after: { ...row, withdrawnMessages: withdrawn.count },
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
