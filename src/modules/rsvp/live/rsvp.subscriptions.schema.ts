import { EventType } from '../../../domains/events/events.schema.js';
import { OccasionType } from '../../../domains/occasions/occasions.schema.js';
import { builder } from '../../../kit/builder.js';
import type { Context } from '../../../kit/context.js';
import { encodeGlobalID } from '../../../kit/ids.js';
import { liveStream, liveValue, sharedValue } from '../../../capabilities/live/stream.js';
import { canField, declaredChecks, inheritedType } from '../../../kit/rules.js';
import {
  databaseNow,
  RSVP_OCCASION_TOPIC,
  RSVP_SUMMARY_TOPIC,
  rsvpTargets,
  type RsvpOccasionMessage,
  type RsvpSummaryMessage,
  type RsvpTarget,
} from './rsvp.live.js';
import { RsvpEventSummaryType } from './rsvp.summary.schema.js';
import { eventSummaries, type RsvpEventSummary } from './rsvp.summary.js';
import { rsvpEventTarget } from '../rsvp.targets.js';

/**
 * Live RSVP summaries, over graphql-ws and SSE. Each stream sends the current
 * state first, then one message per committed change, re-deciding the
 * subscriber's access before each (see liveStream). Summaries are computed
 * once per commit by the publisher (rsvp.live.ts), never per subscriber.
 */

/** Access changes that can move or remove an event's RSVP target. */
const TARGET_CHANGES = new Set(['module.disabled', 'module.uninstalled', 'event.deleted', 'occasion.deleted']);

async function eventTarget(ctx: Context, eventId: string) {
  const e = await ctx.targets.event(eventId);
  return rsvpEventTarget(ctx, { id: e.eventId!, occasionId: e.occasionId }, 'rsvp:view');
}

builder.subscriptionField('rsvpSummaryChanged', (t) =>
  t.field({
    type: RsvpEventSummaryType,
    description:
      'The event’s RSVP summary now, then again after every committed change to it. Ends (over graphql-ws: closes with 4403) when the caller’s access to it ends or their token expires.',
    args: { eventId: t.arg.globalID({ required: true, for: EventType }) },
    ...canField('rsvp:view', 'MODULE_ENABLEMENT', (_p, args: { eventId: { id: string } }, ctx) => eventTarget(ctx, args.eventId.id)),
    subscribe: async (_root, args, ctx) => {
      const eventId = args.eventId.id;
      // Already decided by the rule above; kept to re-decide against.
      let target = await eventTarget(ctx, eventId);
      let lastAsOf = -Infinity;
      return liveStream<RsvpSummaryMessage, RsvpEventSummary>(ctx, {
        occasionId: target.occasionId,
        topics: [[RSVP_SUMMARY_TOPIC, eventId]],
        authorize: () => ctx.authz.check('rsvp:view', target),
        // RSVP switched off or the event gone: re-deriving the target refuses (or says MODULE_NOT_ENABLED).
        // Grant changes alone leave the target as it is: no query for them.
        accessChanged: async (types) => {
          if (types.some((t) => TARGET_CHANGES.has(t))) target = await eventTarget(ctx, eventId);
          return null;
        },
        initial: async () => {
          lastAsOf = await databaseNow(ctx.prisma);
          return (await eventSummaries(ctx.prisma, [eventId]))[0]!;
        },
        next: (m) => {
          if (m.asOf < lastAsOf) return null;
          lastAsOf = m.asOf;
          return m.summary;
        },
      });
    },
    resolve: liveValue,
  }),
);

interface RsvpOccasionSummary {
  events: RsvpEventSummary[];
  removedEventIds: string[];
}

