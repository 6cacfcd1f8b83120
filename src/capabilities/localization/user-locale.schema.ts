import { UserType } from '../../domains/identity/identity.schema.js';
import { builder } from '../../kit/builder.js';
import { authenticatedField, inheritedType } from '../../kit/rules.js';
import { inTransaction } from '../../kit/transaction.js';
import { unauthenticated, ValidationError } from '../../platform/errors.js';
import { setUserLocale } from './user-locale.service.js';

/*
 * A user's saved language. Requests without a `locale` argument answer in it
 * (before Accept-Language): localizedName and the like, here and in modules.
 */

builder.prismaObjectField(UserType, 'locale', (t) =>
  t.exposeString('locale', {
    nullable: true,
    description: 'The language you want answers in (BCP 47, such as he or he-IL); null: each request’s Accept-Language.',
  }),
);

const SetMyLocaleInput = builder.inputType('SetMyLocaleInput', {
  fields: (t) => ({ locale: t.string({ description: 'A BCP 47 locale (he, he-IL); null to follow Accept-Language again.' }) }),
});

const SetMyLocalePayload = builder.objectRef<{ userId: string }>('SetMyLocalePayload').implement({
  ...inheritedType,
  fields: (t) => ({
    user: t.prismaField({
      type: 'User',
      ...inheritedType,
      resolve: (query, p, _a, ctx) => ctx.prisma.user.findUniqueOrThrow({ ...query, where: { id: p.userId } }),
    }),
  }),
});

builder.mutationField('setMyLocale', (t) =>
  t.field({
    type: SetMyLocalePayload,
    ...authenticatedField,
    description: 'Save the language you want answers in; later requests use it when they give no `locale` argument.',
    args: { input: t.arg({ type: SetMyLocaleInput, required: true }) },
    errors: { types: [ValidationError] },
    resolve: async (_r, { input }, ctx) => {
      if (ctx.principal.kind !== 'user') throw unauthenticated();
      const user = await inTransaction(ctx, (tx) => setUserLocale(tx, ctx.caller, input.locale ?? null));
      return { userId: user.id };
    },
  }),
);
