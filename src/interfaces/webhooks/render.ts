import { execute, type GraphQLError, type GraphQLSchema, parse, type DocumentNode } from 'graphql';
import type { Principal } from '../../platform/principal.js';
import type { AppServices } from '../../kit/context.js';
import { createContext } from '../graphql/context-factory.js';
import { encodeGlobalID } from '../../kit/ids.js';
import type { PersistedManifest } from '../integrations/persisted-operations.js';
import { variablesFor } from './document-variables.js';

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
  /** The record the event is about (an Artifact), when it names one. */
  resource?: { type: string; id: string } | null;
  sequence: bigint | null;
}

export interface Envelope {
  type: string;
  id: string;
  occurredAt: string;
  occasionId: string | null;
  eventId: string | null;
  /** Global id of the record the event is about, when it names one (a published artifact for printable.generated). */
  resourceId?: string | null;
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
    ...(e.resource ? { resourceId: encodeGlobalID(e.resource.type, e.resource.id) } : {}),
    sequence: e.sequence === null ? null : Number(e.sequence),
  };
}

/**
 * The document's result held errors that are not the partner's to read (a
 * bug, not a refusal): the attempt fails as render_failed and the worker logs
 * them, rather than sending a masked "internal error" to a partner.
 */
export class RenderError extends Error {
  constructor(readonly errors: readonly GraphQLError[]) {
    super(`The webhook document failed: ${errors.map((e) => e.message).join('; ')}`);
  }
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
  const { values, missing } = variablesFor(document, {
    occasionId: env.occasionId,
    eventId: env.eventId,
    eventType: env.type,
    webhookEventId: env.id,
    resourceId: env.resourceId ?? null,
  });
  if (missing.length) {
    // Endpoints are checked so real events fill them; a webhook.test message belongs to no event, so its
    // document is not run: the partner sees the envelope and why the data is absent.
    const names = missing.map((n) => `$${n}`).join(', ');
    return {
      ...env,
      data: null,
      errors: [{ message: `This ${env.type} message has no value for ${names}; the document runs on events that do.`, code: 'VARIABLE_UNAVAILABLE' }],
    };
  }
  const result = await execute({
    schema: deps.schema,
    document,
    contextValue: createContext(deps.app, principal, requestId),
    variableValues: values,
  });
  const unexpected = result.errors?.filter((e) => !e.extensions?.code) ?? [];
  if (unexpected.length) throw new RenderError(unexpected);
  return {
    ...env,
    data: result.data ?? null,
    // Refusals and not-founds (a grant revoked since the event): the partner learns which field and why.
    ...(result.errors?.length ? { errors: result.errors.map((e) => ({ message: e.message, path: e.path, code: e.extensions.code })) } : {}),
  };
}
