import { formatDateTime } from '../../../domains/communications/format.js';
import { queueMessages } from '../../../domains/communications/communications.service.js';
import type { ReminderSource } from '../../../domains/communications/reminders/source.js';
import { deadlineOf } from '../rsvp.targets.js';
import { rsvpRecipients } from './rsvp-recipients.js';

/**
 * RSVP's side of reminders: an event's deadline is its RSVP deadline, and a
 * run reaches the units invited to the event whose answer for it is (still)
 * in the reminder's statuses — evaluated when the run fires, so a household
 * that answered in between gets nothing.
 */
export const rsvpReminderSource: ReminderSource = {
  async deadlines(db, eventIds) {
    const rows = await db.moduleEnablement.findMany({
      where: { eventId: { in: eventIds }, installation: { moduleKey: 'rsvp' } },
      select: { eventId: true, config: true },
    });
    const out = new Map<string, Date>();
    for (const r of rows) {
      const d = deadlineOf(r.config);
      if (d) out.set(r.eventId, d);
    }
    return out;
  },

  async queue(tx, caller, env, linkTemplate, run) {
    const invitations = await tx.rsvpInvitation.findMany({
      where: {
        occasionId: run.occasionId,
        invitedEventIds: { has: run.eventId },
        responses: { some: { eventId: run.eventId, status: { in: run.statuses as ('PENDING' | 'ATTENDING' | 'DECLINED')[] } } },
      },
      select: { id: true },
      orderBy: { id: 'asc' },
    });
    if (!invitations.length) return 0;
    const recipients = await rsvpRecipients(
      tx,
      caller,
      env,
      linkTemplate,
      run.occasionId,
      invitations.map((i) => i.id),
      'issue',
      run.channel,
    );
    const result = await queueMessages(tx, caller, env, {
      occasionId: run.occasionId,
      kind: 'RSVP_REMINDER',
      channel: run.channel,
      audience: { eventId: run.eventId, statuses: run.statuses, daysBefore: run.daysBefore },
      reminderRunId: run.runId,
      recipients: recipients.map((r) => ({
        recipientActorId: r.recipientActorId,
        unitActorId: r.unitActorId,
        address: r.address,
        locale: r.locale,
        // The reminder is about this event: its own deadline and only it in the list.
        variables: {
          ...r.variables,
          daysLeft: run.daysLeft,
          deadline: formatDateTime(run.deadlineAt, r.locale ?? 'en', (r.variables.occasion as { timezone: string }).timezone),
          events: (r.variables.events as unknown[]).filter((_e, i) => r.events[i]?.id === run.eventId),
        },
        secrets: r.secrets,
        refs: { invitationId: r.invitationId, eventIds: [run.eventId], reminderRunId: run.runId },
        idempotencyKey: `rsvp_reminder:${run.runId}:${r.invitationId}`,
      })),
    });
    return result.queued + result.suppressed;
  },
};
