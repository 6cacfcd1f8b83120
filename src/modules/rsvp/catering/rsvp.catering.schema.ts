import { EventType } from '../../../domains/events/events.schema.js';
import { builder } from '../../../kit/builder.js';
import { canField, inheritedType } from '../../../kit/rules.js';
import { eventSummaries, type RsvpEventSummary } from '../live/rsvp.summary.js';
import { type EventWithRsvp, rsvpEventTarget, WITH_RSVP_ENABLEMENT } from '../rsvp.targets.js';

/*
 * What a caterer (a vendor contact, or the caterer's system as an integration)
 * needs for one dining event, and nothing more: how many plates, how many
 * children's plates, and the meal and dietary answers as counts. No guest's
 * name, contact, note or tag ever enters this type.
 */

interface CateringCount {
  value: string;
  count: number;
}
interface CateringQuestion {
  key: string;
  label: string;
  counts: CateringCount[];
}

const CateringCountType = builder.objectRef<CateringCount>('CateringCount').implement({
  ...inheritedType,
  fields: (t) => ({ value: t.exposeString('value', inheritedType), count: t.exposeInt('count', inheritedType) }),
});
const CateringQuestionType = builder.objectRef<CateringQuestion>('CateringQuestion').implement({
  ...inheritedType,
  description: 'One linked-form question (meal, dietary needs, …) as counts over attending people.',
  fields: (t) => ({
    key: t.exposeString('key', inheritedType),
    label: t.exposeString('label', inheritedType),
    counts: t.field({ type: [CateringCountType], ...inheritedType, resolve: (q) => q.counts }),
  }),
});

const CateringSummaryType = builder.objectRef<RsvpEventSummary>('CateringSummary').implement({
  ...inheritedType,
  description: 'Plates for one event: headcount and answer counts of attending guests. Counts only.',
  fields: (t) => ({
    headcount: t.exposeInt('headcount', { ...inheritedType, description: 'People attending, plus-ones and children included.' }),
    children: t.exposeInt('children', inheritedType),
    adults: t.int({ ...inheritedType, resolve: (s) => s.headcount - s.children }),
    pendingUnits: t.exposeInt('pending', { ...inheritedType, description: 'Invitations not answered yet (the headcount may still grow).' }),
    questions: t.field({
      type: [CateringQuestionType],
      ...inheritedType,
      resolve: (s) => {
        const byKey = new Map<string, CateringQuestion>();
        for (const a of s.answers) {
          const q = byKey.get(a.fieldKey) ?? { key: a.fieldKey, label: a.label, counts: [] };
          q.counts.push({ value: a.value, count: a.count });
          byKey.set(a.fieldKey, q);
        }
        return [...byKey.values()];
      },
    }),
  }),
});

builder.prismaObjectField(EventType, 'cateringSummary', (t) =>
  t.field({
    type: CateringSummaryType,
    description: 'For caterers: plates and meal/dietary counts of this event (RSVP + linked form), never who.',
    ...WITH_RSVP_ENABLEMENT,
    ...canField('rsvp:read_catering', 'MODULE_ENABLEMENT', (e: EventWithRsvp, _a, ctx) => rsvpEventTarget(ctx, e, 'rsvp:read_catering')),
    resolve: async (e, _a, ctx) => (await eventSummaries(ctx.prisma, [e.id]))[0]!,
  }),
);
