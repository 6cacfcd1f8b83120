import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { GraphQLError, Kind, visit, validate, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { preExecutionGuard } from './pre-execution-guard.js';

type CostOptions = NonNullable<Parameters<typeof costLimitRule>[0]>;

/**
 * Armor's cost limit runs at validation, before variables exist, and counts
 * `first`/`last` only when written as literals: `first: $n` cost as 1, so a
 * query refused with `first: 100` passed with `first: $n` and n = 100.
 * This runs the same estimate (Armor's own rule, same options) at execution
 * with each `first: $n` / `last: $n` replaced by the value sent (or the
 * variable's default), and refuses it the same way: QUERY_TOO_COMPLEX.
 */
export function costLimitWithVariables(options: CostOptions): Plugin {
  return preExecutionGuard((args) => {
    const document = withPageSizes(args.document, (args.variableValues ?? {}) as Record<string, unknown>, args.operationName ?? undefined);
    if (!document) return null;
    let rejected: GraphQLError | null = null;
    validate(args.schema, document, [costLimitRule({ ...options, propagateOnRejection: false, onReject: [(_ctx, err) => void (rejected = err)] })]);
    const err = rejected as GraphQLError | null;
    return err
      ? new GraphQLError(err.message.replace(/^Syntax Error: /, ''), { extensions: { code: 'QUERY_TOO_COMPLEX', http: { status: 400 } } })
      : null;
  });
}

/** The document with page-size variables written in as literals; null when it has none (the literal check already ran). */
function withPageSizes(document: DocumentNode, variables: Record<string, unknown>, operationName?: string): DocumentNode | null {
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName),
  );
  const defaults = new Map(
    (operation?.variableDefinitions ?? []).flatMap((v) =>
      v.defaultValue?.kind === Kind.INT ? [[v.variable.name.value, Number(v.defaultValue.value)]] : [],
    ),
  );
  let replaced = false;
  const out = visit(document, {
    Argument(node) {
      if ((node.name.value !== 'first' && node.name.value !== 'last') || node.value.kind !== Kind.VARIABLE) return undefined;
      const name = node.value.name.value;
      const n = name in variables ? variables[name] : defaults.get(name);
      if (typeof n !== 'number' || !Number.isInteger(n)) return undefined;
      replaced = true;
      return { ...node, value: { kind: Kind.INT, value: String(n) } };
    },
  });
  return replaced ? out : null;
}
