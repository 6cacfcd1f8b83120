import { builder } from '../../../kit/builder.js';
import { guestPortalField, inheritedType } from '../../../kit/rules.js';
import { inTransaction } from '../../../kit/transaction.js';
import { notFound, ValidationError } from '../../../platform/errors.js';
import { setGuestLocalePreference } from './rsvp.guest-locale.js';

/*
 * A guest choosing their language from their link (like their message
 * preferences: portal links only, not a printed invitation's code). It is
 * saved for the whole invitation, so the guest page, guestInvitation and the
 * messages sent to the invitation all use it.
 */

const SetGuestLocalePayload = builder.objectRef<{ preferredLocale: string | null }>('SetGuestLocalePayload').implement({
  ...inheritedType,
  fields: (t) => ({ preferredLocale: t.exposeString('preferredLocale', { ...inheritedType, nullable: true }) }),
});

builder.mutationField('setGuestLocale', (t) =>
  t.field({
    type: SetGuestLocalePayload,
    ...guestPortalField,
    description: 'Choose the language of your invitation (null: your browser’s); your hosts’ messages use it too.',
    args: {
      input: t.arg({
        type: builder.inputType('SetGuestLocaleInput', {
          fields: (f) => ({ locale: f.string({ description: 'A BCP 47 locale (he, he-IL), or null.' }) }),
        }),
        required: true,
      }),
    },
    errors: { types: [ValidationError] },
    resolve: async (_r, { input }, ctx) => {
      if (ctx.principal.kind !== 'guest') throw notFound('RSVP invitation');
      const unitActorId = ctx.principal.unitActorId;
      const preferredLocale = await inTransaction(ctx, (tx) => setGuestLocalePreference(tx, ctx.caller, unitActorId, input.locale ?? null));
      return { preferredLocale };
    },
  }),
);
