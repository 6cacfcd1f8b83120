import type { AppServices } from '../../../kit/context.js';
import type { Caller } from '../../../platform/principal.js';
import { messagingEnv } from '../messaging-env.js';
import { daysLeft, inQuietHours, parseQuietHours, reminderDueAt } from './schedule.js';
import type { ReminderSource } from './source.js';

const SYSTEM: Caller = { principal: { kind: 'system', reason: 'reminders', actions: ['communications:send'] }, requestId: 'reminders' };

/**
 * Runs the reminders that came due, once each: a run row per (reminder, days
 * before, deadline) is the claim (unique), written in the transaction that
 * queues its messages, so two workers never both send it and a crash sends
 * nothing half. A moved deadline makes new runs (the old ones never fire);
 * a cancelled reminder has none. After a pause (no worker for days), only the
 * run nearest the deadline goes out; the earlier ones are recorded as passed.
 */
export async function runDueReminders(app: AppServices, source: ReminderSource, now = new Date()): Promise<number> {
  const quiet = parseQuietHours(app.config.QUIET_HOURS);
  const reminders = await app.db.prisma.commReminder.findMany({
    where: { cancelledAt: null },
    select: {
      id: true,
      occasionId: true,
      eventId: true,
      channel: true,
      daysBefore: true,
      statuses: true,
      occasion: { select: { timezone: true } },
      runs: { select: { daysBefore: true, deadlineAt: true } },
    },
  });
  if (!reminders.length) return 0;
  const deadlines = await source.deadlines(app.db.prisma, [...new Set(reminders.map((r) => r.eventId))]);
  const env = messagingEnv(app.config);
  let sent = 0;
  for (const r of reminders) {
    const deadline = deadlines.get(r.eventId);
    if (!deadline || deadline <= now) continue;
    const tz = r.occasion.timezone;
    if (inQuietHours(now, tz, quiet)) continue;
    const due = r.daysBefore
      .filter((d) => !r.runs.some((run) => run.daysBefore === d && run.deadlineAt.getTime() === deadline.getTime()))
      .filter((d) => reminderDueAt(deadline, d, tz, quiet) <= now)
      .sort((a, b) => a - b);
    if (!due.length) continue;
    const [send, ...passed] = due;
    const ran = await app.db.prisma.$transaction(async (tx) => {
      const claimed = await tx.commReminderRun.createMany({
        data: [send!, ...passed].map((d) => ({
          reminderId: r.id,
          daysBefore: d,
          deadlineAt: deadline,
          dueAt: reminderDueAt(deadline, d, tz, quiet),
          recipients: 0,
        })),
        skipDuplicates: true,
      });
      // Another worker ran it first.
      if (claimed.count < passed.length + 1) return 0;
      const run = await tx.commReminderRun.findUniqueOrThrow({
        where: { reminderId_daysBefore_deadlineAt: { reminderId: r.id, daysBefore: send!, deadlineAt: deadline } },
        select: { id: true },
      });
      const n = await source.queue(tx, SYSTEM, env, app.config.guestLinkTemplate, {
        runId: run.id,
        occasionId: r.occasionId,
        eventId: r.eventId,
        channel: r.channel,
        statuses: r.statuses,
        daysBefore: send!,
        deadlineAt: deadline,
        daysLeft: daysLeft(now, deadline, tz),
      });
      await tx.commReminderRun.update({ where: { id: run.id }, data: { recipients: n } });
      return n;
    });
    if (ran) app.logger.info({ reminderId: r.id, daysBefore: send, recipients: ran }, 'reminder sent');
    sent += ran;
  }
  return sent;
}
