import { typeBrandKey } from '@pothos/core';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { recordAudit } from '../../platform/audit.js';
import { DomainError } from '../../platform/errors.js';
import { isPlatformTarget, type Target } from '../../kit/authorization.js';
import type { Context } from '../../kit/context.js';

/**
 * Successful writes are audited by their services, inside their transaction.
 * A refused or failed mutation rolls that transaction back, so its row is
 * written here, after the fact, in its own statement: DENIED when the
 * permission engine refused it, FAILED when it returned a typed error.
 * Refusals for another occasion are recorded without that occasion, so its
 * owners' audit log is not written into by strangers.
 */
export function auditRefusedMutations(schema: GraphQLSchema): GraphQLSchema {
  const mutation = schema.getMutationType();
  for (const field of Object.values(mutation?.getFields() ?? {})) {
    const resolve = field.resolve;
    if (!resolve) continue;
    field.resolve = async (root, args, ctx: Context, info) => {
      ctx.authz.lastDenial = null;
      ctx.authz.firstCheck = null;
      try {
        const result = await resolve(root, args, ctx, info);
        if (isTypedError(result)) {
          // The mutation's own rule was the first check: its action and occasion name the row.
          const rule = ctx.authz.firstCheck as Context['authz']['firstCheck'];
          await record(ctx, {
            action: rule?.action ?? info.fieldName,
            occasionId: rule ? occasionOf(rule.target) : null,
            target: rule?.target.resource ?? null,
            outcome: 'FAILED',
            reason: `${info.fieldName}: ${result.code}: ${result.message}`,
          });
        }
        return result;
      } catch (e) {
        // Set by the engine while this resolver ran (TypeScript cannot see that across the await).
        const denial = ctx.authz.lastDenial as Context['authz']['lastDenial'];
        const code = e instanceof GraphQLError ? e.extensions?.code : undefined;
        if (denial && (code === 'FORBIDDEN' || code === 'NOT_FOUND')) {
          await record(ctx, {
            action: denial.action,
            occasionId: code === 'FORBIDDEN' ? occasionOf(denial.target) : null,
            target: code === 'FORBIDDEN' ? (denial.target.resource ?? null) : null,
            outcome: 'DENIED',
            reason: `${info.fieldName}: ${denial.detail}`,
          });
        }
        throw e;
      }
    };
  }
  return schema;
}

/** Platform-level rules (integration management) belong to no occasion's audit log. */
const occasionOf = (t: Target): string | null => (isPlatformTarget(t) ? null : t.occasionId);

/** plugin-errors hands typed errors on as proxies branded with their class. */
function isTypedError(result: unknown): result is DomainError {
  if (result instanceof DomainError) return true;
  const brand = typeof result === 'object' && result !== null ? (result as Record<symbol, unknown>)[typeBrandKey] : undefined;
  return typeof brand === 'function' && (brand === DomainError || brand.prototype instanceof DomainError);
}

async function record(ctx: Context, e: Parameters<typeof recordAudit>[2]) {
  try {
    await recordAudit(ctx.prisma, ctx.caller, e);
  } catch (err) {
    // The caller still gets the real answer; a lost audit row is logged, not turned into a 500.
    ctx.log.error({ err }, 'could not write audit row for a refused mutation');
  }
}
