import { z } from 'zod';

/*
 * Inbound adapters: a partner's payload → one GraphQL operation of the
 * public schema, run as the integration principal. Going through the schema
 * (not straight to a service) means the same scope-auth rules, transaction,
 * audit and typed errors as any API call: an adapter translates, it never
 * decides what the integration may do.
 */

export interface InboundAdapter<S extends z.ZodType = z.ZodType> {
  /** The partner's `type` field that selects this adapter. */
  type: string;
  description: string;
  data: S;
  /** The operation to run and its variables. */
  operation(data: z.output<S>, integrationName: string): { document: string; variables: Record<string, unknown> };
}

function defineAdapter<S extends z.ZodType>(a: InboundAdapter<S>): InboundAdapter<S> {
  return a;
}

/**
 * A printer that also handles mailed reply cards scans one and reports the
 * answers: recorded as an override of the invitation's responses (it needs
 * rsvp:override on those events, like a planner keying them in), with the
 * scan named as the reason in the response history.
 */
export const replyCardScanned = defineAdapter({
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

export const INBOUND_ADAPTERS: ReadonlyMap<string, InboundAdapter> = new Map([[replyCardScanned.type, replyCardScanned]]);
