import type { CalendarFeed } from '../../../generated/prisma/client.js';
import { EventType } from '../../../domains/events/events.schema.js';
import { OccasionType } from '../../../domains/occasions/occasions.schema.js';
import { builder } from '../../../kit/builder.js';
import { encodeGlobalID } from '../../../kit/ids.js';
import { canField, declaredChecks, guestPortalField, inheritedType, type InputIdArgs } from '../../../kit/rules.js';
import { inTransaction } from '../../../kit/transaction.js';
import { notFound, ValidationError } from '../../../platform/errors.js';
import { callerFeeds, createCalendarFeed, revokeCalendarFeed } from './feeds.service.js';

/*
 * A feed is its owner's: a user creates, lists and revokes theirs with any
 * standing in the occasion (occasion:read), a guest theirs with its link
 * (@guestPortal). Nobody reads or revokes another's feed (NOT_FOUND). What a
 * feed shows is decided when it is fetched (feed-content.ts).
 */

const CalendarFeedType = builder.objectRef<CalendarFeed>('CalendarFeed').implement({
  ...inheritedType,
  description: 'A secret calendar URL of yours. The URL itself is shown only when the feed is created.',
  fields: (t) => ({
    id: t.id({ ...inheritedType, resolve: (f) => encodeGlobalID('CalendarFeed', f.id) }),
    label: t.exposeString('label', { nullable: true, ...inheritedType }),
    eventIds: t.idList({
      ...inheritedType,
      description: 'The events it is limited to; empty: every event you may see.',
      resolve: (f) => f.eventIds.map((id) => encodeGlobalID('Event', id)),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', ...inheritedType }),
    lastFetchedAt: t.expose('lastFetchedAt', { type: 'DateTime', nullable: true, ...inheritedType }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true, ...inheritedType }),
  }),
});

const CreateCalendarFeedPayload = builder.objectRef<{ feed: CalendarFeed; url: string }>('CreateCalendarFeedPayload').implement({
  ...inheritedType,
  fields: (t) => ({
    feed: t.field({ type: CalendarFeedType, ...inheritedType, resolve: (p) => p.feed }),
    url: t.exposeString('url', {
      ...inheritedType,
      description: 'The secret feed URL (…/calendar/<token>.ics), shown this once: subscribe to it in a calendar app.',
    }),
  }),
});
const CalendarFeedPayload = builder.objectRef<{ feed: CalendarFeed }>('CalendarFeedPayload').implement({
  ...inheritedType,
  fields: (t) => ({ feed: t.field({ type: CalendarFeedType, ...inheritedType, resolve: (p) => p.feed }) }),
});

const eventIdsField = { description: 'Limit the feed to these events (default: every event you may see).' };
const CreateCalendarFeedInput = builder.inputType('CreateCalendarFeedInput', {
  fields: (t) => ({
    occasionId: t.globalID({ required: true, for: OccasionType }),
    eventIds: t.globalIDList({ for: EventType, ...eventIdsField }),
    label: t.string({ description: 'Your name for it, e.g. “Phone”.' }),
  }),
});
const CreateGuestCalendarFeedInput = builder.inputType('CreateGuestCalendarFeedInput', {
  fields: (t) => ({ eventIds: t.globalIDList({ for: EventType, ...eventIdsField }), label: t.string() }),
});
const RevokeCalendarFeedInput = builder.inputType('RevokeCalendarFeedInput', {
  fields: (t) => ({ id: t.globalID({ required: true, for: CalendarFeedType }) }),
});

builder.prismaObjectField(OccasionType, 'calendarFeeds', (t) =>
  t.field({
    type: [CalendarFeedType],
    description: 'Your own calendar feeds in this occasion, newest first (revoked ones too).',
    ...canField('occasion:read', 'OCCASION', (o: { id: string }) => ({ occasionId: o.id })),
    resolve: (o, _a, ctx) => callerFeeds(ctx.prisma, ctx.principal, o.id),
  }),
);

builder.queryField('guestCalendarFeeds', (t) =>
  t.field({
    type: [CalendarFeedType],
    ...guestPortalField,
    description: 'For a guest link: the calendar feeds created with it.',
    resolve: (_r, _a, ctx) => (ctx.principal.kind === 'guest' ? callerFeeds(ctx.prisma, ctx.principal, ctx.principal.occasionId) : []),
  }),
);

/** Any standing in the occasion creates a feed; each event it is limited to must be one the caller sees (a private one it is not granted at is NOT_FOUND). */
const createFeedRule = canField(
  'occasion:read',
  'OCCASION',
  (_p, args: InputIdArgs<'occasionId'>, ctx) => ctx.targets.occasion(args.input.occasionId.id),
  {
    alsoChecks: ['event:read'],
  },
);

builder.mutationFields((t) => ({
  createCalendarFeed: t.field({
    type: CreateCalendarFeedPayload,
    description: 'A secret iCalendar URL of your timeline items: what it shows is decided at each fetch by what you may see then.',
    ...createFeedRule,
    args: { input: t.arg({ type: CreateCalendarFeedInput, required: true }) },
    errors: { types: [ValidationError] },
    resolve: async (_r, { input }, ctx) => {
      for (const e of input.eventIds ?? []) await declaredChecks(createFeedRule, ctx).assert('event:read', await ctx.targets.event(e.id), 'Event');
      return inTransaction(ctx, (tx) =>
        createCalendarFeed(
          tx,
          ctx.caller,
          input.occasionId.id,
          { label: input.label ?? undefined, eventIds: input.eventIds?.map((e) => e.id) ?? [] },
          ctx.app.config.publicUrl,
        ),
      );
    },
  }),
  createGuestCalendarFeed: t.field({
    type: CreateCalendarFeedPayload,
    description: 'For a guest link: a secret iCalendar URL of the programme (items for guests) of the events the link shows.',
    ...guestPortalField,
    args: { input: t.arg({ type: CreateGuestCalendarFeedInput, required: true }) },
    errors: { types: [ValidationError] },
    resolve: (_r, { input }, ctx) => {
      const p = ctx.principal;
      if (p.kind !== 'guest') throw notFound('Occasion');
      return inTransaction(ctx, (tx) =>
        createCalendarFeed(
          tx,
          ctx.caller,
          p.occasionId,
          { label: input.label ?? undefined, eventIds: input.eventIds?.map((e) => e.id) ?? [] },
          ctx.app.config.publicUrl,
        ),
      );
    },
  }),
  revokeCalendarFeed: t.field({
    type: CalendarFeedPayload,
    description: 'Stops one of your feed URLs for good: its next fetch gets 410 Gone.',
    ...canField('occasion:read', 'OCCASION', (_p, args: InputIdArgs<'id'>, ctx) => ctx.targets.calendarFeed(args.input.id.id)),
    args: { input: t.arg({ type: RevokeCalendarFeedInput, required: true }) },
    resolve: async (_r, { input }, ctx) => ({ feed: await inTransaction(ctx, (tx) => revokeCalendarFeed(tx, ctx.caller, input.id.id)) }),
  }),
  revokeGuestCalendarFeed: t.field({
    type: CalendarFeedPayload,
    ...guestPortalField,
    description: 'For a guest link: stops one of its feed URLs for good.',
    args: { input: t.arg({ type: RevokeCalendarFeedInput, required: true }) },
    resolve: async (_r, { input }, ctx) => ({ feed: await inTransaction(ctx, (tx) => revokeCalendarFeed(tx, ctx.caller, input.id.id)) }),
  }),
}));
