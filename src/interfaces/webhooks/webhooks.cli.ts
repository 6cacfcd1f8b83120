import { randomUUID } from 'node:crypto';
import type { AppServices } from '../../kit/context.js';
import { Authorizer } from '../../domains/permissions/authorizer.js';
import { PLATFORM_TARGET } from '../../kit/authorization.js';
import { isUuid } from '../../kit/ids.js';
import type { Caller } from '../../platform/principal.js';
import { CliUsageError, options } from '../integrations/integrations.cli.js';
import { toIntegrationEnvironment } from '../integrations/principal.js';
import { endpointHealth, healthOf, recoverFailed, redeliver, sendTest } from './deliveries.service.js';
import { createDeliveryQueue } from './dispatch.js';

/*
 * `npm run cli -- webhooks …`: the operator at 2 a.m. — what is failing,
 * what did the receiver answer, send it again, recover an outage window.
 * Same services, audit rows and permission checks as the GraphQL fields;
 * runs as an explicit system principal with the platform integration actions.
 */

const USAGE = `usage:
  webhooks deliveries [--status pending|delivering|succeeded|failed|cancelled] [--endpoint <id>] [--type <event type>] [--limit 50]
  webhooks attempts <deliveryId>                 every attempt: time, status, latency, error class, response excerpt
  webhooks redeliver <deliveryId>                send it again now (same webhook-id)
  webhooks recover --from <ISO time> --to <ISO time> [--endpoint <id>]   send every failed delivery of the window again
  webhooks health [--all]                        failing and disabled endpoints (--all: every endpoint)
  webhooks test <endpointId>                     send a webhook.test message`;

const STATUSES = ['PENDING', 'DELIVERING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;

function uuidArg(v: string | undefined, what: string): string {
  if (!v || !isUuid(v)) throw new CliUsageError(`${what} must be a uuid`);
  return v;
}

function dateArg(v: string | undefined, what: string): Date {
  const d = v ? new Date(v) : new Date(NaN);
  if (Number.isNaN(d.getTime())) throw new CliUsageError(`--${what} must be a time such as 2026-11-25T02:00:00Z`);
  return d;
}

const iso = (d: Date | null) => (d ? d.toISOString() : '-');

export async function runWebhooksCommand(app: AppServices, args: string[]): Promise<string[]> {
  const [verb, ...rest] = args;
  const { flags, positional } = options(rest);
  const caller: Caller = {
    principal: { kind: 'system', reason: `cli:webhooks:${verb ?? ''}`, actions: ['integration:read', 'integration:manage', 'integration:connect'] },
    requestId: `cli-${randomUUID()}`,
  };
  const authz = new Authorizer(app.db.prisma, caller.principal, app.actions);
  const prisma = app.db.prisma;
  /** Straight to the workers' queue when there is one; otherwise their sweeper finds it within seconds. */
  const dispatch = async (ids: string[]) => {
    if (!ids.length) return;
    if (app.webhookDispatch) return app.webhookDispatch(ids.map((id) => ({ id, runAt: new Date() })));
    if (!app.config.REDIS_URL) return;
    const q = createDeliveryQueue(app.config.REDIS_URL, { logger: app.logger, prefix: app.config.QUEUE_PREFIX });
    await q.enqueue(ids.map((id) => ({ id, runAt: new Date() })));
    await q.close();
  };

  switch (verb) {
    case 'deliveries': {
      await authz.assert('integration:read', PLATFORM_TARGET, 'Webhook delivery');
      const status = flags.status ? flags.status.toUpperCase() : undefined;
      if (status && !(STATUSES as readonly string[]).includes(status))
        throw new CliUsageError(`--status must be one of ${STATUSES.join(', ').toLowerCase()}`);
      const rows = await prisma.webhookDelivery.findMany({
        where: {
          ...(status ? { status: status as (typeof STATUSES)[number] } : {}),
          ...(flags.endpoint ? { endpointId: uuidArg(flags.endpoint, '--endpoint') } : {}),
          ...(flags.type ? { eventType: flags.type } : {}),
        },
        orderBy: { id: 'desc' },
        take: Math.min(Number(flags.limit ?? 50) || 50, 1000),
        include: { endpoint: { select: { url: true } } },
      });
      if (!rows.length) return ['no deliveries'];
      return rows.map(
        (d) =>
          `${d.id}  ${d.status.padEnd(10)} ${String(d.attemptCount).padStart(2)} tries  ${d.eventType.padEnd(24)} next ${iso(d.nextAttemptAt)}  ${d.endpoint.url}${d.lastError ? `  (${d.lastError})` : ''}`,
      );
    }
    case 'attempts': {
      await authz.assert('integration:read', PLATFORM_TARGET, 'Webhook delivery');
      const id = uuidArg(positional[0], 'deliveryId');
      const d = await prisma.webhookDelivery.findUnique({ where: { id }, include: { attempts: { orderBy: { number: 'asc' } } } });
      if (!d) throw new CliUsageError(`no delivery ${id}`);
      return [
        `delivery ${d.id}  ${d.status}  ${d.eventType}  webhook-id ${d.outboxEventId}`,
        ...d.attempts.map(
          (a) =>
            `  #${a.number} ${a.trigger.toLowerCase().padEnd(8)} ${a.startedAt.toISOString()}  ${String(a.statusCode ?? '---')}  ${a.durationMs} ms  ${a.outcome.padEnd(9)} ${a.errorClass ?? ''}${a.responseExcerpt ? `  “${a.responseExcerpt.slice(0, 120).replace(/\s+/g, ' ')}”` : ''}`,
        ),
      ];
    }
    case 'redeliver': {
      await authz.assert('integration:manage', PLATFORM_TARGET, 'Webhook delivery');
      const id = uuidArg(positional[0], 'deliveryId');
      await prisma.$transaction((tx) => redeliver(tx, caller, id));
      await dispatch([id]);
      return [`delivery ${id} is due again now`];
    }
    case 'recover': {
      await authz.assert('integration:manage', PLATFORM_TARGET, 'Webhook delivery');
      const ids = await prisma.$transaction((tx) =>
        recoverFailed(tx, caller, {
          from: dateArg(flags.from, 'from'),
          to: dateArg(flags.to, 'to'),
          endpointId: flags.endpoint ? uuidArg(flags.endpoint, '--endpoint') : null,
        }),
      );
      await dispatch(ids);
      return [`${ids.length} deliveries are due again now`];
    }
    case 'health': {
      await authz.assert('integration:read', PLATFORM_TARGET, 'Webhook endpoint');
      const rows = await endpointHealth(prisma, { includeHealthy: flags.all !== undefined });
      if (!rows.length) return ['every endpoint is healthy'];
      return rows.map(
        (e) =>
          `${e.id}  ${healthOf(e).padEnd(8)} failing since ${iso(e.failingSince)}  last ok ${iso(e.lastSuccessAt)}  ${e.pending} pending, ${e.failed} failed  ${e.url}${e.disabledReason ? `  (${e.disabledReason})` : ''}`,
      );
    }
    case 'test': {
      await authz.assert('integration:manage', PLATFORM_TARGET, 'Webhook endpoint');
      const id = uuidArg(positional[0], 'endpointId');
      const d = await prisma.$transaction((tx) => sendTest(tx, caller, id, toIntegrationEnvironment(app.config.DEPLOYMENT_ENVIRONMENT)));
      await dispatch([d.id]);
      return [`test delivery ${d.id} queued; see it with: webhooks attempts ${d.id}`];
    }
    default:
      throw new CliUsageError(USAGE);
  }
}
