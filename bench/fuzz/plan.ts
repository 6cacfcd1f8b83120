/**
 * What each fuzzed request is: who sends it, how (POST, GET, SSE, a persisted
 * document, or a hand-broken HTTP request), and which root field it targets.
 * Every root field of the schema gets its turn; principals lean towards the
 * fields their rules let them reach, so requests get past the door often enough.
 */
import {
  buildSchema,
  Kind,
  parse,
  type GraphQLField,
  type GraphQLSchema,
  type VariableDefinitionNode,
  typeFromAST,
  type GraphQLInputType,
} from 'graphql';
import { OperationBuilder, type RootKind, type ValueMode } from './operations.js';
import type { Rng } from './rng.js';
import type { ValueGen } from './values.js';

export const PRINCIPALS = ['planner', 'vendor', 'guest', 'anonymous', 'integration', 'operator'] as const;
export type PrincipalName = (typeof PRINCIPALS)[number];

export type Transport = 'post' | 'get' | 'sse' | 'raw';

export interface FuzzRequest {
  n: number;
  principal: PrincipalName;
  transport: Transport;
  /** `query.event`, `mutation.signIn`, `persisted.VenueEvent`, `raw.get-bad-variables`, … */
  target: string;
  /** JSON body fields (post/sse) or query-string parameters (get), before encoding. */
  params?: { query?: string; variables?: unknown; operationName?: string; extensions?: unknown; documentId?: string };
  /** Hand-made requests: sent byte for byte. */
  raw?: { method: 'GET' | 'POST'; path: string; body?: string; contentType?: string };
}

interface RootField {
  kind: RootKind;
  field: GraphQLField<unknown, unknown>;
  rule: string;
}

/** The rule a root field declares in schema.graphql (`@guest`, `@public`, `@auth(... scope: PLATFORM)`, …). */
function ruleOf(f: GraphQLField<unknown, unknown>): string {
  const d = f.astNode?.directives?.[0];
  if (!d) return 'none';
  if (d.name.value !== 'auth') return d.name.value;
  const scope = d.arguments?.find((a) => a.name.value === 'scope')?.value;
  return scope && scope.kind === Kind.ENUM && scope.value === 'PLATFORM' ? 'platform' : 'auth';
}

/** Which root fields each principal favours: the rest still come, but less often. */
const FAVOURS: Record<PrincipalName, (rule: string) => boolean> = {
  planner: (r) => r === 'auth' || r === 'authenticated',
  vendor: (r) => r === 'auth' || r === 'authenticated',
  guest: (r) => r === 'guest',
  anonymous: (r) => r === 'public',
  operator: (r) => r === 'platform',
  integration: (r) => r === 'auth',
};

export function loadSchema(sdl: string): GraphQLSchema {
  return buildSchema(sdl);
}

