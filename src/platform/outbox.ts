import type { z } from 'zod';
import type { Tx } from './db/client.js';
import type { Caller } from './principal.js';

/** A business event type (resource.pastVerb) with its payload schema; declared in each folder's *.business-events.ts. */
export interface BusinessEventType<S extends z.ZodType = z.ZodType> {
  type: string;
  description: string;
  payload: S;
  /** What a subscriber must be allowed to do on the event's target to receive it. */
  requiredAction: string;
  /**
   * Other actions that also suffice to hear of it. Webhook envelopes are thin
   * (type and ids, no payload), so knowing that something happened can be
   * allowed more widely than reading it: a caterer (rsvp:read_catering) hears
   * that an answer changed, and its document shows counts, never who.
   */
  alsoAllowedWith?: readonly string[];
  /**
   * The resource type its events name (EventResource), when they name one: a
   * partner granted only some resources of that type (a printer, one artifact)
   * may subscribe, and hears of those resources only.
   */
  resource?: string;
}

export function defineBusinessEvent<S extends z.ZodType>(e: BusinessEventType<S>): BusinessEventType<S> {
  if (!/^[a-z_]+\.[a-z_A-Z]+$/.test(e.type)) throw new Error(`Event type ${e.type} is not resource.pastVerb`);
  return e;
}

/** An event as recorded in a transaction, handed to live subscribers once (and only if) that transaction commits. */
export interface RecordedBusinessEvent {
  /** The outbox row's id (absent for rows written in bulk by recordBusinessEvents). */
  id?: string;
  type: string;
  occasionId: string | null;
  eventId: string | null;
  payload: unknown;
}

/**
 * Work another module must do in the same transaction when an event is
 * recorded (RSVP keeps its responses right when actors or memberships change).
 * Domains stay unaware of the modules reacting to them; the composition root
 * (src/app.ts) registers each module manifest's reactions. Reactions get every
 * event of one recordBusinessEvent(s) call at once, so bulk writes stay set-based.
 */
export type Reaction = (tx: Tx, caller: Caller, events: RecordedBusinessEvent[]) => Promise<void>;
const reactions = new Map<string, Map<string, Reaction>>();

/** Registers `fn` for events of `type` under `key` (registering the same key again replaces it). */
export function reactInTransaction(type: string, key: string, fn: Reaction): void {
  if (!reactions.has(type)) reactions.set(type, new Map());
  reactions.get(type)!.set(key, fn);
}

async function react(tx: Pick<Tx, 'outboxEvent'>, caller: Caller, type: string, events: RecordedBusinessEvent[]) {
  for (const fn of reactions.get(type)?.values() ?? []) await fn(tx as Tx, caller, events);
}

/** Per open transaction (keyed by its client object): the events recorded in it so far. */
const collectors = new WeakMap<object, RecordedBusinessEvent[]>();

/**
 * Starts collecting the events recorded through `tx`. The caller owns the
 * returned list and may act on it only after the transaction committed: a
 * rolled-back transaction's list is simply dropped.
 */
export function collectBusinessEvents(tx: object): RecordedBusinessEvent[] {
  const list: RecordedBusinessEvent[] = [];
  collectors.set(tx, list);
  return list;
}

/**
 * The record an event is about, when a grant can name it (RESOURCE scope): a
 * partner granted one published artifact hears of that artifact's events only,
 * and its webhook document is given the id ($resourceId).
 */
export interface EventResource {
  type: string;
  id: string;
}

/**
 * Writes an outbox_events row in the caller's transaction: the event exists if
 * and only if the change committed. Relays read committed rows later; nothing
 * is published before commit (the transaction's collector, if any, only hears
 * of it, see collectBusinessEvents).
 */
export async function recordBusinessEvent<S extends z.ZodType>(
  tx: Pick<Tx, 'outboxEvent'>,
  caller: Caller,
  event: BusinessEventType<S>,
  payload: z.input<S>,
  where: { occasionId: string | null; eventId?: string | null; resource?: EventResource },
): Promise<void> {
  const parsed = event.payload.parse(payload) as object;
  const row = await tx.outboxEvent.create({
    select: { id: true },
    data: {
      type: event.type,
      occasionId: where.occasionId,
      eventId: where.eventId ?? null,
      resourceType: where.resource?.type ?? null,
      resourceId: where.resource?.id ?? null,
      payload: parsed,
      requestId: caller.requestId,
    },
  });
  const recorded = { id: row.id, type: event.type, occasionId: where.occasionId, eventId: where.eventId ?? null, payload: parsed };
  collectors.get(tx)?.push(recorded);
  await react(tx, caller, event.type, [recorded]);
}

/** Many events of one type in one statement (bulk operations: inviting a whole guest list). */
export async function recordBusinessEvents<S extends z.ZodType>(
  tx: Pick<Tx, 'outboxEvent'>,
  caller: Caller,
  event: BusinessEventType<S>,
  items: { payload: z.input<S>; occasionId: string | null; eventId?: string | null }[],
): Promise<void> {
  if (!items.length) return;
  const data = items.map((i) => ({
    type: event.type,
    occasionId: i.occasionId,
    eventId: i.eventId ?? null,
    payload: event.payload.parse(i.payload) as object,
    requestId: caller.requestId,
  }));
  await tx.outboxEvent.createMany({ data });
  const recorded = data.map(({ type, occasionId, eventId, payload }) => ({ type, occasionId, eventId, payload }));
  collectors.get(tx)?.push(...recorded);
  await react(tx, caller, event.type, recorded);
}
