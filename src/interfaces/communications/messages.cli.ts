import { randomUUID } from 'node:crypto';
import type { AppServices } from '../../kit/context.js';
import { isUuid } from '../../kit/ids.js';
import { recordAudit } from '../../platform/audit.js';
import type { Caller } from '../../platform/principal.js';
import { CliUsageError, options } from '../integrations/integrations.cli.js';

/*
 * `npm run cli -- messages …`: the operator at 2 a.m. — is mail going out,
 * what is failing and why, try one again. Addresses are shown masked
 * (n***@example.com): enough to match a complaint, not a mailing list.
 */

const USAGE = `usage:
  messages stats [--hours 24]                    counts by status and by error class in the window; queued and retrying now
  messages list [--status failed|bounced|queued|sending|sent|suppressed] [--occasion <id>] [--limit 50]
  messages attempts <messageId>                  every attempt: time, outcome, error class, error
  messages retry <messageId>                     send a FAILED message again (same Message-ID), at the workers' next sweep`;

const STATUSES = ['QUEUED', 'SENDING', 'SENT', 'DELIVERED', 'BOUNCED', 'COMPLAINED', 'FAILED', 'SUPPRESSED', 'CANCELLED'] as const;
type Status = (typeof STATUSES)[number];

export const maskAddress = (a: string) => {
  const [local, domain] = a.split('@');
  return `${(local ?? '').slice(0, 1)}***@${domain ?? ''}`;
};
const iso = (d: Date | null) => (d ? d.toISOString() : '-');

function uuidArg(v: string | undefined, what: string): string {
  if (!v || !isUuid(v)) throw new CliUsageError(`${what} must be a uuid`);
  return v;
}

export async function runMessagesCommand(app: AppServices, args: string[]): Promise<string[]> {
  const [verb, ...rest] = args;
  const { flags, positional } = options(rest);
  const prisma = app.db.prisma;
  const caller: Caller = {
    principal: { kind: 'system', reason: `cli:messages:${verb ?? ''}`, actions: ['communications:send'] },
    requestId: `cli-${randomUUID()}`,
  };

  switch (verb) {
    case 'stats': {
      const hours = Number(flags.hours ?? 24);
      if (!Number.isFinite(hours) || hours <= 0) throw new CliUsageError('--hours must be a positive number');
      const since = new Date(Date.now() - hours * 3_600_000);
      const [byStatus, byError, backlog] = await Promise.all([
        prisma.commDelivery.groupBy({ by: ['status'], where: { queuedAt: { gte: since } }, _count: { _all: true } }),
        prisma.commDelivery.groupBy({
          by: ['lastErrorClass'],
          where: { queuedAt: { gte: since }, lastErrorClass: { not: null } },
          _count: { _all: true },
        }),
        prisma.commDelivery.groupBy({ by: ['status'], where: { status: { in: ['QUEUED', 'SENDING'] } }, _count: { _all: true } }),
      ]);
      const retrying = await prisma.commDelivery.count({ where: { status: 'QUEUED', attemptCount: { gt: 0 } } });
      return [
        `messages queued in the last ${hours} h, by status:`,
        ...(byStatus.length ? byStatus.map((g) => `  ${g.status.padEnd(11)} ${g._count._all}`) : ['  (none)']),
        'by last error class:',
        ...(byError.length ? byError.map((g) => `  ${(g.lastErrorClass ?? '').padEnd(24)} ${g._count._all}`) : ['  (none)']),
        `now: ${backlog.map((g) => `${g.status.toLowerCase()} ${g._count._all}`).join(', ') || 'nothing queued'}; ${retrying} waiting for a retry`,
      ];
    }
    case 'list': {
      const status = flags.status?.toUpperCase();
      if (status && !(STATUSES as readonly string[]).includes(status))
        throw new CliUsageError(`--status must be one of ${STATUSES.join(', ').toLowerCase()}`);
      const limit = Math.min(500, Math.max(1, Number(flags.limit ?? 50)));
      const rows = await prisma.commDelivery.findMany({
        where: { ...(status ? { status: status as Status } : {}), ...(flags.occasion ? { occasionId: uuidArg(flags.occasion, '--occasion') } : {}) },
        orderBy: { id: 'desc' },
        take: limit,
      });
      return rows.length
        ? rows.map(
            (d) =>
              `${d.id}  ${iso(d.queuedAt)}  ${d.kind.padEnd(23)} ${d.status.padEnd(10)} ${maskAddress(d.address).padEnd(28)} attempts ${d.attemptCount}${d.lastErrorClass ? `  ${d.lastErrorClass}: ${d.lastError ?? ''}` : ''}`,
          )
        : ['(no messages)'];
    }
    case 'attempts': {
      const id = uuidArg(positional[0], 'messageId');
      const d = await prisma.commDelivery.findUnique({ where: { id }, include: { attempts: { orderBy: { number: 'asc' } } } });
      if (!d) throw new CliUsageError(`no message ${id}`);
      return [
        `${d.id}  ${d.kind}  ${d.status}  ${maskAddress(d.address)}  Message-ID ${d.messageId}${d.nextAttemptAt ? `  next attempt ${iso(d.nextAttemptAt)}` : ''}`,
        ...d.attempts.map(
          (a) => `  #${a.number}  ${iso(a.startedAt)}  ${a.durationMs} ms  ${a.outcome}${a.errorClass ? `  ${a.errorClass}: ${a.error ?? ''}` : ''}`,
        ),
      ];
    }
    case 'retry': {
      const id = uuidArg(positional[0], 'messageId');
      const done = await prisma.$transaction(async (tx) => {
        const d = await tx.commDelivery.findUnique({ where: { id }, select: { status: true, occasionId: true } });
        if (!d) throw new CliUsageError(`no message ${id}`);
        if (d.status !== 'FAILED') throw new CliUsageError(`message ${id} is ${d.status}: only a FAILED one is sent again`);
        await tx.commDelivery.update({ where: { id }, data: { status: 'QUEUED', nextAttemptAt: new Date(), failedAt: null } });
        await recordAudit(tx, caller, {
          action: 'communications:send',
          occasionId: d.occasionId,
          target: { type: 'CommDelivery', id },
          before: { status: 'FAILED' },
          after: { status: 'QUEUED' },
          reason: 'An operator sent a failed message again (cli).',
        });
        return d;
      });
      return [`message ${id} queued again (it was ${done.status}); a worker sends it at its next sweep (MAIL_SWEEP_INTERVAL_MS)`];
    }
    default:
      throw new CliUsageError(USAGE);
  }
}
