import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { blockFieldSuggestionsPlugin } from '@escape.tech/graphql-armor-block-field-suggestions';
import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { PothosValidationError } from '@pothos/core';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import type { App } from '../../app.js';
import { DomainError } from '../../platform/errors.js';
import { pingRedis } from '../../platform/redis.js';
import { requestContext } from '../../platform/request-context.js';
import type { Context } from './context.js';
import { createContext, principalFromAuthorization, requestIdFrom } from './context-factory.js';
import { buildSchema } from './schema.js';

type ServerContext = { req?: IncomingMessage; requestId?: string; connectionParams?: Record<string, unknown> };

/** A request-level error (before any resolver ran): 400, like yoga's own parse and validation errors. */
function requestError(e: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(e.message, { nodes: e.nodes, extensions: { ...e.extensions, code, http: { status: 400, spec: true } } });
}

/** Errors reach clients with an `extensions.code`; anything unexpected is logged and masked. */
function maskError(app: App) {
  return (error: unknown, message: string): Error => {
    const gqlError = error instanceof GraphQLError ? error : null;
    const original = gqlError?.originalError ?? error;
    if (gqlError && !gqlError.path) {
      // graphql-js coercing variables: wrong type, missing, bad scalar. Its cause may be a bare scalar error.
      if (/^Variable "\$\w+" /.test(gqlError.message)) return requestError(gqlError, 'BAD_USER_INPUT');
      // Armor's depth/alias/cost/token rejections carry no code of their own (tokens arrive as a parse error).
      if (/limit of \d+ exceeded/i.test(gqlError.message)) return requestError(gqlError, 'QUERY_TOO_COMPLEX');
    }
    if (gqlError?.extensions?.code && !gqlError.originalError) return gqlError;
    if (original instanceof GraphQLError && original.extensions?.code) {
      return new GraphQLError(original.message, { nodes: gqlError?.nodes, path: gqlError?.path, extensions: original.extensions });
    }
    if (original instanceof DomainError) {
      // A typed error a field did not list in its result union: still the caller's, never a 500.
      return new GraphQLError(original.message, { nodes: gqlError?.nodes, path: gqlError?.path, extensions: { code: original.code } });
    }
    if (original instanceof PothosValidationError) {
      return new GraphQLError(original.message, { nodes: gqlError?.nodes, path: gqlError?.path, extensions: { code: 'BAD_USER_INPUT' } });
    }
    if (gqlError && !gqlError.originalError) {
      return new GraphQLError(gqlError.message, { nodes: gqlError.nodes, extensions: { ...gqlError.extensions, code: 'BAD_REQUEST' } });
    }
    app.logger.error({ err: original, path: gqlError?.path }, 'unexpected error');
    return new GraphQLError(message, { path: gqlError?.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  };
}

export function createGraphQL(app: App, schema: GraphQLSchema = buildSchema()): YogaServerInstance<ServerContext, Context> {
  const c = app.config;
  return createYoga<ServerContext, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: c.GRAPHIQL ? { title: 'Tov+ API', defaultQuery: DEFAULT_QUERY } : false,
    logging: false,
    maskedErrors: { maskError: maskError(app) },
    context: async (init) => {
      const requestId = init.requestId ?? requestIdFrom(init.request?.headers.get('x-request-id'));
      const authorization =
        init.request?.headers.get('authorization') ??
        (typeof init.connectionParams?.authorization === 'string' ? init.connectionParams.authorization : null);
      const principal = await principalFromAuthorization(app, authorization);
      return createContext(app, principal, requestId) as Context & ServerContext;
    },
    plugins: [
      maxTokensPlugin({ n: c.MAX_QUERY_TOKENS }),
      maxDepthPlugin({ n: c.MAX_QUERY_DEPTH, ignoreIntrospection: true, flattenFragments: true }),
      maxAliasesPlugin({ n: c.MAX_QUERY_ALIASES }),
      costLimitPlugin({ maxCost: c.MAX_QUERY_COST, objectCost: 2, scalarCost: 1, depthCostFactor: 1.5, ignoreIntrospection: true }),
      ...(c.NODE_ENV === 'production' ? [blockFieldSuggestionsPlugin()] : []),
    ],
  });
}

