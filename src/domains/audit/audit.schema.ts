import { builder } from '../../kit/builder.js';
import { PLATFORM_OCCASION_ID } from '../../kit/authorization.js';
import { encodeGlobalID, tryDecodeGlobalID } from '../../kit/ids.js';
import { canField, canType, type IdArgs } from '../../kit/rules.js';
import { ActorType } from '../actors/actors.schema.js';
import { OccasionType } from '../occasions/occasions.schema.js';

export const AuditOutcome = builder.enumType('AuditOutcome', { values: ['SUCCESS', 'DENIED', 'FAILED'] as const });

export const AuditEntryType = builder.prismaObject('AuditLog', {
  name: 'AuditEntry',
  ...canType('audit:read', 'OCCASION', (a: { occasionId: string | null }) => ({
    occasionId: a.occasionId ?? PLATFORM_OCCASION_ID,
  })),
  description: 'One audited action: who, what, where, before/after, outcome.',
  fields: (t) => ({
    id: t.id({ resolve: (a) => encodeGlobalID('AuditEntry', a.id) }),
    at: t.expose('at', { type: 'DateTime' }),
    principalType: t.exposeString('principalType', { description: 'user, integration, system or anonymous.' }),
    actorId: t.id({ nullable: true, resolve: (a) => (a.actorId ? encodeGlobalID('Actor', a.actorId) : null) }),
    integrationId: t.id({ nullable: true, resolve: (a) => a.integrationId }),
    action: t.exposeString('action'),
    targetType: t.exposeString('targetType', { nullable: true }),
    targetId: t.id({ nullable: true, resolve: (a) => (a.targetType && a.targetId ? encodeGlobalID(a.targetType, a.targetId) : null) }),
    scope: t.expose('scope', { type: 'JSON', nullable: true }),
    requestId: t.exposeString('requestId', { nullable: true }),
    before: t.expose('before', { type: 'JSON', nullable: true }),
    after: t.expose('after', { type: 'JSON', nullable: true }),
    outcome: t.expose('outcome', { type: AuditOutcome }),
    reason: t.exposeString('reason', { nullable: true }),
  }),
});

const AuditFilter = builder.inputType('AuditLogFilter', {
  fields: (t) => ({
    action: t.string({ description: 'Exact action, e.g. event:update.' }),
    actorId: t.globalID({ for: ActorType }),
    targetId: t.id({ description: 'Global id of the target.' }),
    outcome: t.field({ type: AuditOutcome }),
    since: t.field({ type: 'DateTime' }),
    until: t.field({ type: 'DateTime' }),
  }),
});

type Filter = {
  action?: string | null;
  actorId?: { id: string } | null;
  targetId?: string | number | null;
  outcome?: 'SUCCESS' | 'DENIED' | 'FAILED' | null;
  since?: Date | null;
  until?: Date | null;
};

function auditWhere(occasionId: string, f: Filter) {
  let targetId: string | undefined;
  if (f.targetId) targetId = tryDecodeGlobalID(String(f.targetId))?.id ?? '';
  return {
    occasionId,
    ...(f.action ? { action: f.action } : {}),
    ...(f.actorId ? { actorId: f.actorId.id } : {}),
    ...(targetId !== undefined ? { targetId } : {}),
    ...(f.outcome ? { outcome: f.outcome } : {}),
    ...(f.since || f.until ? { at: { ...(f.since ? { gte: f.since } : {}), ...(f.until ? { lt: f.until } : {}) } } : {}),
  };
}

builder.queryField('auditLog', (t) =>
  t.prismaConnection({
    type: 'AuditLog',
    cursor: 'id',
    ...canField('audit:read', 'OCCASION', (_p, args: IdArgs<'occasionId'>, ctx) => ctx.targets.occasion(args.occasionId.id)),
    description: 'The occasion’s audit log, newest first. Owners only.',
    args: { occasionId: t.arg.globalID({ required: true, for: OccasionType }), filter: t.arg({ type: AuditFilter }) },
    resolve: (query, _p, args, ctx) =>
      ctx.prisma.auditLog.findMany({ ...query, where: auditWhere(args.occasionId.id, args.filter ?? {}), orderBy: { id: 'desc' } }),
    totalCount: (_p, args, ctx) => ctx.prisma.auditLog.count({ where: auditWhere(args.occasionId.id, args.filter ?? {}) }),
  }),
);
