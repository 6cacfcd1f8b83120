import { z } from 'zod';

/*
 * Inbound adapters: a partner's payload → one GraphQL operation of the
 * public schema, run as the integration principal (interfaces/webhooks/inbound.ts
 * receives the webhook; modules contribute adapters through their manifest's `inbound`). Going through the schema
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

/** Checks the operation against the payload schema where it is written; stored without it. */
export function defineInboundAdapter<S extends z.ZodType>(a: InboundAdapter<S>): InboundAdapter {
  return a;
}
