import { decrypt } from '../../../platform/crypto.js';
import type { Tx } from '../../../platform/db/client.js';
import type { Caller } from '../../../platform/principal.js';
import { guestLink, issueGuestAccessBulk, liveLinkWhere } from '../../../domains/guest-access/guest-access.service.js';
import type { MessagingEnv } from '../../../domains/communications/messaging-env.js';
import { formatDateTime } from '../../../domains/communications/format.js';
import { deadlineOf, type RsvpEventConfig } from '../rsvp.targets.js';
import { localeOfAttributes } from '../../../capabilities/localization/locales.js';

/**
 * Who receives an RSVP message for each invitation, and what it says about
 * them: the address (the invitation's primary person, else the unit's own,
 * else the first member who has one), the unit's people, the invited events
 * with their times in the occasion's zone, the earliest deadline, and the
 * guest link — the live one when its token was kept, else a new one (the old
 * keeps working), or none ('kept': only a kept one, nothing issued). Set-based: a fixed number of statements for any number of
 * invitations.
 */
export interface RsvpRecipient {
  invitationId: string;
  unitActorId: string;
  recipientActorId: string | null;
  address: string | null;
  locale: string | null;
  variables: Record<string, unknown>;
  /** No guestLink: 'kept' mode and the unit has no live link whose token was kept. */
  secrets: { guestLink?: string };
  eventIds: string[];
  /** The earliest RSVP deadline among the invited events. */
  deadline: Date | null;
  events: { id: string; name: string; startsAt: Date | null; endsAt: Date | null; location: string | null; updatedAt: Date }[];
}

export async function rsvpRecipients(
  tx: Tx,
  caller: Caller,
  env: MessagingEnv,
  linkTemplate: string,
  occasionId: string,
  invitationIds: string[],
  /**
   * 'issue': the unit's kept live link, else a new one. 'kept': the kept live link or none (nothing is issued: a
   * message that only may carry the link, an announcement). 'placeholder' (previews): a stand-in, nothing issued.
   */
  links: 'issue' | 'kept' | 'placeholder' = 'issue',
  /** Which address each unit is reached at: an email, or a phone number for SMS. */
  channel: 'EMAIL' | 'SMS' = 'EMAIL',
): Promise<RsvpRecipient[]> {
  if (!invitationIds.length) return [];
  const [occasion, invitations] = await Promise.all([
    tx.occasion.findUniqueOrThrow({ where: { id: occasionId }, select: { name: true, timezone: true, defaultLocale: true } }),
    tx.rsvpInvitation.findMany({
      where: { id: { in: invitationIds }, occasionId },
      orderBy: { id: 'asc' },
      select: {
        id: true,
        invitedEventIds: true,
        primaryActor: { select: { id: true, displayName: true, email: true, phone: true, attributes: true } },
        invitationUnit: {
          select: {
            id: true,
            kind: true,
            displayName: true,
            email: true,
            phone: true,
            members: {
              orderBy: [{ role: 'asc' }, { createdAt: 'asc' }],
              select: { member: { select: { id: true, kind: true, displayName: true, email: true, phone: true } } },
            },
          },
        },
      },
    }),
  ]);
  const eventIds = [...new Set(invitations.flatMap((i) => i.invitedEventIds))];
  const unitIds = invitations.map((i) => i.invitationUnit.id);
  const [events, enablements, liveLinks] = await Promise.all([
    tx.event.findMany({
      where: { id: { in: eventIds }, occasionId },
      orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
      select: { id: true, name: true, startsAt: true, endsAt: true, location: true, updatedAt: true },
    }),
    tx.moduleEnablement.findMany({
      where: { eventId: { in: eventIds }, installation: { moduleKey: 'rsvp' } },
      select: { eventId: true, config: true },
    }),
    tx.guestAccess.findMany({
      where: { occasionId, unitActorId: { in: unitIds }, allowedEventIds: { isEmpty: true }, tokenEnc: { not: null }, ...liveLinkWhere() },
      orderBy: { id: 'desc' },
      select: { unitActorId: true, tokenEnc: true },
    }),
  ]);
  const linkOf = new Map<string, string>();
  // A preview never shows a real link: it is a secret, and the preview is not a send.
  if (links !== 'placeholder')
    for (const l of liveLinks) if (!linkOf.has(l.unitActorId)) linkOf.set(l.unitActorId, guestLink(linkTemplate, decrypt(l.tokenEnc!, env.appKey)));
  const missing = unitIds.filter((u) => !linkOf.has(u));
  if (links === 'placeholder') for (const u of missing) linkOf.set(u, guestLink(linkTemplate, 'tovg_preview'));
  else if (links === 'issue')
    for (const issued of await issueGuestAccessBulk(tx, caller, occasionId, missing, linkTemplate, { appKey: env.appKey })) {
      linkOf.set(issued.unitActorId, issued.link);
    }
  const deadlineOfEvent = new Map(enablements.map((e) => [e.eventId, deadlineOf(e.config as RsvpEventConfig)]));

  return invitations.map((inv) => {
    const unit = inv.invitationUnit;
    const people = unit.kind === 'PERSON' ? [unit] : unit.members.map((m) => m.member).filter((m) => m.kind === 'PERSON');
    const reach = (p: { email: string | null; phone: string | null }) => (channel === 'SMS' ? p.phone : p.email);
    const addressee = [inv.primaryActor, unit, ...people].find((p) => reach(p)) ?? null;
    const locale = localeOfAttributes(inv.primaryActor.attributes) ?? occasion.defaultLocale;
    const invited = events.filter((e) => inv.invitedEventIds.includes(e.id));
    const deadlines = invited.map((e) => deadlineOfEvent.get(e.id)).filter((d): d is Date => !!d);
    const deadline = deadlines.length ? new Date(Math.min(...deadlines.map((d) => d.getTime()))) : null;
    const name = addressee?.displayName ?? inv.primaryActor.displayName;
    return {
      invitationId: inv.id,
      unitActorId: unit.id,
      recipientActorId: addressee?.id ?? inv.primaryActor.id,
      address: addressee ? reach(addressee) : null,
      locale,
      eventIds: invited.map((e) => e.id),
      deadline,
      events: invited,
      secrets: linkOf.has(unit.id) ? { guestLink: linkOf.get(unit.id)! } : {},
      variables: {
        occasion: { name: occasion.name, timezone: occasion.timezone, locale },
        recipient: { displayName: name, firstName: name.split(/\s+/)[0] ?? name },
        sender: { name: occasion.name },
        deadline: deadline ? formatDateTime(deadline, locale, occasion.timezone) : null,
        events: invited.map((e) => ({
          name: e.name,
          startsAt: e.startsAt ? formatDateTime(e.startsAt, locale, occasion.timezone) : null,
          location: e.location,
        })),
        household: { displayName: unit.displayName, people: people.map((p) => ({ displayName: p.displayName })) },
      },
    };
  });
}
