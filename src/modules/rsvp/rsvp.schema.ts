import { findEnablement, moduleNotEnabled, requireEnabled } from '../../domains/modules/modules.service.js';
import { EventType } from '../../domains/events/events.schema.js';
import { builder } from '../../interfaces/graphql/builder.js';
import { canField, inheritedType } from '../../interfaces/graphql/rules.js';

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

/**
 * The module's root on an event. Where RSVP is not enabled it refuses with
 * MODULE_NOT_ENABLED rather than returning empty data.
 */
builder.prismaObjectField(EventType, 'rsvp', (t) =>
  t.field({
    type: RsvpEventSettingsType,
    nullable: true,
    // The target is the enablement itself, so grants at event, installation or enablement scope all apply.
    ...canField('rsvp:view', 'MODULE_ENABLEMENT', async (e: { id: string; occasionId: string }, _a, ctx) => {
      const en = await findEnablement(ctx.prisma, e.id, 'rsvp');
      if (!en) {
        // Whether RSVP is on for an event is itself RSVP information: only someone who could see it is told.
        // (The installation, if any, is part of the target: an installation-wide grant may know where RSVP is off.)
        const inst = await ctx.prisma.moduleInstallation.findUnique({
          where: { occasionId_moduleKey: { occasionId: e.occasionId, moduleKey: 'rsvp' } },
          select: { id: true },
        });
        await ctx.authz.assert('rsvp:view', { occasionId: e.occasionId, eventId: e.id, ...(inst ? { installationId: inst.id } : {}) }, 'Event');
        throw moduleNotEnabled('rsvp');
      }
      return { occasionId: en.occasionId, eventId: en.eventId, installationId: en.installationId, enablementId: en.id };
    }),
    resolve: async (e, _a, ctx) => {
      const en = await requireEnabled(ctx.prisma, e.id, 'rsvp');
      const cfg = en.config as { deadline?: string; linkedFormId?: string };
      return { eventId: e.id, deadline: cfg.deadline ? new Date(cfg.deadline) : null, linkedFormId: cfg.linkedFormId ?? null, config: en.config };
    },
  }),
);
