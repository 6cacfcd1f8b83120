import { EventType } from '../../domains/events/events.schema.js';
import { builder } from '../../kit/builder.js';
import { canField, inheritedType } from '../../kit/rules.js';
import { deadlineOf, type EventWithRsvp, rsvpEnablementOf, rsvpEventTarget, type RsvpEventConfig, WITH_RSVP_ENABLEMENT } from './rsvp.targets.js';

/** RSVP as enabled on one event: its deadline, linked form and configuration (set with configureModule). */

interface RsvpEventSettings {
  eventId: string;
  deadline: Date | null;
  linkedFormId: string | null;
  config: unknown;
}

const RsvpEventSettingsType = builder.objectRef<RsvpEventSettings>('RsvpEventSettings').implement({
  ...inheritedType,
  description: 'RSVP as enabled on one event.',
  fields: (t) => ({
    deadline: t.expose('deadline', {
      type: 'DateTime',
      nullable: true,
      ...inheritedType,
      description: 'After this, guests can no longer change their answer.',
    }),
    linkedFormId: t.exposeString('linkedFormId', { nullable: true, ...inheritedType }),
    config: t.expose('config', { type: 'JSON', ...inheritedType }),
  }),
});

builder.prismaObjectFields(EventType, (t) => ({
  rsvp: t.field({
    type: RsvpEventSettingsType,
    nullable: true,
    description: 'RSVP settings of this event; MODULE_NOT_ENABLED where RSVP is off.',
    ...WITH_RSVP_ENABLEMENT,
    ...canField('rsvp:view', 'MODULE_ENABLEMENT', (e: EventWithRsvp, _a, ctx) => rsvpEventTarget(ctx, e, 'rsvp:view')),
    resolve: async (e, _a, ctx) => {
      const en = (await rsvpEnablementOf(ctx, e))!;
      const cfg = en.config as RsvpEventConfig;
      return { eventId: e.id, deadline: deadlineOf(cfg), linkedFormId: cfg.linkedFormId ?? null, config: en.config };
    },
  }),
}));
