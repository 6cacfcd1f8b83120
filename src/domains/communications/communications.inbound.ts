import { z } from 'zod';
import { defineInboundAdapter } from '../../kit/inbound-adapter.js';
import { REPORTED_EVENTS } from './delivery-reports.service.js';

/**
 * A messaging provider reports what became of a message it was handed:
 * `reportMessageStatus`, run as the provider (communications:deliver at
 * platform scope), matched only against the messages it was handed.
 */
export const messageStatusReported = defineInboundAdapter({
  type: 'message.status',
  description: 'A messaging provider reports a message delivered, opened, bounced (hard or not) or complained about.',
  data: z
    .object({
      providerMessageId: z.string().min(1).max(200).optional(),
      messageId: z.string().min(1).max(400).optional(),
      event: z.enum(REPORTED_EVENTS),
      hard: z.boolean().optional(),
      at: z.iso.datetime({ offset: true }),
    })
    .refine((d) => d.providerMessageId !== undefined || d.messageId !== undefined, 'Give providerMessageId or messageId.'),
  operation: (d) => ({
    document: `mutation InboundMessageStatus($input: ReportMessageStatusInput!) {
      reportMessageStatus(input: $input) {
        __typename
        ... on Error { code message }
        ... on ValidationError { fields { path message } }
      }
    }`,
    variables: { input: d },
  }),
});

export const COMMUNICATIONS_INBOUND_ADAPTERS = [messageStatusReported];
