import { randomUUID } from 'node:crypto';
import type { AppServices } from '../../kit/context.js';
import { DomainError } from '../../platform/errors.js';
import { Authorizer } from '../../domains/permissions/authorizer.js';
import { PLATFORM_TARGET } from '../../kit/authorization.js';
import { isUuid } from '../../kit/ids.js';
import type { Tx } from '../../platform/db/client.js';
import type { Caller } from '../../platform/principal.js';
import {
  createIntegration,
  INTEGRATION_ENVIRONMENTS,
  INTEGRATION_FLAGS,
  INTEGRATION_ROLES,
  loadIntegration,
  transitionIntegration,
} from './apps.service.js';
import { buildSchema } from '../graphql/schema.js';
import { isKeyId } from './credential-format.js';
import { accessReview, integrationHealth } from './health.js';
import { setIntegrationOperations } from './operation-allowlist.js';
import { loadPersistedManifest } from './persisted-operations.js';
import { issueCredential, revokeCredential } from './credentials.service.js';

/*
 * `npm run cli -- integration <create|rotate|revoke|list>`: the operators'
 * command line beside the GraphQL mutations. It runs as an explicit system
 * principal holding only the platform integration actions, asks the one
 * permission engine like any resolver, and calls the same services, so every
 * change has its audit row and outbox event.
 */

const USAGE = `usage:
  integration create --name <name> --role partner|platform --env development|staging|production [--flags inbound,outbound,sync,event_driven] [--partner <ref>]
  integration enable <integrationId>          configure (if still defined) and enable it, so its credentials get tokens
  integration disable <integrationId>         stop it (tokens stop working on the next request; enable again later)
  integration rotate <integrationId>          issue a new credential (old ones keep working until revoked)
  integration revoke <integrationId|keyId>    revoke an integration (terminal) or one credential
  integration list
  integration operations <integrationId> <OperationName|sha256:…>...   set the persisted documents it may run
  integration review [--unused-days 90] [--expiring-days 14]           access review: unused/expiring credentials, broad grants
  integration health                                                    health of every integration (last hour of calls)`;

export class CliUsageError extends Error {}

/**
 * The one line an expected failure (usage, illegal transition, not found, conflict) prints before exit code 1;
 * null for anything else, which is a bug and keeps its stack.
 */
export function cliFailureMessage(e: unknown): string | null {
  const code = (e as { extensions?: { code?: string } }).extensions?.code;
  if (e instanceof DomainError) return `${e.code}: ${e.message}`;
  if (code) return `${code}: ${(e as Error).message}`;
  if (e instanceof CliUsageError) return e.message;
  return null;
}

export function options(args: string[]): { flags: Record<string, string>; positional: string[] } {
  const flags: Record<string, string> = {};
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('--')) {
      const [k, inline] = a.slice(2).split('=', 2) as [string, string | undefined];
      flags[k] = inline ?? args[++i] ?? '';
    } else positional.push(a);
  }
  return { flags, positional };
}

const oneOf = <T extends string>(values: readonly T[], v: string | undefined, what: string): T => {
  const up = (v ?? '').toUpperCase() as T;
  if (!values.includes(up)) throw new CliUsageError(`--${what} must be one of ${values.join(', ').toLowerCase()}`);
  return up;
};

