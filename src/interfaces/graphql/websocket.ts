import type { IncomingMessage, Server } from 'node:http';
import { type DocumentNode, GraphQLError, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { type WebSocket, WebSocketServer } from 'ws';
import type { AppServices } from '../../kit/context.js';
import { authenticate, requestIdFrom } from './context-factory.js';
import { CLOSE_FORBIDDEN, onSessionRevoked } from '../../capabilities/live/stream.js';
import { wsAdmission } from './ws-admission.js';
import type { Yoga } from './yoga.js';

type Extra = { request: IncomingMessage; socket: WebSocket };

/** setTimeout caps at ~24.8 days; a guest link may expire later than that. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;
/** Past this many bytes queued on a socket, a live stream waits for its frame to be written before sending more. */
const SEND_HIGH_WATER_BYTES = 256 * 1024;

/**
 * graphql-ws on the http server's /graphql path, executing through the same
 * yoga instance (same schema, plugins, context and rules as HTTP).
 *
 * A connection lives no longer than its credential: connection_init with a bad
 * token is refused with 4403, and the socket is closed with 4403 when the
 * token (user JWT `exp`, guest link expiry) runs out or its session is signed
 * out. Subscriptions re-decide access before every message and close it the
 * same way (live.ts).
 */
export function attachWebSockets(app: AppServices, server: Server, yoga: Yoga): WebSocketServer {
  const c = app.config;
  const admission = wsAdmission(c);
  // A message may be as large as an HTTP body, no larger (ws closes the socket with 1009 otherwise).
  const wss = new WebSocketServer({ server, path: '/graphql', maxPayload: c.MAX_BODY_BYTES, verifyClient: admission.verifyClient });
  admission.track(wss);
  const expiryTimers = new WeakMap<object, NodeJS.Timeout>();
  /** The iterable graphql-ws runs for an operation (onOperation), by the arguments onSubscribe returned for it. */
  const operations = new WeakMap<object, { result?: unknown }>();
  const sessionWatchers = new WeakMap<object, { stop(): void }>();
  const closeForbidden = (socket: WebSocket, reason = 'Forbidden') => {
    if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING) socket.close(CLOSE_FORBIDDEN, reason);
  };

  useServer<Record<string, unknown>, Extra>(
    {
      // A socket that never says who it is does not get to stay open (closed with 4408).
      connectionInitWaitTimeout: c.WS_CONNECTION_INIT_TIMEOUT_MS,
      // Authenticate on connection_init: a bad token closes the socket with 4403 before any operation.
      onConnect: async (ctx) => {
        const auth = ctx.connectionParams?.authorization;
        let expiresAt: Date | null;
        try {
          const who = await authenticate(app, typeof auth === 'string' ? auth : null);
          // Partners run persisted documents over HTTP only: a socket would take arbitrary operation text
          // past the trusted-documents rule and keep streaming after a credential is revoked.
          if (who.principal.kind === 'integration') return false;
          ({ expiresAt } = who);
          if (who.sessionId)
            sessionWatchers.set(
              ctx,
              onSessionRevoked(app.pubsub, who.sessionId, () => closeForbidden(ctx.extra.socket, 'Signed out')),
            );
        } catch {
          return false;
        }
        if (expiresAt) {
          const arm = () => {
            const ms = expiresAt.getTime() - Date.now();
            expiryTimers.set(
              ctx,
              setTimeout(
                ms > MAX_TIMEOUT_MS ? arm : () => closeForbidden(ctx.extra.socket, 'Token expired'),
                Math.min(Math.max(ms, 0), MAX_TIMEOUT_MS),
              ),
            );
          };
          arm();
        }
        return true;
      },
      onClose: (ctx) => {
        clearTimeout(expiryTimers.get(ctx));
        sessionWatchers.get(ctx)?.stop();
      },
      onOperation: (_ctx, _id, _payload, args, result) => {
        const op = operations.get(args);
        if (op) op.result = result;
      },
      execute: (args) => (args.rootValue as { execute: (a: unknown) => unknown }).execute(args) as never,
      subscribe: (args) => (args.rootValue as { subscribe: (a: unknown) => unknown }).subscribe(args) as never,
      onSubscribe: async (ctx, id, params) => {
        // graphql-ws has already registered this one: more than the cap in flight refuses it, the socket stays.
        if (Object.keys(ctx.subscriptions).length > c.WS_MAX_SUBSCRIPTIONS_PER_CONNECTION) {
          return [
            new GraphQLError(`At most ${c.WS_MAX_SUBSCRIPTIONS_PER_CONNECTION} operations at a time on one connection; complete one first.`, {
              extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' },
            }),
          ];
        }
        const requestId = requestIdFrom(undefined);
        const socket = ctx.extra.socket;
        const operation: { result?: unknown } = {};
        // A `next` frame around a payload serialized once for many subscribers (live-results.ts). graphql-ws
        // tracks the operation: once it is over (completed by either side) nothing more goes out for its id.
        const frameStart = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
        const sendNext = (payloadJson: string): void | Promise<void> => {
          if (operation.result === undefined || ctx.subscriptions[id] !== operation.result || socket.readyState !== socket.OPEN) return;
          const frame = `${frameStart}${payloadJson}}`;
          if (socket.bufferedAmount < SEND_HIGH_WATER_BYTES) return socket.send(frame);
          return new Promise<void>((resolve) => socket.send(frame, () => resolve()));
        };
        const enveloped = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          requestId,
          connectionParams: ctx.connectionParams ?? {},
          connection: { close: (code: number, reason: string) => socket.close(code, reason), sendNext },
        });
        const { execute, subscribe, contextFactory } = enveloped;
        let contextValue;
        try {
          contextValue = await contextFactory();
        } catch (e) {
          // The token stopped working since connection_init (expired, account deleted, link revoked).
          if (e instanceof GraphQLError && e.extensions?.code === 'UNAUTHENTICATED') {
            closeForbidden(ctx.extra.socket, 'Unauthenticated');
            return [e];
          }
          throw e;
        }
        // Envelop types graphql-js' values as any (it is written for any GraphQL engine); yoga runs graphql-js.
        const args = {
          schema: enveloped.schema as GraphQLSchema,
          operationName: params.operationName,
          document: enveloped.parse(params.query) as DocumentNode,
          variableValues: params.variables,
          contextValue,
          rootValue: { execute, subscribe },
        };
        const errors = enveloped.validate(args.schema, args.document) as readonly GraphQLError[];
        if (errors.length) return errors;
        operations.set(args, operation);
        return args;
      },
    },
    wss,
  );
  return wss;
}
