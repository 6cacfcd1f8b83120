import type { IncomingMessage } from 'node:http';
import { blockFieldSuggestionsPlugin } from '@escape.tech/graphql-armor-block-field-suggestions';
import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import type { GraphQLSchema } from 'graphql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { AppServices } from '../../kit/context.js';
import { clientAddress } from '../../platform/client-address.js';
import { auditIntegrationCalls } from '../integrations/call-audit.js';
import type { Context, LiveConnection } from '../../kit/context.js';
import { authRateLimit } from './auth-rate-limit.js';
import { authenticate, createContext, requestIdFrom } from './context-factory.js';
import { renderGraphiQLPage } from './graphiql.js';
import { introspectionPolicy } from './introspection.js';
import { maskError } from './mask-error.js';
import { connectionArgumentGuard } from './connection-args.js';
import { guardedParamsParsing } from './request-params.js';
import { graphqlSse } from './sse.js';
import { sharedLiveResults } from './live-results.js';
import { rejectNulCharacters } from './nul-guard.js';
import { costLimitWithVariables } from './variable-cost.js';
import { integrationOperationAllowlist, persistedOperationsPlugins } from '../integrations/persisted-operations.js';
import { buildSchema } from './schema.js';

export type ServerContext = {
  req?: IncomingMessage;
  requestId?: string;
  connectionParams?: Record<string, unknown>;
  /** Set by graphql-ws (websocket.ts): the socket the operation runs on. */
  connection?: LiveConnection;
};
export type Yoga = YogaServerInstance<ServerContext, Context>;

/** GraphQL over HTTP: the schema behind Armor's limits, with the caller resolved into the context. */
export function createGraphQL(app: AppServices, schema: GraphQLSchema = buildSchema()): Yoga {
  const c = app.config;
  const masked = maskError(app.logger);
  const cost = { maxCost: c.MAX_QUERY_COST, objectCost: 2, scalarCost: 1, depthCostFactor: 1.5, ignoreIntrospection: true };
  return createYoga<ServerContext, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: c.GRAPHIQL ? { title: 'Tov+ API', defaultQuery: DEFAULT_QUERY } : false,
    // Same-origin assets from the installed bundle (graphiql.ts), not yoga's CDN page.
    renderGraphiQL: renderGraphiQLPage,
    // CORS is the http server's (cors.ts): an allowlist, where yoga's default reflects every origin.
    cors: false,
    logging: false,
    maskedErrors: { maskError: masked },
    context: async (init) => {
      const requestId = init.requestId ?? requestIdFrom(init.request?.headers.get('x-request-id'));
      const authorization =
        init.request?.headers.get('authorization') ??
        (typeof init.connectionParams?.authorization === 'string' ? init.connectionParams.authorization : null);
      const { principal, expiresAt, sessionId, standings, userLocale } = await authenticate(app, authorization);
      return createContext(app, principal, requestId, {
        standings,
        userLocale,
        credentialExpiresAt: expiresAt,
        connection: init.connection,
        sessionId,
        clientAddress: clientAddress(init.req, c.TRUST_PROXY),
        // graphql-ws has no per-message headers: a socket's client may name its language in connectionParams.
        acceptLanguage:
          init.request?.headers.get('accept-language') ??
          (typeof init.connectionParams?.acceptLanguage === 'string' ? init.connectionParams.acceptLanguage : null),
      });
    },
    // GraphQL over HTTP's persisted-document parameter, beside query/variables/operationName/extensions.
    extraParamNames: ['documentId'],
    plugins: [
      guardedParamsParsing(),
      // graphql-sse's protocol on /graphql/stream (both modes); yoga's own SSE stays on /graphql.
      graphqlSse(app),
      ...persistedOperationsPlugins(),
      rejectNulCharacters(),
      // Early, so its row is written even when a later plugin stops execution (e.g. an operation off the allowlist).
      auditIntegrationCalls(),
      integrationOperationAllowlist(),
      introspectionPolicy(c.INTROSPECTION),
      maxTokensPlugin({ n: c.MAX_QUERY_TOKENS }),
      maxDepthPlugin({ n: c.MAX_QUERY_DEPTH, ignoreIntrospection: true, flattenFragments: true }),
      maxAliasesPlugin({ n: c.MAX_QUERY_ALIASES }),
      costLimitPlugin(cost),
      // Page sizes first: `first: $n` over the maximum is named as such, not as a cost.
      connectionArgumentGuard(),
      costLimitWithVariables(cost),
      authRateLimit(),
      // Subscriptions: each live message executed and serialized once for every subscriber who may see the same.
      sharedLiveResults(masked),
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
