import type { Tx } from '../../../platform/db/client.js';

/** Where a unit's invitation message stands (its latest one), as the planner's list shows it. */
export const INVITATION_MESSAGE_STATUSES = [
  'NOT_SENT',
  'QUEUED',
  'SENT',
  'DELIVERED',
  'OPENED',
  'BOUNCED',
  'COMPLAINED',
  'FAILED',
  'SUPPRESSED',
] as const;
export type InvitationMessageStatus = (typeof INVITATION_MESSAGE_STATUSES)[number];

export interface RsvpMessageStatus {
  invitationStatus: InvitationMessageStatus;
  invitationSentAt: Date | null;
  /** Only when a provider reported it: SMTP says nothing about opening. */
  openedAt: Date | null;
  lastReminderAt: Date | null;
  remindersSent: number;
  lastConfirmationAt: Date | null;
}

interface Row {
  unit: string;
  status: string | null;
  sentAt: Date | null;
  openedAt: Date | null;
  lastReminderAt: Date | null;
  remindersSent: number;
  lastConfirmationAt: Date | null;
}

export const NOT_SENT: RsvpMessageStatus = {
  invitationStatus: 'NOT_SENT',
  invitationSentAt: null,
  openedAt: null,
  lastReminderAt: null,
  remindersSent: 0,
  lastConfirmationAt: null,
};

/**
 * The RSVP messages of a page of invitation units, in one statement whatever
 * its size: each unit's latest invitation (queued last) with its status and
 * times, and the reminders and confirmations that went out (a suppressed or
 * failed one was never sent, so it does not count).
 */
export async function rsvpMessageStatuses(db: Tx, occasionId: string, unitActorIds: string[]): Promise<Map<string, RsvpMessageStatus>> {
  if (!unitActorIds.length) return new Map();
  const rows = await db.$queryRaw<Row[]>`
    SELECT d.unit_actor_id::text AS unit,
           (array_agg(d.status::text ORDER BY d.queued_at DESC, d.id DESC) FILTER (WHERE d.kind = 'RSVP_INVITATION'))[1] AS status,
           (array_agg(d.sent_at ORDER BY d.queued_at DESC, d.id DESC) FILTER (WHERE d.kind = 'RSVP_INVITATION'))[1] AS "sentAt",
           (array_agg(d.opened_at ORDER BY d.queued_at DESC, d.id DESC) FILTER (WHERE d.kind = 'RSVP_INVITATION'))[1] AS "openedAt",
           max(d.sent_at) FILTER (WHERE d.kind = 'RSVP_REMINDER') AS "lastReminderAt",
           count(d.sent_at) FILTER (WHERE d.kind = 'RSVP_REMINDER')::int AS "remindersSent",
           max(d.sent_at) FILTER (WHERE d.kind = 'RSVP_CONFIRMATION') AS "lastConfirmationAt"
      FROM comm_deliveries d
     WHERE d.occasion_id = ${occasionId}::uuid
       AND d.unit_actor_id = ANY(${[...new Set(unitActorIds)]}::uuid[])
       AND d.kind IN ('RSVP_INVITATION', 'RSVP_REMINDER', 'RSVP_CONFIRMATION')
     GROUP BY d.unit_actor_id`;
  return new Map(
    rows.map((r) => [
      r.unit,
      {
        invitationStatus: statusOf(r.status, r.openedAt),
        invitationSentAt: r.sentAt,
        openedAt: r.openedAt,
        lastReminderAt: r.lastReminderAt,
        remindersSent: r.remindersSent,
        lastConfirmationAt: r.lastConfirmationAt,
      },
    ]),
  );
}

function statusOf(status: string | null, openedAt: Date | null): InvitationMessageStatus {
  switch (status) {
    case null:
    case 'CANCELLED':
      return 'NOT_SENT';
    case 'SENDING':
      return 'QUEUED';
    case 'SENT':
    case 'DELIVERED':
      return openedAt ? 'OPENED' : status;
    default:
      return status as InvitationMessageStatus;
  }
}
