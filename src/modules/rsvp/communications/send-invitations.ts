import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Prisma as P } from '../../../generated/prisma/client.js';
import type { Tx } from '../../../platform/db/client.js';
import type { Caller } from '../../../platform/principal.js';
import { parseInput } from '../../../platform/validation.js';
import { queueMessages, type QueueResult } from '../../../domains/communications/communications.service.js';
import type { MessagingEnv } from '../../../domains/communications/messaging-env.js';
import { buildCalendar } from '../../../platform/mail/calendar.js';
import { rsvpRecipients, type RsvpRecipient } from './rsvp-recipients.js';

const RSVP_STATUSES = ['PENDING', 'ATTENDING', 'DECLINED'] as const;

export const audienceInput = z
  .object({
    invitationIds: z.array(z.uuid()).max(10_000).optional(),
    tagIds: z.array(z.uuid()).max(100).optional(),
    eventIds: z.array(z.uuid()).max(100).optional(),
    /** Units with a response in one of these statuses (for the events given, else any invited event). */
    statuses: z.array(z.enum(RSVP_STATUSES)).max(3).optional(),
  })
  .strict();
export type RsvpAudience = z.infer<typeof audienceInput>;

const sendInput = z.object({
  audience: audienceInput.default({}),
  /** Send again to units already sent their link (a new message each); default: only those not sent yet. */
  resend: z.boolean().default(false),
  /** The caller's key for this request: the same request retried never sends twice. */
  requestKey: z.string().min(1).max(100).optional(),
});

/** Statuses of an invitation message that count as "sent" (a failed, bounced or suppressed one may be sent again). */
const SENT_STATUSES = ['QUEUED', 'SENDING', 'SENT', 'DELIVERED'] as const;

/** The invitations an audience rule selects, evaluated now (ids only; one statement). */
export async function selectInvitations(tx: Tx, occasionId: string, a: RsvpAudience): Promise<{ id: string; unitActorId: string }[]> {
  const where: P.RsvpInvitationWhereInput = {
    occasionId,
    ...(a.invitationIds ? { id: { in: a.invitationIds } } : {}),
    ...(a.eventIds?.length ? { invitedEventIds: { hasSome: a.eventIds } } : {}),
    ...(a.tagIds?.length ? { invitationUnit: { tags: { some: { tagId: { in: a.tagIds } } } } } : {}),
    ...(a.statuses?.length
      ? { responses: { some: { status: { in: [...a.statuses] }, ...(a.eventIds?.length ? { eventId: { in: a.eventIds } } : {}) } } }
      : {}),
  };
  const rows = await tx.rsvpInvitation.findMany({ where, select: { id: true, invitationUnitActorId: true }, orderBy: { id: 'asc' } });
  return rows.map((r) => ({ id: r.id, unitActorId: r.invitationUnitActorId }));
}

export interface SendInvitationsResult extends QueueResult {
  /** Units left out because their link was already sent (resend: false). */
  alreadySent: number;
}

/**
 * Emails each selected invitation unit its guest link, once: units already
 * sent one are left out unless `resend`. Each message carries the invited
 * events as an iCalendar attachment.
 */
export async function sendRsvpInvitations(
  tx: Tx,
  caller: Caller,
  env: MessagingEnv,
  linkTemplate: string,
  occasionId: string,
  input: unknown,
): Promise<SendInvitationsResult> {
  const data = parseInput(sendInput, input);
  const selected = await selectInvitations(tx, occasionId, data.audience);
  let chosen = selected;
  if (!data.resend && selected.length) {
    const sent = new Set(
      (
        await tx.commDelivery.findMany({
          where: { occasionId, kind: 'RSVP_INVITATION', unitActorId: { in: selected.map((s) => s.unitActorId) }, status: { in: [...SENT_STATUSES] } },
          select: { unitActorId: true },
          distinct: ['unitActorId'],
        })
      ).map((d) => d.unitActorId),
    );
    chosen = selected.filter((s) => !sent.has(s.unitActorId));
  }
  const recipients = await rsvpRecipients(
    tx,
    caller,
    env,
    linkTemplate,
    occasionId,
    chosen.map((c) => c.id),
  );
  const requestKey = data.requestKey ?? randomUUID();
  const result = await queueMessages(tx, caller, env, {
    occasionId,
    kind: 'RSVP_INVITATION',
    channel: 'EMAIL',
    audience: { ...data.audience, resend: data.resend },
    recipients: recipients.map((r) => ({
      recipientActorId: r.recipientActorId,
      unitActorId: r.unitActorId,
      address: r.address,
      locale: r.locale,
      variables: r.variables,
      secrets: r.secrets,
      refs: { invitationId: r.invitationId, eventIds: r.eventIds },
      calendar: invitationCalendar(env, r),
      idempotencyKey: `rsvp_invitation:${r.invitationId}:${requestKey}`,
    })),
  });
  return { ...result, alreadySent: selected.length - chosen.length };
}

/** The invited events that have a start time, as one calendar; stable UIDs and a SEQUENCE that grows with each change. */
export function invitationCalendar(env: MessagingEnv, r: RsvpRecipient) {
  const timed = r.events.filter((e) => e.startsAt);
  if (!timed.length) return undefined;
  const content = buildCalendar({
    method: 'PUBLISH',
    prodId: '-//Tov+//Invitations//EN',
    events: timed.map((e) => ({
      uid: `${e.id}@${env.mailDomain}`,
      // Seconds since 2026 at the last change: grows with every edit and fits the 32-bit integer calendar clients expect.
      sequence: Math.max(0, Math.floor((e.updatedAt.getTime() - Date.UTC(2026, 0, 1)) / 1000)),
      summary: e.name,
      location: e.location ?? undefined,
      start: e.startsAt!,
      end: e.endsAt,
      timezone: (r.variables.occasion as { timezone: string }).timezone,
    })),
  });
  return { filename: 'invitation.ics', content, method: 'PUBLISH' as const };
}
