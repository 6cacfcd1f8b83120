import type { IncomingMessage, Server } from 'node:http';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { App } from '../../app.js';
import { principalFromAuthorization, requestIdFrom } from './context-factory.js';
import type { Yoga } from './yoga.js';

/**
 * graphql-ws on the http server's /graphql path, executing through the same
 * yoga instance (same schema, plugins, context and rules as HTTP).
 */
export function attachWebSockets(app: App, server: Server, yoga: Yoga): WebSocketServer {
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
  return wss;
}
