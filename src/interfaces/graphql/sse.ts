import { randomUUID } from 'node:crypto';
import { type DocumentNode, type ExecutionResult, getOperationAST, GraphQLError, type GraphQLSchema, OperationTypeNode } from 'graphql';
import { createHandler, type RequestContext } from 'graphql-sse/lib/use/fetch';
import type { HandlerOptions } from 'graphql-sse';
import type { Plugin } from 'graphql-yoga';
import { type Principal, principalId } from '../../platform/principal.js';
import { authenticate } from './context-factory.js';
import type { AppServices } from '../../kit/context.js';

/*
 * The graphql-sse protocol on /graphql/stream, in both of its modes, beside
 * yoga's own SSE (Accept: text/event-stream on /graphql):
 *
 * - distinct connections: POST (or GET) with Accept: text/event-stream, one
 *   operation per response stream;
 * - single connection: PUT reserves a stream and answers its token, GET with
 *   the token (X-GraphQL-Event-Stream-Token) opens it, POSTs with the token
 *   start operations on it, DELETE ?operationId= stops one.
 *
 * Every request is authenticated like any other (its Authorization header),
 * and each operation runs through yoga with the context of the request that
 * started it, so subscriptions re-decide access before every message exactly
 * as over graphql-ws (live.ts). A reserved stream belongs to the principal
 * that reserved it: another caller holding its token gets 404, as if it did
 * not exist. Integrations are refused, as on graphql-ws: they run persisted
 * documents over plain HTTP only.
 */

export const SSE_PATH = '/graphql/stream';
const TOKEN_HEADER = 'x-graphql-event-stream-token';
/**
 * Reserved streams not yet opened, per principal. The library keeps a
 * reserved stream until it is opened and closed, so this bounds what a
 * caller can leave behind.
 */
const MAX_UNOPENED_PER_PRINCIPAL = 5;

type SseResponse = [string | null, { status: number; statusText: string; headers?: Record<string, string> }];

function refuse(status: number, code: string, message: string, headers: Record<string, string> = {}): SseResponse {
  return [
    JSON.stringify({ errors: [{ message, extensions: { code } }] }),
    { status, statusText: code, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } },
  ];
}

const ownerOf = (p: Principal) => `${p.kind}:${principalId(p) ?? ''}`;

type Authenticate = NonNullable<HandlerOptions<Request, RequestContext>['authenticate']>;

/** graphql-sse's handler recognises a result by its `data` key: an errors-only one gets `data: null`. */
const asResult = <T>(r: T): T => (r && typeof r === 'object' && !(Symbol.asyncIterator in r) && !('data' in r) ? { data: null, ...r } : r);

