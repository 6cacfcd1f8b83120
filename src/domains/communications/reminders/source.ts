import type { CommChannel } from '../../../generated/prisma/client.js';
import type { Prisma, Tx } from '../../../platform/db/client.js';
import type { Caller } from '../../../platform/principal.js';
import type { MessagingEnv } from '../messaging-env.js';

/** One firing of a reminder, as the scheduler hands it to its source. */
export interface ReminderRun {
  runId: string;
  occasionId: string;
  eventId: string;
  channel: CommChannel;
  statuses: string[];
  daysBefore: number;
  deadlineAt: Date;
  daysLeft: number;
}

/**
 * What a reminder counts back from and whom it reaches, contributed by the
 * module that owns deadlines (RSVP, through its manifest's `reminderSource`).
 * Communications owns the rest: the schedule, quiet hours, time zones, the
 * runs and the messages.
 */
export interface ReminderSource {
  /** The deadline of each event that has one. */
  deadlines(db: Prisma | Tx, eventIds: string[]): Promise<Map<string, Date>>;
  /** Chooses the recipients now (the audience rule evaluated at send time) and queues their messages; returns how many. */
  queue(tx: Tx, caller: Caller, env: MessagingEnv, linkTemplate: string, run: ReminderRun): Promise<number>;
}
