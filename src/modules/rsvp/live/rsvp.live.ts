import type { LivePublisher } from '../../../kit/live.js';
import type { Prisma, Tx } from '../../../platform/db/client.js';
import { eventSummaries, type RsvpEventSummary } from './rsvp.summary.js';

/** `rsvp.summary:<eventId>`: one event's new summary. */
export const RSVP_SUMMARY_TOPIC = 'rsvp.summary';
/** `rsvp.occasion:<occasionId>`: the changed events of one occasion. */
export const RSVP_OCCASION_TOPIC = 'rsvp.occasion';

/** The permission target of an event's RSVP data (see rsvpEventTarget), carried so subscribers decide without a query. */
export interface RsvpTarget {
  occasionId: string;
  eventId: string;
  installationId: string;
  enablementId: string;
}

/**
 * `asOf` is the database clock (µs since the epoch) read before the summary
 * was: a message older than what a subscriber already sent is stale (a slower
 * process computed it before a later commit) and is dropped.
 */
export interface RsvpSummaryMessage {
  asOf: number;
  summary: RsvpEventSummary;
  target: RsvpTarget;
}
export interface RsvpOccasionMessage {
  asOf: number;
  changed: { summary: RsvpEventSummary; target: RsvpTarget }[];
  /** Events whose RSVP was switched off, or that were deleted. */
  removedEventIds: string[];
  /** RSVP was uninstalled from the occasion: every event is gone. */
  uninstalled: boolean;
}

export async function databaseNow(db: Prisma | Tx): Promise<number> {
  const [row] = await db.$queryRaw<{ at: number }[]>`SELECT floor(extract(epoch FROM clock_timestamp()) * 1000000)::float8 AS at`;
  return row!.at;
}

/** Where RSVP is enabled among these events, with each one's permission target. */
export async function rsvpTargets(db: Prisma | Tx, where: { eventIds: string[] } | { occasionId: string }): Promise<RsvpTarget[]> {
  return db.moduleEnablement
    .findMany({
      where: {
        ...('eventIds' in where ? { eventId: { in: where.eventIds } } : { occasionId: where.occasionId }),
        installation: { moduleKey: 'rsvp' },
      },
      select: { occasionId: true, eventId: true, installationId: true, id: true },
      orderBy: [{ event: { startsAt: 'asc' } }, { eventId: 'asc' }],
    })
    .then((rows) => rows.map(({ id, ...r }) => ({ ...r, enablementId: id })));
}

const ids = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : []);

/**
 * After a commit: which events' RSVP summaries it may have changed, recomputed
 * once for everyone (three aggregate statements for all of them), then one
 * message per event and one per occasion. Subscribers only filter by access.
 */
export const publishRsvpSummaries: LivePublisher = async (events, { db, pubsub }) => {
  const affected = new Map<string, string>(); // eventId → occasionId
  const uninstalled = new Set<string>();
  const taggedActors: string[] = [];
  for (const e of events) {
    const p = (e.payload ?? {}) as Record<string, unknown>;
    const occasionId = e.occasionId;
    if (!occasionId) continue;
    const add = (v: unknown) => ids(v).forEach((id) => affected.set(id, occasionId));
    if (e.type.startsWith('rsvp.')) add(p.eventId);
    // An invitation's events may have been added or removed: the old ones' counts move too.
    else if (e.type.startsWith('rsvp_invitation.')) [p.eventIds, p.previousEventIds, p.removedEventIds, e.eventId].forEach(add);
    else if ((e.type === 'module.enabled' || e.type === 'module.disabled') && p.moduleKey === 'rsvp') add(p.eventId);
    else if (e.type === 'module.uninstalled' && p.moduleKey === 'rsvp') uninstalled.add(occasionId);
    else if (e.type === 'event.deleted') add(p.eventId);
    // Summaries count the tags of attending people.
    else if (e.type === 'actor.updated' && ids((p as { changed?: unknown }).changed).includes('tagIds')) taggedActors.push(...ids(p.actorId));
  }
  if (taggedActors.length) {
    const attending = await db.prisma.rsvpResponse.findMany({
      where: { participantActorIds: { hasSome: taggedActors }, status: 'ATTENDING' },
      select: { eventId: true, occasionId: true },
      distinct: ['eventId'],
    });
    for (const r of attending) affected.set(r.eventId, r.occasionId);
  }
  if (!affected.size && !uninstalled.size) return;

  const asOf = await databaseNow(db.prisma);
  const targets = affected.size ? await rsvpTargets(db.prisma, { eventIds: [...affected.keys()] }) : [];
  const summaries = await eventSummaries(
    db.prisma,
    targets.map((t) => t.eventId),
  );
  const byOccasion = new Map<string, RsvpOccasionMessage>();
  const occasionMessage = (occasionId: string) => {
    if (!byOccasion.has(occasionId)) byOccasion.set(occasionId, { asOf, changed: [], removedEventIds: [], uninstalled: uninstalled.has(occasionId) });
    return byOccasion.get(occasionId)!;
  };
  targets.forEach((target, i) => {
    const summary = summaries[i]!;
    pubsub.publish(RSVP_SUMMARY_TOPIC, target.eventId, { asOf, summary, target } satisfies RsvpSummaryMessage);
    occasionMessage(target.occasionId).changed.push({ summary, target });
  });
  const enabled = new Set(targets.map((t) => t.eventId));
  for (const [eventId, occasionId] of affected) if (!enabled.has(eventId)) occasionMessage(occasionId).removedEventIds.push(eventId);
  for (const occasionId of uninstalled) occasionMessage(occasionId);
  for (const [occasionId, message] of byOccasion) pubsub.publish(RSVP_OCCASION_TOPIC, occasionId, message);
};
