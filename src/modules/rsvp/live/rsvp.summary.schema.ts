import { EventType } from '../../../domains/events/events.schema.js';
import { OccasionType } from '../../../domains/occasions/occasions.schema.js';
import { builder } from '../../../kit/builder.js';
import { encodeGlobalID } from '../../../kit/ids.js';
import { canField, declaredChecks, inheritedType } from '../../../kit/rules.js';
import { eventSummaries, type AnswerCount, type RsvpEventSummary, type TagCount } from './rsvp.summary.js';
import { type EventWithRsvp, rsvpEventTarget, WITH_RSVP_ENABLEMENT } from '../rsvp.targets.js';

const encodeEvent = (id: string) => encodeGlobalID('Event', id);

const AnswerCountType = builder.objectRef<AnswerCount>('RsvpAnswerCount').implement({
  ...inheritedType,
  description: 'How many attending units (or people, for per-person forms) gave one answer to a linked-form question.',
  fields: (t) => ({
    fieldKey: t.exposeString('fieldKey', inheritedType),
    label: t.exposeString('label', inheritedType),
    value: t.exposeString('value', inheritedType),
    count: t.exposeInt('count', inheritedType),
  }),
});
const TagCountType = builder.objectRef<TagCount>('RsvpTagCount').implement({
  ...inheritedType,
  fields: (t) => ({ tag: t.exposeString('tag', inheritedType), count: t.exposeInt('count', inheritedType) }),
});

export const RsvpEventSummaryType = builder.objectRef<RsvpEventSummary>('RsvpEventSummary').implement({
  ...inheritedType,
  description: 'Where an event’s RSVPs stand, computed by the database.',
  fields: (t) => ({
    eventId: t.id({ ...inheritedType, resolve: (s) => encodeEvent(s.eventId) }),
    invited: t.exposeInt('invited', { ...inheritedType, description: 'Invitation units invited.' }),
    attending: t.exposeInt('attending', { ...inheritedType, description: 'Units that said yes.' }),
    declined: t.exposeInt('declined', inheritedType),
    pending: t.exposeInt('pending', { ...inheritedType, description: 'Units that have not answered.' }),
    headcount: t.exposeInt('headcount', { ...inheritedType, description: 'People attending, plus-ones and children included.' }),
    children: t.exposeInt('children', inheritedType),
    plusOnes: t.exposeInt('plusOnes', inheritedType),
    answers: t.field({ type: [AnswerCountType], ...inheritedType, resolve: (s) => s.answers }),
    tags: t.field({ type: [TagCountType], ...inheritedType, description: 'Tags of attending people.', resolve: (s) => s.tags }),
  }),
});

builder.prismaObjectFields(EventType, (t) => ({
  rsvpSummary: t.field({
    type: RsvpEventSummaryType,
    description: 'Invited, attending, declined and pending units, headcount, children, plus-ones and answer counts.',
    ...WITH_RSVP_ENABLEMENT,
    ...canField('rsvp:view', 'MODULE_ENABLEMENT', (e: EventWithRsvp, _a, ctx) => rsvpEventTarget(ctx, e, 'rsvp:view')),
    resolve: async (e, _a, ctx) => (await eventSummaries(ctx.prisma, [e.id]))[0]!,
  }),
}));

/** Any reader of the occasion may ask; each event's summary is left out unless rsvp:view allows it there (checked in the body). */
const occasionSummaryRule = canField('occasion:read', 'OCCASION', (o: { id: string }) => ({ occasionId: o.id }), { alsoChecks: ['rsvp:view'] });

builder.prismaObjectField(OccasionType, 'rsvpSummary', (t) =>
  t.field({
    type: [RsvpEventSummaryType],
    description: 'One summary per event with RSVP enabled that the caller may see (rsvp:view there), in event order.',
    ...occasionSummaryRule,
    resolve: async (o, _a, ctx) => {
      const enabled = await ctx.prisma.moduleEnablement.findMany({
        where: { occasionId: o.id, installation: { moduleKey: 'rsvp' } },
        select: { id: true, eventId: true, installationId: true, event: { select: { startsAt: true } } },
        orderBy: [{ event: { startsAt: 'asc' } }, { eventId: 'asc' }],
      });
      const also = declaredChecks(occasionSummaryRule, ctx);
      const visible: string[] = [];
      for (const en of enabled) {
        const target = { occasionId: o.id, eventId: en.eventId, installationId: en.installationId, enablementId: en.id };
        if (await also.can('rsvp:view', target)) visible.push(en.eventId);
      }
      return eventSummaries(ctx.prisma, visible);
    },
  }),
);
