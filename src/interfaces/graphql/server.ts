import { handleAssetRoutes } from '../assets/asset-routes.js';
import { handleMessageLinks } from '../communications/link-routes.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import type { AppServices } from '../../kit/context.js';
import { readBody } from '../../platform/http-body.js';
import { pingRedis } from '../../platform/redis.js';
import { requestContext } from '../../platform/request-context.js';
import { handleIntegrationRoutes } from '../integrations/token-endpoint.js';
import { handleInboundWebhook } from '../webhooks/inbound.js';
import { buildSchema } from './schema.js';
import { requestIdFrom } from './context-factory.js';
import { handleCors, originPolicy } from './cors.js';
import { handleGraphiQLAsset } from './graphiql.js';
import { SSE_PATH } from './sse.js';
import { applySecurityHeaders, securityHeaders } from './security-headers.js';
import { attachWebSockets } from './websocket.js';
import { createGraphQL, type Yoga } from './yoga.js';

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/** Room in a multipart request for its `operations` and `map` parts and the part headers, besides the file. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/**
 * MAX_BODY_BYTES, except for a GraphQL multipart request (an inline upload), which may carry a file of up to
 * ASSET_INLINE_MAX_BYTES: a file somewhat larger still reaches the mutation, which names the limit (FILE_TOO_LARGE).
 */
function maxBodyBytes(app: AppServices, req: IncomingMessage, graphqlPath: boolean): number {
  const c = app.config;
  const multipart = graphqlPath && req.method === 'POST' && /^multipart\/form-data\s*;/i.test(req.headers['content-type'] ?? '');
  return multipart ? Math.max(c.MAX_BODY_BYTES, c.ASSET_INLINE_MAX_BYTES + MULTIPART_OVERHEAD_BYTES) : c.MAX_BODY_BYTES;
}

/** Routes module manifests contribute (a calendar feed): GET-style routes that read no body. */
async function handleModuleRoutes(app: AppServices, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  for (const route of app.moduleRegistry.list().flatMap((m) => m.routes ?? [])) {
    // `/guest` answers `/guest` and `/guest/…`, never `/guestbook`: a prefix is a whole path segment.
    const p = route.prefix;
    if (url.pathname !== p && !url.pathname.startsWith(p.endsWith('/') ? p : `${p}/`)) continue;
    if (!route.methods.includes(req.method ?? '')) res.writeHead(405, { allow: route.methods.join(', ') }).end();
    else await route.handle(app, req, res, url.pathname.slice(route.prefix.length));
    return true;
  }
  return false;
}

export interface HttpServer {
  server: Server;
  yoga: Yoga;
  listen(port?: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

/**
 * One Node http server: GraphQL over HTTP (yoga, with its SSE) and graphql-ws
 * on /graphql, the graphql-sse protocol on /graphql/stream, the OAuth routes,
 * GraphiQL's assets, /healthz and /readyz. Every answer starts with the
 * security headers (security-headers.ts); the GraphQL paths answer CORS from
 * the allowlist (cors.ts). Bodies are size-capped before yoga sees them.
 */
export function createHttpServer(
  app: AppServices,
  extraRoutes?: (req: IncomingMessage, res: ServerResponse, body: Buffer | null) => Promise<boolean>,
  /** Built once per process: pass it when something else (the in-process webhook worker) needs it too. */
  schema: GraphQLSchema = buildSchema(),
): HttpServer {
  const yoga = createGraphQL(app, schema);
  const log = app.logger;
  let shuttingDown = false;
  const baseHeaders = securityHeaders(app.config);
  const origins = originPolicy(app.config);

  const server = createServer((req, res) => {
    const requestId = requestIdFrom(req.headers['x-request-id'] as string | undefined);
    applySecurityHeaders(res, baseHeaders);
    res.setHeader('x-request-id', requestId);
    void requestContext.run({ requestId }, () => handle(req, res, requestId));
  });

  async function handle(req: IncomingMessage, res: ServerResponse, requestId: string) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    try {
      if (url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
      if (url.pathname === '/readyz') {
        const checks: Record<string, boolean> = {};
        checks.database = await app.db.query('SELECT 1').then(
          () => true,
          () => false,
        );
        if (app.redis) checks.redis = await pingRedis(app.redis);
        const ready = !shuttingDown && Object.values(checks).every(Boolean);
        return sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'unavailable', checks, shuttingDown });
      }
      const graphqlPath = url.pathname === '/graphql' || url.pathname === SSE_PATH;
      if (graphqlPath && handleCors(origins, req, res)) return;
      if (app.config.GRAPHIQL && (await handleGraphiQLAsset(req, res, url.pathname))) return;
      // File bytes (direct uploads, downloads) stream: they are never read whole here.
      if (await handleAssetRoutes(app, origins, req, res, url)) return;
      if (await handleModuleRoutes(app, req, res, url)) return;
      let body: Buffer | null = null;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        const max = maxBodyBytes(app, req, url.pathname === '/graphql');
        body = await readBody(req, max);
        if (!body) {
          return sendJson(res, 413, {
            errors: [{ message: `Request body exceeds ${max} bytes.`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }],
          });
        }
      }
      if (await handleMessageLinks(app, req, res, url, body, requestId)) return;
      if (await handleIntegrationRoutes(app, req, res, url.pathname, body, requestId)) return;
      if (await handleInboundWebhook(app, () => schema, req, res, url.pathname, body, requestId)) return;
      if (extraRoutes && (await extraRoutes(req, res, body))) return;
      if (!graphqlPath) return sendJson(res, 404, { errors: [{ message: 'Not found', extensions: { code: 'NOT_FOUND' } }] });

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
      // Streamed chunk by chunk so SSE subscriptions flush as events arrive. A client
      // that hangs up cancels the stream, which stops its subscription (listeners, timers).
      if (response.body) {
        const reader = response.body.getReader();
        const cancel = () => void reader.cancel().catch(() => {});
        res.on('close', cancel);
        try {
          for (let r = await reader.read(); !r.done; r = await reader.read()) res.write(r.value);
        } finally {
          res.off('close', cancel);
        }
      }
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

  const wss = attachWebSockets(app, server, yoga);

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
