import { localeOfAttributes, requireLocale } from '../../../capabilities/localization/locales.js';
import type { Prisma as P } from '../../../generated/prisma/client.js';
import { recordAudit } from '../../../platform/audit.js';
import type { Prisma, Tx } from '../../../platform/db/client.js';
import { notFound } from '../../../platform/errors.js';
import type { Caller } from '../../../platform/principal.js';

/*
 * A guest's language: `attributes.locale` of their invitation's primary
 * person, where planners record it too and where messages to the invitation
 * already look (rsvp-recipients.ts). The guest page (and guestInvitation,
 * through the manifest's `guestLocale`) reads it before Accept-Language; the
 * guest changes it from their link.
 */

/** The saved locale of the invitation whose unit is `unitActorId`, or null. One statement. */
export async function guestLocalePreference(db: Prisma | Tx, occasionId: string, unitActorId: string): Promise<string | null> {
  const inv = await db.rsvpInvitation.findFirst({
    where: { occasionId, invitationUnitActorId: unitActorId },
    select: { primaryActor: { select: { attributes: true } } },
  });
  return inv ? localeOfAttributes(inv.primaryActor.attributes) : null;
}

/**
 * Saves the language of the invitation whose unit is `unitActorId` (a
 * canonical BCP 47 tag; null forgets it). A guest may set only their own
 * invitation's (another unit's is NOT_FOUND); anyone else must have been
 * allowed to change the occasion's actors by the caller's own rule. Other
 * attributes of the person are kept. Returns the saved locale.
 */
export async function setGuestLocalePreference(tx: Tx, caller: Caller, unitActorId: string, locale: string | null): Promise<string | null> {
  const p = caller.principal;
  if (p.kind === 'guest' && p.unitActorId !== unitActorId) throw notFound('RSVP invitation');
  const next = locale === null ? null : requireLocale(locale);
  const inv = await tx.rsvpInvitation.findFirst({
    where: { invitationUnitActorId: unitActorId, ...(p.kind === 'guest' ? { occasionId: p.occasionId } : {}) },
    select: { occasionId: true, primaryActor: { select: { id: true, attributes: true } } },
  });
  if (!inv) throw notFound('RSVP invitation');
  const person = inv.primaryActor;
  const current = person.attributes && typeof person.attributes === 'object' && !Array.isArray(person.attributes) ? person.attributes : {};
  const { locale: before, ...rest } = current as Record<string, unknown>;
  const attributes = (next === null ? rest : { ...rest, locale: next }) as P.InputJsonObject;
  await tx.actor.update({ where: { id: person.id }, data: { attributes } });
  await recordAudit(tx, caller, {
    action: 'actor:update',
    occasionId: inv.occasionId,
    target: { type: 'Actor', id: person.id },
    before: { locale: before ?? null },
    after: { locale: next },
    ...(p.kind === 'guest' ? { reason: 'The guest chose their language through their guest link.' } : {}),
  });
  return next;
}
