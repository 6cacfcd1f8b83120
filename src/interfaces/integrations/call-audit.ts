import {
  type DocumentNode,
  type FieldNode,
  type GraphQLError,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { isPlatformTarget, type Target } from '../../kit/authorization.js';
import type { AuditOutcome } from '../../platform/audit.js';
import type { Context } from '../../kit/context.js';
import { decodeGlobalID } from '../../kit/ids.js';
import { persistedOperationOf } from './persisted-operations.js';

/*
 * One audit_log row per GraphQL request of an integration principal: which
 * integration and credential, which persisted operation, which root fields,
 * the resources it named (the ids in the root fields' arguments and the
 * variables they use, as type + id), the request id, and how it ended. Written once, after the result is known,
 * in its own statement; a failed insert is logged and never changes the
 * answer. Requests refused before execution (401 at authentication, 429,
 * documents that fail validation) are not rows here: they never ran.
 */

const DENIED_CODES = new Set(['FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED']);

function operationOf(document: DocumentNode, name: string | null | undefined): OperationDefinitionNode | undefined {
  const ops = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return name ? ops.find((o) => o.name?.value === name) : ops[0];
}

/** Root fields, through fragments, without __typename. */
function rootFields(document: DocumentNode, set: SelectionSetNode, seen = new Set<string>()): FieldNode[] {
  const fields: FieldNode[] = [];
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      if (!sel.name.value.startsWith('__')) fields.push(sel);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      fields.push(...rootFields(document, sel.selectionSet, seen));
    } else if (!seen.has(sel.name.value)) {
      seen.add(sel.name.value);
      const frag = document.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === sel.name.value);
      if (frag?.kind === Kind.FRAGMENT_DEFINITION) fields.push(...rootFields(document, frag.selectionSet, seen));
    }
  }
  return fields;
}

const MAX_TARGETS = 20;

/** Every string inside a variable's value (an id, a list of ids, an input object holding some). */
function stringsOfValue(v: unknown, out: string[]): void {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => stringsOfValue(x, out));
  else if (v && typeof v === 'object') Object.values(v).forEach((x) => stringsOfValue(x, out));
}

/** Every string inside an argument as written: literals, and the values of the variables it uses. */
function stringsOfArgument(node: ValueNode, variables: Record<string, unknown>, out: string[]): void {
  switch (node.kind) {
    case Kind.VARIABLE:
      return stringsOfValue(variables[node.name.value], out);
    case Kind.STRING:
      return void out.push(node.value);
    case Kind.LIST:
      return node.values.forEach((x) => stringsOfArgument(x, variables, out));
    case Kind.OBJECT:
      return node.fields.forEach((f) => stringsOfArgument(f.value, variables, out));
  }
}

/**
 * The resources a call names: every global id in its root fields' arguments
 * (the event read, the invitation overridden and its events…), decoded to
 * type + id, first named first. Ids that do not decode are not resources.
 */
export function targetsOf(fields: FieldNode[], variables: Record<string, unknown>): { type: string; id: string }[] {
  const strings: string[] = [];
  for (const f of fields) for (const a of f.arguments ?? []) stringsOfArgument(a.value, variables, strings);
  const seen = new Map<string, { type: string; id: string }>();
  for (const s of strings) {
    if (seen.size >= MAX_TARGETS) break;
    try {
      const { typename, id } = decodeGlobalID(s);
      seen.set(`${typename}:${id}`, { type: typename, id });
    } catch {
      // Not an id: free text, a status, a reason.
    }
  }
  return [...seen.values()];
}

function outcomeOf(errors: readonly GraphQLError[] | undefined): { outcome: AuditOutcome; reason: string | null } {
  if (!errors?.length) return { outcome: 'SUCCESS', reason: null };
  const codes = errors.map((e) => (typeof e.extensions?.code === 'string' ? e.extensions.code : 'INTERNAL_SERVER_ERROR'));
  const reason = [...new Set(codes)].join(',');
  return { outcome: codes.some((c) => DENIED_CODES.has(c)) ? 'DENIED' : 'FAILED', reason };
}

/** The occasion a row belongs to: where it read (success) or was refused with FORBIDDEN; a NOT_FOUND stays out of the other occasion's log. */
function occasionOf(ctx: Context, outcome: AuditOutcome, errors: readonly GraphQLError[] | undefined): string | null {
  const t: Target | undefined =
    outcome === 'SUCCESS'
      ? ctx.authz.firstCheck?.target
      : errors?.some((e) => e.extensions?.code === 'FORBIDDEN')
        ? ctx.authz.lastDenial?.target
        : undefined;
  return t && !isPlatformTarget(t) ? t.occasionId : null;
}

export function auditIntegrationCalls(): Plugin<Context> {
  return {
    onExecute({ args }) {
      const ctx = args.contextValue as Context & { request?: Request };
      if (ctx.principal.kind !== 'integration') return;
      const principal = ctx.principal;
      // Envelop types graphql-js' execution args as any (it is written for any GraphQL engine); yoga runs graphql-js.
      const document = args.document as DocumentNode;
      const op = operationOf(document, args.operationName as string | null | undefined);
      const fields = op ? rootFields(document, op.selectionSet) : [];
      const targets = targetsOf(fields, (args.variableValues ?? {}) as Record<string, unknown>);
      return {
        async onExecuteDone({ result }) {
          // Streams (subscriptions, @defer) have no single outcome; the request that opened them is what an operator looks for.
          const errors = Symbol.asyncIterator in result ? undefined : result.errors;
          const { outcome, reason } = outcomeOf(errors);
          try {
            await ctx.prisma.auditLog.create({
              data: {
                occasionId: occasionOf(ctx, outcome, errors),
                principalType: 'integration',
                principalId: principal.integrationId,
                integrationId: principal.integrationId,
                credentialId: principal.credentialId,
                operationId: persistedOperationOf(ctx.request),
                action: op ? [...new Set(fields.map((f) => f.name.value))].join(',') || op.operation : 'unknown',
                targetType: targets[0]?.type ?? null,
                targetId: targets[0]?.id ?? null,
                scope: {
                  operation: op?.operation ?? null,
                  operationName: op?.name?.value ?? null,
                  environment: principal.environment,
                  targets,
                },
                requestId: ctx.requestId,
                outcome,
                reason,
              },
            });
          } catch (err) {
            ctx.log.error({ err, requestId: ctx.requestId }, 'could not write the audit row of an integration call');
          }
        },
      };
    },
  };
}
