import type { CommitListener, LiveDeps, LivePublisher } from '../../kit/live.js';
import type { RecordedBusinessEvent } from '../../platform/outbox.js';

/** Publishes live messages after commit, once per commit (or batch of commits), never per subscriber. */
export type LiveNotifier = CommitListener;

/**
 * Runs `publishers` in order on every batch of committed events. The
 * composition root passes the core's first (access changes: a subscriber drops
 * its cached grants before it re-decides for the next message), then every
 * module manifest's `live`.
 */
export function createLiveNotifier(deps: LiveDeps, publishers: readonly LivePublisher[]): LiveNotifier {
  let pending: RecordedBusinessEvent[] = [];
  let running: Promise<void> | null = null;

  // One batch at a time, in commit order. Commits arriving meanwhile are handled
  // together next: under a burst of writes each summary is recomputed once per batch.
  async function drain() {
    while (pending.length) {
      const batch = pending;
      pending = [];
      for (const publish of publishers) {
        try {
          await publish(batch, deps);
        } catch (err) {
          deps.logger.error({ err, events: batch.map((e) => (e.id ? `${e.type}:${e.id}` : e.type)) }, 'live updates not published');
        }
      }
    }
    running = null;
  }

  return {
    committed(events) {
      pending.push(...events);
      running ??= drain();
    },
    async idle() {
      while (running) await running;
    },
  };
}
