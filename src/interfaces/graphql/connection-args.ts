import {
  getArgumentValues,
  getNamedType,
  getVariableValues,
  GraphQLError,
  isObjectType,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { preExecutionGuard } from './pre-execution-guard.js';
import { isUuid } from '../../kit/ids.js';
import { MAX_PAGE_SIZE } from '../../kit/pagination.js';
import { getDatamodel } from '../../generated/pothos-prisma-types.js';

/**
 * Every connection's `first`/`last`/`after`/`before`, checked once for the
 * whole schema before anything runs (literals, variables and defaults alike):
 *
 * - a page size outside 0…MAX_PAGE_SIZE is refused, rather than silently cut
 *   to the maximum;
 * - a cursor must be one this server could have issued for that connection:
 *   base64 of the prisma plugin's `GPC:` + a tagged id of the node's model
 *   (`S:<uuid>` or `I:<integer>`). The plugin decodes any tag (`S:zzz`,
 *   `N:`, `O:{…}`, `T:[…]`, `Z:`) and hands the value to Prisma, where a
 *   forged one failed as a database error: a 500 on every connection.
 *
 * Refusals are BAD_USER_INPUT. Connections are found by shape (a field with
 * these arguments returning a type with `edges` and `pageInfo`), so a new one
 * is covered without being named here.
 */
export function connectionArgumentGuard(): Plugin {
  return preExecutionGuard((args) => {
    const problem = findProblem(args.schema, args.document, (args.variableValues ?? {}) as Record<string, unknown>, args.operationName ?? undefined);
    // 400 like a variable that does not coerce: a request error, refused before any field ran.
    return problem ? new GraphQLError(problem, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } }) : null;
  });
}

function findProblem(schema: GraphQLSchema, document: DocumentNode, raw: Record<string, unknown>, operationName?: string): string | null {
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName),
  );
  if (!operation) return null;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], raw, { maxErrors: 1 });
  // Variables that do not coerce are reported by execution itself, as BAD_USER_INPUT.
  if (coerced.errors) return null;
  const typeInfo = new TypeInfo(schema);
  let problem: string | null = null;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const field = typeInfo.getFieldDef();
        if (problem || !field || !isConnectionField(field)) return;
        let values: Record<string, unknown>;
        try {
          values = getArgumentValues(field, node, coerced.coerced);
        } catch {
          return; // a wrong argument is execution's to report
        }
        problem = checkArguments(field, values);
      },
    }),
  );
  return problem;
}

function isConnectionField(field: GraphQLField<unknown, unknown>): boolean {
  const type = getNamedType(field.type);
  return isObjectType(type) && Boolean(type.getFields().edges && type.getFields().pageInfo) && field.args.some((a) => a.name === 'after');
}

function checkArguments(field: GraphQLField<unknown, unknown>, values: Record<string, unknown>): string | null {
  for (const name of ['first', 'last'] as const) {
    const n = values[name];
    if (n != null && (typeof n !== 'number' || n < 0 || n > MAX_PAGE_SIZE)) {
      return `\`${name}\` on ${field.name} must be between 0 and ${MAX_PAGE_SIZE}.`;
    }
  }
  const idType = nodeIdType(getNamedType(field.type) as GraphQLObjectType);
  for (const name of ['after', 'before'] as const) {
    const cursor = values[name];
    if (cursor != null && !validCursor(cursor, idType)) {
      return `\`${name}\` on ${field.name} is not a cursor this connection issued: use a pageInfo or edge cursor from it.`;
    }
  }
  return null;
}

const MAX_BIGINT = 2n ** 63n - 1n;

function validCursor(cursor: unknown, idType: 'uuid' | 'bigint' | null): boolean {
  if (typeof cursor !== 'string' || cursor.length > 100 || !/^[A-Za-z0-9+/]*={0,2}$/.test(cursor)) return false;
  const decoded = Buffer.from(cursor, 'base64').toString('utf8');
  // Not a connection of ours (no prisma model behind it): its own decoding applies.
  if (idType === null) return true;
  if (idType === 'uuid') return decoded.startsWith('GPC:S:') && isUuid(decoded.slice(6));
  const digits = decoded.startsWith('GPC:I:') ? decoded.slice(6) : '';
  return /^\d{1,19}$/.test(digits) && BigInt(digits) <= MAX_BIGINT;
}

const datamodel = getDatamodel().datamodel.models;
const idTypes = new Map<string, 'uuid' | 'bigint' | null>();

/**
 * The id type of a connection's node, from the prisma model behind its type.
 * Every model's id is a uuid (String @db.Uuid) or an autoincrement BigInt; the
 * two String keys that are not uuids (signing keys, outbox sequences) are
 * never paged.
 */
function nodeIdType(connection: GraphQLObjectType): 'uuid' | 'bigint' | null {
  const edge = getNamedType(connection.getFields().edges!.type);
  const node = isObjectType(edge) ? getNamedType(edge.getFields().node?.type) : undefined;
  if (!node || !isObjectType(node)) return null;
  if (idTypes.has(node.name)) return idTypes.get(node.name)!;
  const model = (node.extensions as { pothosPrismaModel?: string })?.pothosPrismaModel;
  const id = model ? datamodel[model]?.fields.find((f) => f.isId) : undefined;
  const type = id?.type === 'String' ? 'uuid' : id?.type === 'BigInt' ? 'bigint' : null;
  idTypes.set(node.name, type);
  return type;
}
