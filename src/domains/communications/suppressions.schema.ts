import { builder } from '../../kit/builder.js';
import { encodeGlobalID } from '../../kit/ids.js';
import { payload } from '../../kit/payload.js';
import { canField, canType, inheritedType, type InputIdArgs } from '../../kit/rules.js';
import { inTransaction } from '../../kit/transaction.js';
import { ValidationError } from '../../platform/errors.js';
import { OccasionType } from '../occasions/occasions.schema.js';
import { MessageType } from './communications.schema.js';
import { restoreAddress, suppressAddress } from './preferences.service.js';

/*
 * Addresses nothing is sent to in the occasion (planner side): those that
 * bounced for good or complained, and those a planner suppressed. Reading
 * them is communications:view (the address itself also actor:read_contact,
 * like Message.address); changing them communications:manage_recipients.
 */

const byOccasion = (r: { occasionId: string }) => ({ occasionId: r.occasionId });

const SuppressionReasonEnum = builder.enumType('SuppressionReason', {
  values: {
    HARD_BOUNCE: { description: 'A message to it bounced for good (no such mailbox, no such domain).' },
    COMPLAINT: { description: 'The recipient marked a message as spam.' },
    MANUAL: { description: 'A planner suppressed it.' },
  },
});

export const SuppressedAddressType = builder.prismaNode('CommSuppression', {
  id: { field: 'id' },
  name: 'SuppressedAddress',
  ...canType('communications:view', 'OCCASION', byOccasion),
  description: 'An address nothing is sent to in this occasion, and why.',
  fields: (t) => ({
    address: t.exposeString('address', { ...canField('actor:read_contact', 'OCCASION', byOccasion), description: 'Lower-cased.' }),
    reason: t.expose('reason', { type: SuppressionReasonEnum }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    message: t.field({
      type: MessageType,
      nullable: true,
      description: 'The message that caused it (a bounce or a complaint); null for a planner’s.',
      select: { deliveryId: true, occasionId: true },
      // findUnique calls of one tick are batched by Prisma into one statement for a page of rows.
      resolve: async (r, _a, ctx) =>
        r.deliveryId
          ? ctx.prisma.commDelivery.findUnique({ where: { id: r.deliveryId } }).then((d) => (d?.occasionId === r.occasionId ? d : null))
          : null,
    }),
  }),
});

builder.prismaObjectField(OccasionType, 'suppressedAddresses', (t) =>
  t.relatedConnection('commSuppressions', {
    ...canField('communications:view', 'OCCASION', (o: { id: string }) => ({ occasionId: o.id })),
    description: 'Addresses nothing is sent to in this occasion, newest first.',
    cursor: 'id',
    totalCount: true,
    query: () => ({ orderBy: { id: 'desc' as const } }),
  }),
);

const SuppressPayload = payload('SuppressAddressPayload', 'suppressedAddress', SuppressedAddressType);

const RestorePayload = builder.objectRef<{ id: string; occasionId: string }>('RestoreAddressPayload').implement({
  ...inheritedType,
  fields: (t) => ({
    restoredId: t.id({
      ...inheritedType,
      description: 'Global id of the suppression removed.',
      resolve: (p) => encodeGlobalID('SuppressedAddress', p.id),
    }),
    occasion: t.prismaField({
      type: 'Occasion',
      ...inheritedType,
      description: 'The occasion, to read its suppressed addresses again.',
      resolve: (query, p, _a, ctx) => ctx.prisma.occasion.findUniqueOrThrow({ ...query, where: { id: p.occasionId } }),
    }),
  }),
});

builder.mutationFields((t) => ({
  suppressAddress: t.field({
    type: SuppressPayload,
    ...canField('communications:manage_recipients', 'OCCASION', (_p, args: InputIdArgs<'occasionId'>, ctx) =>
      ctx.targets.occasion(args.input.occasionId.id),
    ),
    description:
      'Send nothing more to this address in the occasion, not even transactional messages; messages queued to it and not yet sent are withdrawn (SUPPRESSED). An address suppressed already stays as it is. Not an address we could send to: ValidationError.',
    args: {
      input: t.arg({
        type: builder.inputType('SuppressAddressInput', {
          fields: (f) => ({ occasionId: f.globalID({ required: true, for: OccasionType }), address: f.string({ required: true }) }),
        }),
        required: true,
      }),
    },
    errors: { types: [ValidationError] },
    resolve: async (_r, { input }, ctx) => ({
      suppressedAddress: await inTransaction(ctx, (tx) => suppressAddress(tx, ctx.caller, input.occasionId.id, input.address)),
    }),
  }),
  restoreAddress: t.field({
    type: RestorePayload,
    ...canField('communications:manage_recipients', 'OCCASION', (_p, args: InputIdArgs<'id'>, ctx) => ctx.targets.commSuppression(args.input.id.id)),
    description:
      'Send to this address again (later messages only: those suppressed stay so). A bounce or complaint may come again: the address is then suppressed again.',
    args: {
      input: t.arg({
        type: builder.inputType('RestoreAddressInput', { fields: (f) => ({ id: f.globalID({ required: true, for: SuppressedAddressType }) }) }),
        required: true,
      }),
    },
    resolve: async (_r, { input }, ctx) => {
      const row = await inTransaction(ctx, (tx) => restoreAddress(tx, ctx.caller, input.id.id));
      return { id: row.id, occasionId: row.occasionId };
    },
  }),
}));
