import { createGraphQLError, type GraphQLParams, type Plugin } from 'graphql-yoga';

/*
 * yoga JSON.parses `variables` and `extensions` of GET query strings and
 * form-encoded bodies without a guard, so `?variables={` reached the client as
 * a 500 with a SyntaxError. The same parsing, with a malformed value answered
 * as the caller's mistake: 400 BAD_REQUEST naming the parameter.
 */

function jsonParam(params: URLSearchParams, name: 'variables' | 'extensions'): unknown {
  const text = params.get(name);
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw createGraphQLError(`The "${name}" parameter is not valid JSON.`, {
      extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
    });
  }
}

function fromSearchParams(params: URLSearchParams): GraphQLParams {
  // Whether variables/extensions are objects is yoga's next check (400 when not).
  return {
    operationName: params.get('operationName') || undefined,
    query: params.get('query') || undefined,
    variables: jsonParam(params, 'variables') as GraphQLParams['variables'],
    extensions: jsonParam(params, 'extensions') as GraphQLParams['extensions'],
    // GraphQL over HTTP's persisted-document parameter (extraParamNames in yoga.ts).
    documentId: params.get('documentId') || undefined,
  } as GraphQLParams;
}

const isFormBody = (request: Request) => /^application\/x-www-form-urlencoded\s*(;|$)/i.test(request.headers.get('content-type') ?? '');

/** Registered after yoga's own parsers, so for GET and form posts this one is used. */
export function guardedParamsParsing(): Plugin {
  return {
    onRequestParse({ request, setRequestParser }) {
      if (request.method === 'GET') {
        setRequestParser((req) => fromSearchParams(new URL(req.url).searchParams));
      } else if (request.method === 'POST' && isFormBody(request)) {
        setRequestParser(async (req) => fromSearchParams(new URLSearchParams(await req.text())));
      }
    },
  };
}
