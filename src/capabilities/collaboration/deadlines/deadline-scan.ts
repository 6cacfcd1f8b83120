import { randomUUID } from 'node:crypto';
import { messagingEnv } from '../../../domains/communications/messaging-env.js';
import type { ScheduledScan } from '../../../domains/communications/reminders/scheduled-scan.js';
import type { AppServices } from '../../../kit/context.js';
import type { Tx } from '../../../platform/db/client.js';
import type { Caller } from '../../../platform/principal.js';
import { escalateOverdueTasks } from './task-escalation.js';
import { type BatchOutcome, remindDueTasks } from './task-reminders.js';

/** Tasks per transaction: a crash loses at most one batch's work, and it is redone whole on the next run. */
export const DEADLINE_BATCH = 100;

export interface DeadlineRun {
  /** Tasks whose reminder went out. */
  reminded: number;
  /** Tasks marked overdue and escalated. */
  escalated: number;
  /** Messages queued (reminders and overdue notices). */
  queued: number;
  /** People no message could reach (a team, a former helper, no account): skipped and counted. */
  unreachable: number;
}

/**
 * Collaboration's deadlines, as of `now`: reminders for tasks whose reminder
 * time came, then escalation of those past due. Each batch is one
 * transaction — the tasks it marks, their messages, audit rows and events
 * commit together — so a re-run (or a second worker) finds nothing to do
 * twice. Runs on the message sender's sweep (taskDeadlineScan).
 */
export async function runTaskDeadlines(app: AppServices, now = new Date()): Promise<DeadlineRun> {
  const env = messagingEnv(app.config);
  const caller: Caller = {
    principal: { kind: 'system', reason: 'task-deadlines', actions: ['communications:send', 'tasks:manage'] },
    requestId: `task-deadlines:${randomUUID()}`,
  };
  const inBatches = async (step: (tx: Tx) => Promise<BatchOutcome>) => {
    const total: BatchOutcome = { tasks: 0, queued: 0, unreachable: 0 };
    for (;;) {
      const o = await app.db.prisma.$transaction(step, { timeout: 60_000 });
      total.tasks += o.tasks;
      total.queued += o.queued;
      total.unreachable += o.unreachable;
      if (o.tasks < DEADLINE_BATCH) return total;
    }
  };
  const reminders = await inBatches((tx) => remindDueTasks(tx, caller, env, now, DEADLINE_BATCH));
  const overdue = await inBatches((tx) => escalateOverdueTasks(tx, caller, env, app.actions, now, DEADLINE_BATCH));
  const run = {
    reminded: reminders.tasks,
    escalated: overdue.tasks,
    queued: reminders.queued + overdue.queued,
    unreachable: reminders.unreachable + overdue.unreachable,
  };
  if (run.reminded || run.escalated) app.logger.info(run, 'task deadlines: reminders sent and overdue tasks escalated');
  return run;
}

/** The deadline scan as the message sender runs it: how many messages it queued. */
export const taskDeadlineScan: ScheduledScan = {
  name: 'task deadlines',
  run: async (app, now) => (await runTaskDeadlines(app, now)).queued,
};
