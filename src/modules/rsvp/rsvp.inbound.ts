import { z } from 'zod';
import { defineInboundAdapter } from '../../kit/inbound-adapter.js';

/**
 * A printer that also handles mailed reply cards scans one and reports the
 * answers: recorded as an override of the invitation's responses (it needs
 * rsvp:override on those events, like a planner keying them in), with the
 * scan named as the reason in the response history.
 */
export const replyCardScanned = defineInboundAdapter({
  type: 'reply_card.scanned',
  description: 'A mailed RSVP reply card was scanned: the answers on it, per event.',
  data: z.object({
    invitationId: z.string().min(1).max(200),
    cardRef: z.string().trim().min(1).max(100).optional(),
    responses: z
      .array(z.object({ eventId: z.string().min(1).max(200), status: z.enum(['ATTENDING', 'DECLINED']) }))
      .min(1)
      .max(20),
  }),
  operation: (d, integrationName) => ({
    document: `mutation InboundReplyCard($input: OverrideRsvpResponsesInput!) {
      overrideRsvpResponses(input: $input) {
        __typename
        ... on Error { code message }
        ... on ValidationError { fields { path message } }
      }
    }`,
    variables: {
      input: {
        invitationId: d.invitationId,
        reason: `Reply card${d.cardRef ? ` ${d.cardRef}` : ''} scanned by ${integrationName}`.slice(0, 500),
        responses: d.responses,
      },
    },
  }),
});
