import { readFileSync } from 'node:fs';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { createGraphQLError, type GraphQLParams, type Plugin } from 'graphql-yoga';
import type { Context } from '../../kit/context.js';
import { jwtTyp } from '../graphql/context-factory.js';
import { INTEGRATION_TOKEN_TYP } from './principal.js';

/*
 * Trusted documents for partners. Their operations are .graphql files in
 * src/interfaces/integrations/operations/; codegen (codegen.ts) checks them
 * against the schema and writes the manifest, keyed `sha256:<hex>` of each
 * document. An integration may send only an id from it (GraphQL over HTTP's
 * `documentId`, or the APQ form `extensions.persistedQuery.sha256Hash`), and
 * only an id on its own allowlist; the operation then still runs through
 * scope-auth field by field. Planner SPAs keep sending query text.
 */

const MANIFEST = new URL('../../generated/partner/persisted-documents.json', import.meta.url);

export type PersistedManifest = Map<string, string>;

export function loadPersistedManifest(): PersistedManifest {
  return new Map(Object.entries(JSON.parse(readFileSync(MANIFEST, 'utf8')) as Record<string, string>));
}

/** Integration access tokens carry their own JWT `typ`; the header is enough to choose the rules (the signature is verified later). */
function isIntegrationRequest(request: Request): boolean {
  const m = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '');
  return !!m && jwtTyp(m[1]!) === INTEGRATION_TOKEN_TYP;
}

type Params = GraphQLParams & { documentId?: unknown };

/** `documentId` (GraphQL over HTTP) or the APQ hash; a bare hex hash is read as sha256. */
export function persistedOperationId(params: Params): string | null {
  const raw =
    typeof params.documentId === 'string'
      ? params.documentId
      : ((params.extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined)?.persistedQuery?.sha256Hash ?? null);
  if (typeof raw !== 'string') return null;
  return raw.includes(':') ? raw : `sha256:${raw}`;
}

const badRequest = (message: string, code: string) => createGraphQLError(message, { extensions: { code, http: { status: 400 } } });

/** Which persisted operation each request ran, for the allowlist check and the integration's audit row. */
const operationOf = new WeakMap<Request, string>();
export const persistedOperationOf = (request: Request | undefined) => (request ? (operationOf.get(request) ?? null) : null);

export function persistedOperationsPlugins(manifest: PersistedManifest = loadPersistedManifest()): Plugin<Context>[] {
  return [
    {
      // Before the library's own handling: an id and text together is ambiguous (smuggled text), for everyone.
      onParams({ params, request }) {
        const id = persistedOperationId(params as Params);
        if (id && params.query) throw badRequest('Send either a persisted document id or query text, not both.', 'PERSISTED_QUERY_WITH_TEXT');
        if (id) operationOf.set(request, id);
      },
    },
    usePersistedOperations<Context>({
      getPersistedOperation: (key) => manifest.get(key) ?? null,
      allowArbitraryOperations: (request) => !isIntegrationRequest(request),
      extractPersistedOperationId: (params) => persistedOperationId(params as Params),
      customErrors: {
        notFound: { message: 'No persisted document with this id.', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND', http: { status: 404 } } },
        persistedQueryOnly: {
          message: 'Integrations may run persisted documents only: send `documentId`, not query text.',
          extensions: { code: 'PERSISTED_QUERY_ONLY', http: { status: 400 } },
        },
        keyNotFound: { message: 'Send a persisted document id (`documentId`).', extensions: { code: 'PERSISTED_QUERY_ONLY', http: { status: 400 } } },
      },
    }),
  ];
}

/** Each integration runs only the operations assigned to it (checked against its grants when assigned). After the call audit, so refusals are audited. */
export function integrationOperationAllowlist(): Plugin<Context> {
  return {
    // Subscriptions do not pass through onExecute: the same rule, refused outright (no partner subscription is trusted yet).
    onSubscribe({ args, setResultAndStopExecution }) {
      if ((args.contextValue as Context).principal.kind !== 'integration') return;
      setResultAndStopExecution({
        errors: [createGraphQLError('Integrations cannot subscribe.', { extensions: { code: 'FORBIDDEN', http: { status: 403 } } })],
      });
    },
    async onExecute({ args, setResultAndStopExecution }) {
      const ctx = args.contextValue as Context & { request?: Request };
      if (ctx.principal.kind !== 'integration') return;
      const id = persistedOperationOf(ctx.request);
      const app = await ctx.prisma.integrationApp.findUnique({ where: { id: ctx.principal.integrationId }, select: { allowedOperationIds: true } });
      if (!id || !app?.allowedOperationIds.includes(id)) {
        setResultAndStopExecution({
          errors: [
            // 403, not 200 with errors: nothing ran, and GraphQL over HTTP (application/graphql-response+json) wants a 4xx for a request refused whole.
            createGraphQLError('This operation is not on the integration’s allowlist.', {
              extensions: { code: 'FORBIDDEN', operationId: id, http: { status: 403 } },
            }),
          ],
        });
      }
    },
  };
}
