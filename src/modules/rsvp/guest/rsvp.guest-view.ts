import type { Prisma, Tx } from '../../../platform/db/client.js';
import { notFound } from '../../../platform/errors.js';
import type { Principal } from '../../../platform/principal.js';
import { linkEventIds } from '../responses/rsvp.responses.service.js';
import { deadlineOf, type RsvpEventConfig } from '../rsvp.targets.js';
import { type InvitationWithPeople, loadUnitPeople } from '../invitations/rsvp.unit.js';

type Guest = Extract<Principal, { kind: 'guest' }>;

/**
 * Everything a guest's page shows, and nothing more: their invitation unit and
 * the events both invited and allowed by their link (others are absent, not
 * refused). No planner notes, no other household. A fixed handful of statements.
 */
export async function guestView(db: Prisma | Tx, guest: Guest) {
  const invitation = await loadUnitPeople(db, { invitationUnitActorId: guest.unitActorId, occasionId: guest.occasionId });
  if (!invitation) throw notFound('RSVP invitation');
  // The events the link shows with RSVP on, and each one's RSVP config, in one read (guestEventIds' check, with the config).
  const candidates = linkEventIds(invitation, guest.allowedEventIds);
  const enablements = candidates.length
    ? await db.moduleEnablement.findMany({
        where: { eventId: { in: candidates }, installation: { moduleKey: 'rsvp' } },
        select: { eventId: true, config: true },
      })
    : [];
  const eventIds = candidates.filter((id) => enablements.some((e) => e.eventId === id));
  const [occasion, events, responses, installation] = await Promise.all([
    db.occasion.findUniqueOrThrow({ where: { id: guest.occasionId }, select: { name: true, timezone: true, branding: true, defaultLocale: true } }),
    db.event.findMany({ where: { id: { in: eventIds } }, orderBy: [{ startsAt: 'asc' }, { id: 'asc' }] }),
    db.rsvpResponse.findMany({ where: { invitationId: invitation.id, eventId: { in: eventIds } } }),
    db.moduleInstallation.findUnique({
      where: { occasionId_moduleKey: { occasionId: guest.occasionId, moduleKey: 'rsvp' } },
      select: { config: true },
    }),
  ]);
  const configOf = new Map(enablements.map((e) => [e.eventId, e.config as RsvpEventConfig]));
  const formIds = [...new Set([...configOf.values()].map((c) => c.linkedFormId).filter((x): x is string => !!x))];
  const submissionIds = responses.flatMap((r) => r.formSubmissionIds);
  const [forms, answers] = await Promise.all([
    formIds.length
      ? db.form.findMany({
          where: { id: { in: formIds }, occasionId: guest.occasionId, archivedAt: null },
          include: { questions: { where: { retiredAt: null }, orderBy: [{ position: 'asc' }, { key: 'asc' }] } },
        })
      : [],
    submissionIds.length ? db.formAnswer.findMany({ where: { submissionId: { in: submissionIds } }, orderBy: { id: 'asc' } }) : [],
  ]);
  const now = new Date();
  return {
    occasion,
    invitation,
    /** Whether the guest may leave a note with an answer (the RSVP installation's allowGuestNotes, default yes). */
    allowNotes: (installation?.config as { allowGuestNotes?: boolean } | undefined)?.allowGuestNotes ?? true,
    events: events.map((event) => {
      const cfg = configOf.get(event.id) ?? {};
      const deadline = deadlineOf(cfg);
      const response = responses.find((r) => r.eventId === event.id)!;
      const form = forms.find((f) => f.id === cfg.linkedFormId) ?? null;
      return {
        event,
        deadline,
        open: !deadline || deadline > now,
        form,
        response,
        answers: answers.filter((a) => response.formSubmissionIds.includes(a.submissionId)),
      };
    }),
  };
}

export type GuestView = Awaited<ReturnType<typeof guestView>>;
export type GuestEventView = GuestView['events'][number];
export type { InvitationWithPeople };