export function graphqlSse(app: AppServices): Plugin {
  const reserved = new Map<string, { owner: string; opened: boolean }>();
  /** Operations in flight per single-connection stream, capped like a graphql-ws socket's (WS_MAX_SUBSCRIPTIONS_PER_CONNECTION). */
  const inFlight = new Map<string, number>();
  const counted = new WeakSet<Request>();
  const maxOperations = app.config.WS_MAX_SUBSCRIPTIONS_PER_CONNECTION;

  const authenticateStream: Authenticate = async (req) => {
    let principal: Principal;
    try {
      ({ principal } = await authenticate(app, req.headers.get('authorization')));
    } catch (e) {
      return refuse(401, 'UNAUTHENTICATED', (e as Error).message, { 'www-authenticate': 'Bearer' });
    }
    if (principal.kind === 'integration') return refuse(403, 'FORBIDDEN', 'Integrations run persisted documents over HTTP only.');
    const owner = ownerOf(principal);

    if (req.method === 'PUT') {
      // Nothing anonymous is live: a stream is reserved for someone.
      if (principal.kind === 'anonymous') return refuse(401, 'UNAUTHENTICATED', 'Sign in (or use a guest link) to reserve a stream.');
      let unopened = 0;
      for (const r of reserved.values()) if (r.owner === owner && !r.opened) unopened++;
      if (unopened >= MAX_UNOPENED_PER_PRINCIPAL) return refuse(429, 'TOO_MANY_STREAMS', 'Open or drop the streams already reserved first.');
      // The token is the stream's address: unguessable (the library's default uses Math.random).
      const token = randomUUID();
      reserved.set(token, { owner, opened: false });
      return token;
    }

    const token = req.headers.get(TOKEN_HEADER) ?? new URL(req.url ?? '/', 'http://localhost').searchParams.get('token');
    // No token: distinct connections mode.
    if (!token) return undefined;
    const r = reserved.get(token);
    if (!r || r.owner !== owner) return refuse(404, 'NOT_FOUND', 'Stream not found.');
    if (!r.opened && req.headers.get('accept') === 'text/event-stream') {
      r.opened = true;
      // The http server aborts the request when its response ends, whichever side ends it.
      req.raw.signal.addEventListener(
        'abort',
        () => {
          reserved.delete(token);
          inFlight.delete(token);
        },
        { once: true },
      );
    }
    return token;
  };

  const serverContexts = new WeakMap<Request, Record<string, unknown>>();
  let handler: (request: Request) => Promise<Response>;
  return {
    onYogaInit({ yoga }) {
      handler = createHandler(
        {
          authenticate: authenticateStream,
          // Each operation through yoga, with the context of the request that started it (its Authorization).
          async onSubscribe(req, params) {
            const stream = req.headers.get(TOKEN_HEADER);
            if (stream) {
              const n = inFlight.get(stream) ?? 0;
              if (n >= maxOperations) {
                return asResult({
                  errors: [
                    new GraphQLError(`At most ${maxOperations} operations at a time on one stream; complete one first.`, {
                      extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' },
                    }),
                  ],
                });
              }
              inFlight.set(stream, n + 1);
              counted.add(req.raw);
            }
            const enveloped = yoga.getEnveloped({ ...serverContexts.get(req.raw), request: req.raw, params });
            // Envelop types graphql-js' values as any (it is written for any GraphQL engine); yoga runs graphql-js.
            const schema = enveloped.schema as GraphQLSchema;
            let document: DocumentNode;
            try {
              document = enveloped.parse(params.query) as DocumentNode;
            } catch (e) {
              // A syntax error (or Armor's token limit) is the caller's: sent as a result, like a validation error.
              if (e instanceof GraphQLError) return { data: null, errors: [e] } as ExecutionResult;
              throw e;
            }
            const errors = enveloped.validate(schema, document) as readonly GraphQLError[];
            if (errors.length) return { data: null, errors } as ExecutionResult;
            const contextValue = await enveloped.contextFactory();
            const args = { schema, document, contextValue, variableValues: params.variables, operationName: params.operationName };
            const operation = getOperationAST(document, params.operationName);
            const result = (await (operation?.operation === OperationTypeNode.SUBSCRIPTION ? enveloped.subscribe(args) : enveloped.execute(args))) as
              ExecutionResult | AsyncGenerator<ExecutionResult>;
            return asResult(result);
          },
          // Called when an operation ends, however it ends (completed, stopped by DELETE, stream closed).
          onComplete(_ctx, req) {
            const stream = req.headers.get(TOKEN_HEADER);
            if (!stream || !counted.has(req.raw)) return;
            counted.delete(req.raw);
            const n = (inFlight.get(stream) ?? 1) - 1;
            if (n > 0) inFlight.set(stream, n);
            else inFlight.delete(stream);
          },
        },
        yoga.fetchAPI,
      );
    },
    onRequest(payload) {
      const { request, url, serverContext } = payload;
      if (url.pathname !== SSE_PATH) return;
      serverContexts.set(request, serverContext);
      return handler(request).then((response) => payload.endResponse(response));
    },
  };
}