const DEFAULT_QUERY = `# Sign in with the demo planner printed at start-up, then paste its
# Authorization header into the Headers tab below.
query MyOccasions {
  me { email displayName }
  occasions(first: 5) {
    totalCount
    edges { node { id name kind events(first: 10) { edges { node { id name startsAt } } } } }
  }
}
`;

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/** Reads a request body up to `max` bytes; null when it is larger. */
async function readBody(req: IncomingMessage, max: number): Promise<Buffer | null> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > max) return null;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > max) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export interface HttpServer {
  server: Server;
  yoga: YogaServerInstance<ServerContext, Context>;
  listen(port?: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * One Node http server: GraphQL over HTTP (yoga) and graphql-ws on the same
 * path, /healthz and /readyz beside them. Bodies are size-capped before yoga
 * sees them.
 */
export function createHttpServer(app: App, extraRoutes?: (req: IncomingMessage, res: ServerResponse, body: Buffer | null) => Promise<boolean>): HttpServer {
  const yoga = createGraphQL(app);
  const log = app.logger;
  let shuttingDown = false;

  const server = createServer((req, res) => {
    const requestId = requestIdFrom(req.headers['x-request-id'] as string | undefined);
    res.setHeader('x-request-id', requestId);
    void requestContext.run({ requestId }, () => handle(req, res, requestId));
  });

  async function handle(req: IncomingMessage, res: ServerResponse, requestId: string) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      if (url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
      if (url.pathname === '/readyz') {
        const checks: Record<string, boolean> = {};
        checks.database = await app.db.query('SELECT 1').then(() => true, () => false);
        if (app.redis) checks.redis = await pingRedis(app.redis);
        const ready = !shuttingDown && Object.values(checks).every(Boolean);
        return sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'unavailable', checks, shuttingDown });
      }
      let body: Buffer | null = null;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        body = await readBody(req, app.config.MAX_BODY_BYTES);
        if (!body) {
          return sendJson(res, 413, {
            errors: [{ message: `Request body exceeds ${app.config.MAX_BODY_BYTES} bytes.`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }],
          });
        }
      }
      if (extraRoutes && (await extraRoutes(req, res, body))) return;
      if (url.pathname !== '/graphql') return sendJson(res, 404, { errors: [{ message: 'Not found', extensions: { code: 'NOT_FOUND' } }] });

      const started = performance.now();
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) {
        if (Array.isArray(v)) v.forEach((x) => headers.append(k, x));
        else if (v !== undefined) headers.set(k, v);
      }
      const abort = new AbortController();
      res.on('close', () => abort.abort());
      const response = await yoga.fetch(
        new URL(url.pathname + url.search, `http://${req.headers.host ?? 'localhost'}`),
        { method: req.method, headers, body: body && body.length ? new Uint8Array(body) : undefined, signal: abort.signal },
        { req, requestId },
      );
      const outHeaders: Record<string, string> = {};
      response.headers.forEach((v, k) => (outHeaders[k] = v));
      res.writeHead(response.status, outHeaders);
      // Streamed chunk by chunk so SSE subscriptions flush as events arrive.
      if (response.body) for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) res.write(chunk);
      res.end();
      log.info({ method: req.method, path: url.pathname, status: response.status, ms: Math.round(performance.now() - started) }, 'request');
    } catch (err) {
      // A client that hung up mid-request is not a server error.
      if (res.destroyed || (err as Error)?.name === 'AbortError') return void res.end();
      log.error({ err }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      else res.end();
    }
  }

  const wss = new WebSocketServer({ server, path: '/graphql' });
  useServer<Record<string, unknown>, { request: IncomingMessage }>(
    {
      // Authenticate on connection_init: a bad token closes the socket with 4403 before any operation.
      onConnect: async (ctx) => {
        const auth = ctx.connectionParams?.authorization;
        try {
          await principalFromAuthorization(app, typeof auth === 'string' ? auth : null);
          return true;
        } catch {
          return false;
        }
      },
      execute: (args) => (args.rootValue as { execute: (a: unknown) => unknown }).execute(args) as never,
      subscribe: (args) => (args.rootValue as { subscribe: (a: unknown) => unknown }).subscribe(args) as never,
      onSubscribe: async (ctx, _id, params) => {
        const requestId = requestIdFrom(undefined);
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          requestId,
          connectionParams: ctx.connectionParams ?? {},
        });
        const args = {
          schema,
          operationName: params.operationName,
          document: parse(params.query),
          variableValues: params.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
        const errors = validate(args.schema, args.document);
        if (errors.length) return errors;
        return args;
      },
    },
    wss,
  );

  return {
    server,
    yoga,
    listen(port = app.config.PORT, host = app.config.HOST) {
      return new Promise((resolve) => {
        server.listen(port, host, () => {
          const addr = server.address();
          resolve(typeof addr === 'object' && addr ? addr.port : port);
        });
      });
    },
    async close() {
      shuttingDown = true;
      for (const client of wss.clients) client.close(1001, 'Server shutting down');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections?.();
    },
  };
}