export class RequestPlanner {
  private readonly roots: RootField[];
  private readonly builder: OperationBuilder;
  private readonly persisted: { id: string; name: string; vars: readonly VariableDefinitionNode[] }[];

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly rng: Rng,
    private readonly values: ValueGen,
    manifest: Record<string, string>,
  ) {
    this.builder = new OperationBuilder(schema, rng, values);
    this.roots = (['query', 'mutation', 'subscription'] as const).flatMap((kind) =>
      Object.values(this.builder.rootType(kind).getFields()).map((field) => ({ kind, field, rule: ruleOf(field) })),
    );
    this.persisted = Object.entries(manifest).map(([id, doc]) => {
      const op = parse(doc).definitions[0];
      if (op?.kind !== Kind.OPERATION_DEFINITION) throw new Error(`persisted document ${id} is not an operation`);
      return { id, name: op.name?.value ?? id, vars: op.variableDefinitions ?? [] };
    });
  }

  rootFields(): string[] {
    return this.roots.map((r) => `${r.kind}.${r.field.name}`);
  }

  next(n: number): FuzzRequest {
    const r = this.rng;
    const principal = r.weighted<PrincipalName>([
      ['planner', 30],
      ['vendor', 15],
      ['guest', 15],
      ['anonymous', 15],
      ['integration', 10],
      ['operator', 15],
    ]);
    if (r.chance(0.05)) return this.raw(n, principal);
    if (principal === 'integration' ? r.chance(0.7) : r.chance(0.03)) return this.persistedCall(n, principal);

    const favoured = this.roots.filter((x) => FAVOURS[principal](x.rule));
    let root = favoured.length && r.chance(0.5) ? r.pick(favoured) : r.pick(this.roots);
    // deleteAccount takes no arguments: as the vendor or the operator it would simply end them (the planner is refused, as sole owner).
    if (root.field.name === 'deleteAccount' && (principal === 'vendor' || principal === 'operator'))
      root = r.pick(favoured.length ? favoured : this.roots);
    if (root.field.name === 'deleteAccount' && (principal === 'vendor' || principal === 'operator')) return this.next(n);
    // Most requests are plausible but for one or two values, so the bad value reaches the code behind validation.
    const mode = r.weighted<ValueMode>([
      ['plausible', 3],
      ['one-odd', 5],
      ['hostile', 2],
    ]);
    const built = this.builder.build(root.kind, root.field.name, n, mode);
    const target = `${root.kind}.${root.field.name}`;
    const params = { query: built.query, variables: built.variables, operationName: built.operationName };
    if (root.kind === 'subscription') return { n, principal, transport: r.chance(0.85) ? 'sse' : 'post', target, params };
    if (root.kind === 'query' && r.chance(0.15)) return { n, principal, transport: 'get', target, params };
    return { n, principal, transport: 'post', target, params };
  }

  private persistedCall(n: number, principal: PrincipalName): FuzzRequest {
    const r = this.rng;
    const doc = r.pick(this.persisted);
    this.values.hostile = r.chance(0.5);
    const variables: Record<string, unknown> = {};
    for (const v of doc.vars) {
      const type = typeFromAST(this.schema, v.type as never) as GraphQLInputType | undefined;
      if (!type) continue;
      const value = this.values.value(type, v.variable.name.value, doc.name, { destructive: false });
      if (value !== undefined) variables[v.variable.name.value] = value;
    }
    const target = `persisted.${doc.name}`;
    const variant = r.weighted([
      ['documentId', 8],
      ['apq', 1],
      ['unknown', 1],
      ['with-text', 0.5],
      ['bad-id-type', 0.5],
    ] as const);
    switch (variant) {
      case 'documentId':
        return { n, principal, transport: r.chance(0.2) ? 'get' : 'post', target, params: { documentId: doc.id, variables } };
      case 'apq':
        return {
          n,
          principal,
          transport: 'post',
          target,
          params: { variables, extensions: { persistedQuery: { version: 1, sha256Hash: doc.id.slice(7) } } },
        };
      case 'unknown':
        return {
          n,
          principal,
          transport: 'post',
          target: 'persisted.unknown',
          params: { documentId: r.pick(['sha256:' + 'f'.repeat(64), 'nope', '', 'sha256:\u0000']), variables },
        };
      case 'with-text':
        return { n, principal, transport: 'post', target: 'persisted.with-text', params: { documentId: doc.id, query: '{ me { id } }', variables } };
      default:
        return {
          n,
          principal,
          transport: 'post',
          target: 'persisted.bad-id-type',
          params: { documentId: r.pick([1, {}, [], null]) as never, variables },
        };
    }
  }

  /** Requests no GraphQL client would send: broken JSON, wrong types for the request's own fields, GET mutations, oversized bodies. */
  private raw(n: number, principal: PrincipalName): FuzzRequest {
    const r = this.rng;
    const q = encodeURIComponent('query($id: ID!) { event(id: $id) { id name } }');
    const kind = r.weighted([
      ['get-bad-variables', 4],
      ['get-bad-extensions', 3],
      ['get-mutation', 1],
      ['post-bad-json', 2],
      ['post-wrong-types', 3],
      ['post-batch', 1],
      ['post-content-type', 1],
      ['post-oversized', 0.05],
      ['get-long-url', 0.3],
    ] as const);
    const target = `raw.${kind}`;
    const get = (qs: string) => ({ n, principal, transport: 'raw' as const, target, raw: { method: 'GET' as const, path: `/graphql?${qs}` } });
    const post = (body: string, contentType = 'application/json') => ({
      n,
      principal,
      transport: 'raw' as const,
      target,
      raw: { method: 'POST' as const, path: '/graphql', body, contentType },
    });
    switch (kind) {
      case 'get-bad-variables':
        return get(
          `query=${q}&variables=${encodeURIComponent(r.pick(['{', '[1,2]', 'null', '"str"', '123', '{"id":', '{"id":{"$gt":""}}', '\u0000', 'true', '{"__proto__":{"x":1}}']))}`,
        );
      case 'get-bad-extensions':
        return get(
          `query=${q}&variables=${encodeURIComponent('{"id":"x"}')}&extensions=${encodeURIComponent(r.pick(['{', '[]', '"x"', '{"persistedQuery":{"sha256Hash":123}}', '{"persistedQuery":null}', '{"persistedQuery":{"version":1,"sha256Hash":"' + '0'.repeat(64) + '"}}']))}`,
        );
      case 'get-mutation':
        return get(`query=${encodeURIComponent('mutation { signOut(input: {refreshToken: "x"}) { ok } }')}`);
      case 'post-bad-json':
        return post(r.pick(['{', '', 'null', '"query"', '{"query": "{ me { id } }",}', '\u0000', '{"query":"{ me { id } }"}garbage']));
      case 'post-wrong-types':
        return post(
          JSON.stringify(
            r.pick([
              { query: 1 },
              { query: ['{ me { id } }'] },
              { query: '{ me { id } }', variables: '[1' },
              { query: '{ me { id } }', variables: [1] },
              { query: '{ me { id } }', operationName: 5 },
              { query: '{ me { id } }', extensions: 'x' },
              { query: '{ __proto__ }' },
              { query: 'query A { me { id } } query B { me { id } }' },
              { query: 'query A { me { id } }', operationName: 'B' },
              { query: '{ __schema { types { name } } }' },
              { query: '{ me { id } }', variables: { ['__proto__']: { polluted: true } } },
            ]),
          ),
        );
      case 'post-batch':
        return post(JSON.stringify([{ query: '{ me { id } }' }, { query: '{ me { id } }' }]));
      case 'post-content-type':
        return post(
          r.pick(['{ me { id } }', 'query={ me { id } }']),
          r.pick(['application/graphql', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']),
        );
      case 'post-oversized':
        return post(JSON.stringify({ query: '{ me { id } }', variables: { pad: 'x'.repeat(3 * 1024 * 1024 + 10) } }));
      default:
        return get(`query=${encodeURIComponent('{ me { id ' + 'id '.repeat(r.pick([3000, 20000])) + '} }')}`);
    }
  }
}
