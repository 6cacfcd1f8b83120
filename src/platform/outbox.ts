import type { z } from 'zod';
import type { Tx } from './db/client.js';
import type { Caller } from './principal.js';

/** A business event type (resource.pastVerb) with its payload schema; declared in each domain's *.events.ts. */
export interface EventType<S extends z.ZodType = z.ZodType> {
  type: string;
  description: string;
  payload: S;
  /** What a subscriber must be allowed to do on the event's target to receive it. */
  requiredAction: string;
}

export function defineEvent<S extends z.ZodType>(e: EventType<S>): EventType<S> {
  if (!/^[a-z_]+\.[a-z_A-Z]+$/.test(e.type)) throw new Error(`Event type ${e.type} is not resource.pastVerb`);
  return e;
}

/**
 * Writes an outbox_events row in the caller's transaction: the event exists if
 * and only if the change committed. Relays read committed rows later; nothing
 * is published before commit.
 */
export async function recordEvent<S extends z.ZodType>(
  tx: Pick<Tx, 'outboxEvent'>,
  caller: Caller,
  event: EventType<S>,
  payload: z.input<S>,
  where: { occasionId: string | null; eventId?: string | null },
): Promise<void> {
  const parsed = event.payload.parse(payload) as object;
  await tx.outboxEvent.create({
    data: {
      type: event.type,
      occasionId: where.occasionId,
      eventId: where.eventId ?? null,
      payload: parsed,
      requestId: caller.requestId,
    },
  });
}
