import type { AppServices } from '../../../kit/context.js';

/**
 * Messages something above Communications sends when a time comes
 * (Collaboration's task reminders and overdue notices). They run on the
 * message sender's sweep beside the RSVP reminders — one scheduler for every
 * message due at a time, in whichever process sends messages (the worker, or
 * the api on the embedded default). The composition root (src/app) lists them,
 * as the sender, a domain, cannot name the capabilities above it.
 */
export interface ScheduledScan {
  /** Names it in log lines. */
  name: string;
  /** Queues what came due at `now`, each once however often it runs (and on several workers at once); returns how many messages. */
  run(app: AppServices, now: Date): Promise<number>;
}

declare module '../../../kit/context.js' {
  interface AppServices {
    /** Time-driven sends contributed from above the domains, run on the message sender's sweep. */
    scheduledScans: readonly ScheduledScan[];
  }
}
