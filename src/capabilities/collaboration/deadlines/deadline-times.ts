/**
 * When a task without a follow-up date reminds its people: a day before it is
 * due — early enough to make a call or a delivery, late enough to be read as
 * "tomorrow" rather than forgotten. A task's own followUpAt replaces it.
 */
export const REMINDER_LEAD_HOURS = 24;

/** When a task reminds: its followUpAt, else REMINDER_LEAD_HOURS before dueAt; neither, never. */
export function reminderTimeOf(t: { followUpAt: Date | null; dueAt: Date | null }): Date | null {
  if (t.followUpAt) return t.followUpAt;
  return t.dueAt ? new Date(t.dueAt.getTime() - REMINDER_LEAD_HOURS * 3_600_000) : null;
}