/** Runs one `integration ...` command; returns the lines to print. */
export async function runIntegrationCommand(app: AppServices, args: string[]): Promise<string[]> {
  const [verb, ...rest] = args;
  const { flags, positional } = options(rest);
  const caller: Caller = {
    principal: { kind: 'system', reason: `cli:integration:${verb ?? ''}`, actions: ['integration:read', 'integration:manage'] },
    requestId: `cli-${randomUUID()}`,
  };
  const authz = new Authorizer(app.db.prisma, caller.principal, app.actions);
  const prisma = app.db.prisma;
  const write = <T>(fn: (tx: Tx) => Promise<T>): Promise<T> => prisma.$transaction((tx) => fn(tx));
  switch (verb) {
    case 'create': {
      await authz.assert('integration:manage', PLATFORM_TARGET, 'Integration');
      if (!flags.name) throw new CliUsageError('--name is required');
      const a = await write((tx) =>
        createIntegration(tx, caller, {
          displayName: flags.name,
          businessRole: oneOf(INTEGRATION_ROLES, flags.role, 'role'),
          environment: oneOf(INTEGRATION_ENVIRONMENTS, flags.env, 'env'),
          flags: (flags.flags ?? 'inbound').split(',').map((f) => oneOf(INTEGRATION_FLAGS, f.trim().replace('-', '_'), 'flags')),
          partnerRef: flags.partner || undefined,
        }),
      );
      return [`created integration ${a.id} (${a.displayName}, ${a.businessRole.toLowerCase()}, ${a.environment.toLowerCase()}, ${a.status})`];
    }
    case 'enable':
    case 'disable': {
      await authz.assert('integration:manage', PLATFORM_TARGET, 'Integration');
      const id = positional[0];
      if (!id || !isUuid(id)) throw new CliUsageError(`${verb} needs an integration id (uuid)`);
      const a = await write(async (tx) => {
        if (verb === 'disable') return transitionIntegration(tx, caller, id, 'DISABLED');
        // A newly created integration is DEFINED: enabling walks it through CONFIGURED, as the lifecycle requires.
        const current = await loadIntegration(tx, id);
        if (current.status === 'DEFINED') await transitionIntegration(tx, caller, id, 'CONFIGURED');
        return transitionIntegration(tx, caller, id, 'ENABLED');
      });
      return [`integration ${a.id} is ${a.status}`];
    }
    case 'rotate': {
      await authz.assert('integration:manage', PLATFORM_TARGET, 'Integration');
      const id = positional[0];
      if (!id || !isUuid(id)) throw new CliUsageError('rotate needs an integration id (uuid)');
      const { credential, secret } = await write((tx) => issueCredential(tx, caller, id));
      return [
        `keyId:  ${credential.keyId}`,
        `secret: ${secret}`,
        'The secret is shown once and only its hash is kept. Earlier credentials keep working until revoked.',
      ];
    }
    case 'revoke': {
      await authz.assert('integration:manage', PLATFORM_TARGET, 'Integration');
      const ref = positional[0] ?? '';
      if (isKeyId(ref)) {
        const c = await write((tx) => revokeCredential(tx, caller, { keyId: ref }));
        return [`revoked credential ${c.keyId}`];
      }
      if (!isUuid(ref)) throw new CliUsageError('revoke needs an integration id (uuid) or a key id (tovk_...)');
      const a = await write((tx) => transitionIntegration(tx, caller, ref, 'REVOKED'));
      return [`revoked integration ${a.id}: its credentials, grants and connections stopped`];
    }
    case 'list': {
      await authz.assert('integration:read', PLATFORM_TARGET, 'Integration');
      const apps = await prisma.integrationApp.findMany({
        orderBy: { id: 'asc' },
        include: { credentials: { where: { revokedAt: null }, select: { keyId: true, lastUsedAt: true } } },
      });
      return apps.map(
        (a) =>
          `${a.id}  ${a.status.padEnd(10)} ${a.environment.toLowerCase().padEnd(11)} ${a.businessRole.toLowerCase().padEnd(8)} ${a.displayName}  ` +
          `[${a.credentials.map((c) => c.keyId).join(', ')}]`,
      );
    }
    case 'operations': {
      await authz.assert('integration:manage', PLATFORM_TARGET, 'Integration');
      const [id, ...ops] = positional;
      if (!id || !isUuid(id)) throw new CliUsageError('operations needs an integration id (uuid) and operation names or ids');
      const manifest = loadPersistedManifest();
      const byName = new Map([...manifest.entries()].map(([opId, doc]) => [/^\w+\s+(\w+)/.exec(doc)?.[1] ?? opId, opId]));
      const ids = ops.map((o) => (o.startsWith('sha256:') ? o : (byName.get(o) ?? o)));
      const a = await write((tx) => setIntegrationOperations(tx, caller, { schema: buildSchema(), manifest }, id, ids));
      return [`integration ${a.id} may run: ${a.allowedOperationIds.join(', ') || 'nothing'}`];
    }
    case 'review': {
      await authz.assert('integration:read', PLATFORM_TARGET, 'Integration');
      const findings = await accessReview(prisma, {
        unusedDays: Number(flags['unused-days'] ?? 90),
        expiringDays: Number(flags['expiring-days'] ?? 14),
      });
      return findings.length ? findings.map((f) => `${f.kind.padEnd(19)} ${f.integrationId}  ${f.detail}`) : ['nothing to review'];
    }
    case 'health': {
      await authz.assert('integration:read', PLATFORM_TARGET, 'Integration');
      const apps = await prisma.integrationApp.findMany({ select: { id: true, displayName: true }, orderBy: { id: 'asc' } });
      const rows = await integrationHealth(
        prisma,
        apps.map((a) => a.id),
      );
      return rows.map(
        (r) =>
          `${r.integrationId}  ${r.health.padEnd(8)} ${r.calls} calls, ${r.failures} failed  ${apps.find((a) => a.id === r.integrationId)?.displayName ?? ''}`,
      );
    }
    default:
      throw new CliUsageError(USAGE);
  }
}
