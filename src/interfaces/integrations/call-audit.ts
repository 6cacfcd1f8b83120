import { type DocumentNode, type GraphQLError, Kind, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { isPlatformTarget, type Target } from '../../domains/permissions/target.js';
import type { AuditOutcome } from '../../platform/audit.js';
import type { Context } from '../graphql/context.js';
import { persistedOperationOf } from './persisted-operations.js';

/*
 * One audit_log row per GraphQL request of an integration principal: which
 * integration and credential, which persisted operation, which root fields,
 * the request id, and how it ended. Written once, after the result is known,
 * in its own statement; a failed insert is logged and never changes the
 * answer. Requests refused before execution (401 at authentication, 429,
 * documents that fail validation) are not rows here: they never ran.
 */

const DENIED_CODES = new Set(['FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED']);

function operationOf(document: DocumentNode, name: string | null | undefined): OperationDefinitionNode | undefined {
  const ops = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  return name ? ops.find((o) => o.name?.value === name) : ops[0];
}

/** Root field names, through fragments, without __typename. */
function rootFields(document: DocumentNode, set: SelectionSetNode, seen = new Set<string>()): string[] {
  const names: string[] = [];
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      if (!sel.name.value.startsWith('__')) names.push(sel.name.value);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      names.push(...rootFields(document, sel.selectionSet, seen));
    } else if (!seen.has(sel.name.value)) {
      seen.add(sel.name.value);
      const frag = document.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === sel.name.value);
      if (frag?.kind === Kind.FRAGMENT_DEFINITION) names.push(...rootFields(document, frag.selectionSet, seen));
    }
  }
  return [...new Set(names)];
}

function outcomeOf(errors: readonly GraphQLError[] | undefined): { outcome: AuditOutcome; reason: string | null } {
  if (!errors?.length) return { outcome: 'SUCCESS', reason: null };
  const codes = errors.map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
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
      const op = operationOf(args.document, args.operationName);
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
                action: op ? rootFields(args.document, op.selectionSet).join(',') || op.operation : 'unknown',
                scope: { operation: op?.operation ?? null, operationName: op?.name?.value ?? null, environment: principal.environment },
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
