import type { Logger } from 'pino';
import type { Database } from '../platform/db/client.js';
import type { RecordedBusinessEvent } from '../platform/outbox.js';
import type { LivePubSub } from '../platform/pubsub.js';

/** Hears of every committed transaction's events (the transaction helper calls it after COMMIT). */
export interface CommitListener {
  /** A transaction committed with these events. Returns at once and never throws: the write is done whatever happens here. */
  committed(events: RecordedBusinessEvent[]): void;
  /** Resolves when everything handed in so far has been published (shutdown, tests). */
  idle(): Promise<void>;
}

export interface LiveDeps {
  db: Database;
  pubsub: LivePubSub;
  logger: Logger;
}

/**
 * Turns committed events into live messages. Runs once per commit (or batch
 * of commits), never per subscriber. Domains and module manifests contribute
 * them (`live` in a manifest); capabilities/live runs them.
 */
export type LivePublisher = (events: RecordedBusinessEvent[], deps: LiveDeps) => Promise<void>;
