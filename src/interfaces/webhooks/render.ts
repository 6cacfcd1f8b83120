import { execute, type GraphQLSchema, parse, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import type { Principal } from '../../platform/principal.js';
import type { AppServices } from '../graphql/context.js';
import { createContext } from '../graphql/context-factory.js';
import { encodeGlobalID } from '../graphql/global-id.js';
import type { PersistedManifest } from '../integrations/persisted-operations.js';

/*
 * The payload of a webhook, rendered at delivery time as the receiving
 * integration. The envelope is thin (what happened, to which occasion/event,
 * in what order) and carries no recorded payload: the data a partner gets
 * comes only from the endpoint's persisted document, executed through the
 * same schema and scope-auth rules as the partner's own API calls, with the
 * grants it holds now. A grant revoked since the event shrinks the data
 * (denied fields are null, with an error naming the path), never the check.
 */

export interface EnvelopeSource {
  id: string;
  type: string;
  occurredAt: Date;
  occasionId: string | null;
  eventId: string | null;
  sequence: bigint | null;
}

export interface Envelope {
  type: string;
  id: string;
  occurredAt: string;
  occasionId: string | null;
  eventId: string | null;
  sequence: number | null;
  data?: unknown;
  errors?: { message: string; path?: readonly (string | number)[]; code?: unknown }[];
}

export function envelopeOf(e: EnvelopeSource): Envelope {
  return {
    type: e.type,
    id: e.id,
    occurredAt: e.occurredAt.toISOString(),
    occasionId: e.occasionId ? encodeGlobalID('Occasion', e.occasionId) : null,
    eventId: e.eventId ? encodeGlobalID('Event', e.eventId) : null,
    sequence: e.sequence === null ? null : Number(e.sequence),
  };
}

/** Variables a document may declare, filled from the envelope (as the global ids the API takes). */
function variablesFor(doc: DocumentNode, env: Envelope): Record<string, unknown> {
  const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition');
  const available: Record<string, unknown> = { occasionId: env.occasionId, eventId: env.eventId, eventType: env.type, webhookEventId: env.id };
  return Object.fromEntries((op?.variableDefinitions ?? []).map((v) => [v.variable.name.value, available[v.variable.name.value] ?? null]));
}

const parsed = new Map<string, DocumentNode>();

export interface RenderDeps {
  app: AppServices;
  schema: GraphQLSchema;
  manifest: PersistedManifest;
}

/** The envelope plus, when the endpoint names a document, its result for this integration now. */
export async function renderEnvelope(deps: RenderDeps, source: EnvelopeSource, documentId: string | null, principal: Principal, requestId: string) {
  const env = envelopeOf(source);
  if (!documentId) return env;
  const text = deps.manifest.get(documentId);
  if (!text) return { ...env, data: null, errors: [{ message: 'The endpoint’s document is no longer published.', code: 'DOCUMENT_NOT_FOUND' }] };
  if (!parsed.has(documentId)) parsed.set(documentId, parse(text));
  const document = parsed.get(documentId)!;
  const result = await execute({
    schema: deps.schema,
    document,
    contextValue: createContext(deps.app, principal, requestId),
    variableValues: variablesFor(document, env),
  });
  return {
    ...env,
    data: result.data ?? null,
    ...(result.errors?.length
      ? {
          // Messages of domain errors only; anything unexpected is not the partner's to read.
          errors: result.errors.map((e) => ({
            message: e.extensions?.code ? e.message : 'Unexpected error.',
            path: e.path,
            code: e.extensions?.code ?? 'INTERNAL_SERVER_ERROR',
          })),
        }
      : {}),
  };
}
