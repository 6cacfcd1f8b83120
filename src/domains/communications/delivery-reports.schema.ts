import { builder } from '../../kit/builder.js';
import { PLATFORM_TARGET } from '../../kit/authorization.js';
import { canField, inheritedType } from '../../kit/rules.js';
import { inTransaction } from '../../kit/transaction.js';
import { ValidationError } from '../../platform/errors.js';
import { DELIVER_ACTION } from './communications.actions.js';
import { MessageStatusEnum } from './communications.schema.js';
import { reportMessageStatus, type ReportOutcome } from './delivery-reports.service.js';

/*
 * The messaging provider's side of the communication log: it reports what
 * became of the messages it was handed (through its signed inbound webhook,
 * `message.status`). Platform scope, communications:deliver: the provider holds
 * nothing in any occasion, and the answer carries ids and a status only,
 * never an address, a name or a message body.
 */

const MessageReportEventEnum = builder.enumType('MessageReportEvent', {
  values: {
    DELIVERED: { description: 'The receiving server accepted it.' },
    OPENED: { description: 'The recipient opened it (as far as the provider can tell).' },
    BOUNCED: { description: 'It came back; `hard` (permanent) suppresses the address in its occasion.' },
    COMPLAINED: { description: 'The recipient marked it as spam: the address is suppressed in its occasion.' },
  },
});

const ReportMessageStatusInput = builder.inputType('ReportMessageStatusInput', {
  fields: (t) => ({
    providerMessageId: t.string({ description: 'The id the provider answered with when it took the message.' }),
    messageId: t.string({ description: 'Or its Message-ID (`<…@…>`), as handed over.' }),
    event: t.field({ type: MessageReportEventEnum, required: true }),
    hard: t.boolean({ description: 'Bounces: permanent (no such address) or not.' }),
    at: t.field({ type: 'DateTime', required: true, description: 'When it happened, by the provider’s clock.' }),
  }),
});

const ReportMessageStatusPayload = builder.objectRef<ReportOutcome>('ReportMessageStatusPayload').implement({
  ...inheritedType,
  description: 'What the message shows now: ids and status only.',
  fields: (t) => ({
    messageId: t.string({ ...inheritedType, description: 'Its Message-ID, as handed over.', resolve: (o) => o.messageId }),
    status: t.field({ type: MessageStatusEnum, ...inheritedType, resolve: (o) => o.status }),
    changed: t.boolean({
      ...inheritedType,
      description: 'False: nothing new (a repeat, or older news than the message already shows).',
      resolve: (o) => o.changed,
    }),
  }),
});

builder.mutationField('reportMessageStatus', (t) =>
  t.field({
    type: ReportMessageStatusPayload,
    ...canField(DELIVER_ACTION, 'PLATFORM', () => PLATFORM_TARGET),
    description:
      'A messaging provider reports what became of a message it was handed (delivered, opened, bounced, complained). Only its own messages exist for it.',
    args: { input: t.arg({ type: ReportMessageStatusInput, required: true }) },
    errors: { types: [ValidationError] },
    resolve: (_r, { input }, ctx) =>
      inTransaction(ctx, (tx) =>
        reportMessageStatus(tx, ctx.caller, {
          providerMessageId: input.providerMessageId ?? undefined,
          messageId: input.messageId ?? undefined,
          event: input.event,
          hard: input.hard ?? undefined,
          at: input.at,
        }),
      ),
  }),
);