const RsvpOccasionSummaryType = builder.objectRef<RsvpOccasionSummary>('RsvpOccasionSummary').implement({
  ...inheritedType,
  description: 'RSVP summaries of an occasion’s events: all of them first, then the changed ones.',
  fields: (t) => ({
    events: t.field({
      type: [RsvpEventSummaryType],
      ...inheritedType,
      description: 'Events with RSVP enabled that the caller may see (rsvp:view there): every one in the first message, then those that changed.',
      resolve: (s) => s.events,
    }),
    removedEventIds: t.idList({
      ...inheritedType,
      description: 'Events to drop: RSVP switched off, the event deleted, or the caller may no longer see it.',
      resolve: (s) => s.removedEventIds.map((id) => encodeGlobalID('Event', id)),
    }),
  }),
});

/** Any reader of the occasion may subscribe; each event is sent only while rsvp:view allows it there (checked in the body, per message). */
const occasionStreamRule = canField(
  'occasion:read',
  'OCCASION',
  (_p, args: { occasionId: { id: string } }, ctx) => ctx.targets.occasion(args.occasionId.id),
  { alsoChecks: ['rsvp:view'] },
);

builder.subscriptionField('rsvpOccasionSummaryChanged', (t) =>
  t.field({
    type: RsvpOccasionSummaryType,
    description:
      'Every RSVP-enabled event of the occasion the caller may see, then the events each committed change touched. Ends (over graphql-ws: closes with 4403) when the caller’s access to the occasion ends or their token expires.',
    args: { occasionId: t.arg.globalID({ required: true, for: OccasionType }) },
    ...occasionStreamRule,
    subscribe: (_root, args, ctx) => {
      const occasionId = args.occasionId.id;
      const also = declaredChecks(occasionStreamRule, ctx);
      // Events sent so far, with the clock of their last summary: stale messages and removals are judged against it.
      const sent = new Map<string, number>();
      const snapshot = async (only: (eventId: string) => boolean) => {
        const asOf = await databaseNow(ctx.prisma);
        const targets = await rsvpTargets(ctx.prisma, { occasionId });
        const allowed: RsvpTarget[] = [];
        for (const target of targets) if (await also.can('rsvp:view', target)) allowed.push(target);
        const fresh = allowed.filter((x) => only(x.eventId));
        const events = await eventSummaries(
          ctx.prisma,
          fresh.map((x) => x.eventId),
        );
        for (const x of fresh) sent.set(x.eventId, asOf);
        const keep = new Set(allowed.map((x) => x.eventId));
        const removedEventIds = [...sent.keys()].filter((id) => !keep.has(id));
        for (const id of removedEventIds) sent.delete(id);
        return { events, removedEventIds };
      };
      return liveStream<RsvpOccasionMessage, RsvpOccasionSummary>(ctx, {
        occasionId,
        topics: [[RSVP_OCCASION_TOPIC, occasionId]],
        authorize: () => ctx.authz.check('occasion:read', { occasionId }),
        initial: () => snapshot(() => true),
        // Grants changed: events may have become visible (sent now) or hidden (removed).
        accessChanged: async () => {
          const change = await snapshot((eventId) => !sent.has(eventId));
          return change.events.length || change.removedEventIds.length ? change : null;
        },
        next: async (m) => {
          const events: RsvpEventSummary[] = [];
          for (const { summary, target } of m.changed) {
            if ((sent.get(target.eventId) ?? -Infinity) > m.asOf) continue;
            if (!(await also.can('rsvp:view', target))) continue;
            sent.set(target.eventId, m.asOf);
            events.push(summary);
          }
          const gone = m.uninstalled ? [...sent.keys()] : m.removedEventIds.filter((id) => sent.has(id));
          for (const id of gone) sent.delete(id);
          if (!events.length && !gone.length) return null;
          // Subscribers sending the same events and removals send one object (its result is then computed once).
          const key = `${events.map((e) => e.eventId).join(',')}|${gone.join(',')}`;
          return sharedValue(m, key, () => ({ events, removedEventIds: gone }));
        },
      });
    },
    resolve: liveValue,
  }),
);
