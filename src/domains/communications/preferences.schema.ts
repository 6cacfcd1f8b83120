import { builder } from '../../kit/builder.js';
import type { Context } from '../../kit/context.js';
import { canField, guestPortalField, inheritedType, type InputIdArgs } from '../../kit/rules.js';
import { inTransaction } from '../../kit/transaction.js';
import { notFound, ValidationError } from '../../platform/errors.js';
import { ActorType } from '../actors/actors.schema.js';
import { MessageCategoryEnum, MessageChannelEnum } from './communications.schema.js';
import { parsePreferences, preferencesOf, setPreferences, type Preference } from './preferences.service.js';

/*
 * Who wants which messages: per category (invitations and reminders;
 * announcements) and channel, an opt-out. Transactional messages always go.
 * A guest sets its unit's through its link (@guest); a planner with
 * communications:manage_recipients sets anyone's, e.g. a wish given by phone.
 * A unit's choice covers its people (see setPreferences).
 */

const PreferenceType = builder.objectRef<Preference>('CommunicationPreference').implement({
  ...inheritedType,
  description: 'Whether messages of a category on a channel are wanted. Absent a choice, they are (optedOut false).',
  fields: (t) => ({
    category: t.field({ type: MessageCategoryEnum, ...inheritedType, description: 'INVITATIONS or ANNOUNCEMENTS.', resolve: (p) => p.category }),
    channel: t.field({ type: MessageChannelEnum, ...inheritedType, resolve: (p) => p.channel }),
    optedOut: t.exposeBoolean('optedOut', inheritedType),
  }),
});

const PreferenceInput = builder.inputType('CommunicationPreferenceInput', {
  fields: (t) => ({
    category: t.field({ type: MessageCategoryEnum, required: true, description: 'INVITATIONS or ANNOUNCEMENTS (TRANSACTIONAL is refused).' }),
    channel: t.field({ type: MessageChannelEnum, required: true }),
    optedOut: t.boolean({ required: true }),
  }),
});

const PreferencesPayload = builder.objectRef<{ preferences: Preference[] }>('CommunicationPreferencesPayload').implement({
  ...inheritedType,
  fields: (t) => ({
    preferences: t.field({ type: [PreferenceType], ...inheritedType, description: 'Every choice as it now is.', resolve: (p) => p.preferences }),
  }),
});

builder.prismaObjectField(ActorType, 'communicationPreferences', (t) =>
  t.field({
    type: [PreferenceType],
    ...canField('communications:view', 'OCCASION', (a: { occasionId: string }) => ({ occasionId: a.occasionId })),
    description: 'Which optional messages this actor wants, per category and channel (a unit’s choice is also its people’s).',
    select: { id: true, occasionId: true },
    resolve: (a, _args, ctx) => preferencesOf(ctx.prisma, a.occasionId, a.id),
  }),
);

builder.mutationField('setCommunicationPreferences', (t) =>
  t.field({
    type: PreferencesPayload,
    ...canField('communications:manage_recipients', 'OCCASION', (_p, args: InputIdArgs<'actorId'>, ctx) => ctx.targets.actor(args.input.actorId.id)),
    description:
      'Record an actor’s wishes for them (given by phone, in person): the choices listed change, others stay. A household’s or group’s choice also applies to its people. TRANSACTIONAL cannot be opted out of (ValidationError).',
    args: {
      input: t.arg({
        type: builder.inputType('SetCommunicationPreferencesInput', {
          fields: (f) => ({
            actorId: f.globalID({ required: true, for: ActorType }),
            preferences: f.field({ type: [PreferenceInput], required: true }),
          }),
        }),
        required: true,
      }),
    },
    errors: { types: [ValidationError] },
    resolve: async (_r, { input }, ctx) => {
      const prefs = parsePreferences(input.preferences);
      const { occasionId } = await ctx.targets.actor(input.actorId.id);
      const preferences = await inTransaction(ctx, (tx) =>
        setPreferences(tx, ctx.caller, occasionId, input.actorId.id, prefs, 'A planner recorded the recipient’s wishes.'),
      );
      return { preferences };
    },
  }),
);

function guestOf(ctx: Context) {
  // The rule admits guests only; this narrows the type.
  if (ctx.principal.kind !== 'guest') throw notFound('Guest link');
  return ctx.principal;
}

builder.queryField('guestCommunicationPreferences', (t) =>
  t.field({
    type: [PreferenceType],
    ...guestPortalField,
    description: 'Which optional messages your household (or group) wants, per category and channel.',
    resolve: (_r, _a, ctx) => {
      const guest = guestOf(ctx);
      return preferencesOf(ctx.prisma, guest.occasionId, guest.unitActorId);
    },
  }),
);

builder.mutationField('setGuestCommunicationPreferences', (t) =>
  t.field({
    type: PreferencesPayload,
    ...guestPortalField,
    description:
      'Choose which optional messages your household (or group) gets: the choices listed change, others stay. Confirmations and replies (TRANSACTIONAL) always go (ValidationError if asked).',
    args: {
      input: t.arg({
        type: builder.inputType('SetGuestCommunicationPreferencesInput', {
          fields: (f) => ({ preferences: f.field({ type: [PreferenceInput], required: true }) }),
        }),
        required: true,
      }),
    },
    errors: { types: [ValidationError] },
    resolve: async (_r, { input }, ctx) => {
      const guest = guestOf(ctx);
      const prefs = parsePreferences(input.preferences);
      const preferences = await inTransaction(ctx, (tx) =>
        setPreferences(tx, ctx.caller, guest.occasionId, guest.unitActorId, prefs, 'The guest chose through their guest link.'),
      );
      return { preferences };
    },
  }),
);
