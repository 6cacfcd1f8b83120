import type { Tx } from '../../platform/db/client.js';
import { ConflictError } from '../../platform/errors.js';
import { recordBusinessEvent } from '../../platform/outbox.js';
import type { Caller } from '../../platform/principal.js';
import { type TimelineChange, timelineUpdated } from './timeline.business-events.js';

/**
 * Every change of an event's timeline (items or windows) goes through here
 * first: it locks the event's timeline row and moves its sequence on by one,
 * so writers of one event take turns and the checks that follow (overlaps,
 * cycles, a reorder's item list) read a timeline nobody else is changing.
 *
 * With `expected` (the sequence the client last read), a change made over a
 * newer one is refused: no edit silently overwrites another planner's.
 */
export async function bumpSequence(tx: Tx, at: { occasionId: string; eventId: string }, expected?: number): Promise<number> {
  await tx.$executeRaw`INSERT INTO timeline_states (event_id, occasion_id, sequence, updated_at)
    VALUES (${at.eventId}::uuid, ${at.occasionId}::uuid, 0, now()) ON CONFLICT (event_id) DO NOTHING`;
  const [row] = await tx.$queryRaw<{ sequence: number }[]>`UPDATE timeline_states SET sequence = sequence + 1, updated_at = now()
    WHERE event_id = ${at.eventId}::uuid RETURNING sequence`;
  const next = row!.sequence;
  if (expected !== undefined && expected !== next - 1)
    throw new ConflictError(
      `The timeline changed since you read it (it is at sequence ${next - 1}, you edited ${expected}): reload it and apply your change again.`,
    );
  return next;
}

/** The event's current sequence (0 before its first change). */
export async function currentSequence(db: Pick<Tx, 'timelineState'>, eventId: string): Promise<number> {
  return (await db.timelineState.findUnique({ where: { eventId }, select: { sequence: true } }))?.sequence ?? 0;
}

/** `timeline.updated` for the event, with the sequence the change produced: event-scoped, so partners granted that event hear of it. */
export function recordTimelineUpdated(
  tx: Tx,
  caller: Caller,
  at: { occasionId: string; eventId: string },
  sequence: number,
  changes: TimelineChange[],
) {
  return recordBusinessEvent(
    tx,
    caller,
    timelineUpdated,
    { occasionId: at.occasionId, eventId: at.eventId, sequence, changes },
    { occasionId: at.occasionId, eventId: at.eventId },
  );
}
