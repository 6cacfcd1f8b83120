import { z } from 'zod';
import { recordAudit } from '../../platform/audit.js';
import type { Prisma, Tx } from '../../platform/db/client.js';
import { ConflictError, notFound, ValidationError } from '../../platform/errors.js';
import { recordBusinessEvent } from '../../platform/outbox.js';
import { actorIdOf, type Caller, userIdOf } from '../../platform/principal.js';
import { parseInput } from '../../platform/validation.js';
import type { ActionRegistry } from './actions.js';
import { actorsWithGrants, decideInOccasion } from './authorizer.js';
import type { Decision } from './grant-match.js';
import { assertNoEscalation, targetOfGrant } from './grant-guard.js';
import { accessGranted, accessRevoked } from './permissions.business-events.js';
import type { ScopeLevel, Target, Authorization } from '../../kit/authorization.js';

/** A scope named by ids, as planners pass it. PLATFORM is never grantable from inside an occasion. */
export interface ScopeInput {
  type: Exclude<ScopeLevel, 'PLATFORM'>;
  eventId?: string | null;
  installationId?: string | null;
  enablementId?: string | null;
  resource?: { type: string; id: string } | null;
}

const grantInput = z
  .object({
    role: z.string().optional(),
    actions: z.array(z.string()).max(100).default([]),
    expiresAt: z.date().optional(),
  })
  .refine((g) => g.role || g.actions.length, { message: 'Give a role, actions, or both.', path: ['role'] })
  .refine((g) => !g.expiresAt || g.expiresAt > new Date(), { message: 'Expiry must be in the future.', path: ['expiresAt'] });

type ResourceCheck = (db: Prisma | Tx, occasionId: string, id: string) => Promise<boolean>;
const actorInOccasion: ResourceCheck = async (db, occasionId, id) =>
  !!(await db.actor.findFirst({ where: { id, occasionId }, select: { id: true } }));

/**
 * Resource types a grant may name besides actors, added by their owners
 * (publishing: Artifact, so a printer is granted one artifact): whether an
 * id is one of the occasion's.
 */
export const grantResourceTypes = new Map<string, ResourceCheck>();

/** Resolves a scope to the ids it covers, checking each id belongs to the occasion (NOT_FOUND otherwise). */
export async function resolveScope(
  db: Prisma | Tx,
  occasionId: string,
  s: ScopeInput,
): Promise<{ target: Target; columns: Record<string, string | null> }> {
  const columns = { scopeEventId: null, scopeInstallationId: null, scopeEnablementId: null, resourceType: null, resourceId: null } as Record<
    string,
    string | null
  >;
  const need = (v: string | null | undefined, field: string) => {
    if (!v) throw new ValidationError(`A ${s.type} scope needs ${field}.`, [{ path: `input.scope.${field}`, message: 'Required for this scope.' }]);
    return v;
  };
  switch (s.type) {
    case 'OCCASION':
      return { target: { occasionId }, columns };
    case 'EVENT': {
      const id = need(s.eventId, 'eventId');
      if (!(await db.event.findFirst({ where: { id, occasionId }, select: { id: true } }))) throw notFound('Event');
      return { target: { occasionId, eventId: id }, columns: { ...columns, scopeEventId: id } };
    }
    case 'MODULE_INSTALLATION': {
      const id = need(s.installationId, 'installationId');
      if (!(await db.moduleInstallation.findFirst({ where: { id, occasionId }, select: { id: true } }))) throw notFound('Module installation');
      return { target: { occasionId, installationId: id }, columns: { ...columns, scopeInstallationId: id } };
    }
    case 'MODULE_ENABLEMENT': {
      const id = need(s.enablementId, 'enablementId');
      const en = await db.moduleEnablement.findFirst({ where: { id, occasionId } });
      if (!en) throw notFound('Module enablement');
      return {
        target: { occasionId, eventId: en.eventId, installationId: en.installationId, enablementId: id },
        columns: { ...columns, scopeEnablementId: id },
      };
    }
    case 'RESOURCE': {
      const r = s.resource;
      if (!r) throw new ValidationError('A RESOURCE scope needs a resource id.', [{ path: 'input.scope.resourceId', message: 'Required.' }]);
      const inOccasion = r.type === 'Actor' ? actorInOccasion : grantResourceTypes.get(r.type);
      if (!inOccasion)
        throw new ValidationError(`Resource grants on ${r.type} are not supported.`, [
          { path: 'input.scope.resourceId', message: 'Unsupported resource type.' },
        ]);
      if (!(await inOccasion(db, occasionId, r.id))) throw notFound(r.type);
      return { target: { occasionId, resource: r }, columns: { ...columns, resourceType: r.type, resourceId: r.id } };
    }
  }
}

/**
 * Actions no integration ever holds, even with allowWrite: integrations never
 * inherit planner or admin powers (handing out access, connecting others,
 * deleting the occasion, platform management).
 */
export const NEVER_FOR_INTEGRATIONS = new Set(['access:manage', 'integration:connect', 'integration:read', 'integration:manage', 'occasion:delete']);

/** Read-only actions (`area:read`, `area:read_*`, `area:view`): what an integration gets unless a write is asked for explicitly. */
export const isReadOnlyAction = (a: string) => /:(read|view)(_[a-z_]+)?$/.test(a);

/**
 * The integration-specific rules of a grant: explicit actions only, read-only
 * unless `allowWrite`, never the NEVER_FOR_INTEGRATIONS actions, and only to an
 * integration connected (live) to the occasion. An integration that is not
 * connected does not exist for the occasion: NOT_FOUND, like an actor of
 * another occasion.
 */
async function checkIntegrationGrant(
  tx: Tx,
  occasionId: string,
  integrationId: string,
  g: { role?: string; actions: string[] },
  allowWrite: boolean,
) {
  if (g.role)
    throw new ValidationError('Integrations get explicit actions, never a role.', [{ path: 'input.role', message: 'Not allowed for integrations.' }]);
  const never = g.actions.filter((a) => NEVER_FOR_INTEGRATIONS.has(a));
  if (never.length) {
    throw new ValidationError(`Integrations never hold ${never.join(', ')}.`, [
      { path: 'input.actions', message: 'Not grantable to an integration.' },
    ]);
  }
  const writes = g.actions.filter((a) => !isReadOnlyAction(a));
  if (writes.length && !allowWrite) {
    throw new ValidationError(`Integrations get read-only access unless allowWrite is set: ${writes.join(', ')}.`, [
      { path: 'input.allowWrite', message: 'Required for write actions.' },
    ]);
  }
  const connected = await tx.integrationConnection.findFirst({
    where: { integrationId, occasionId, disabledAt: null, integration: { status: { notIn: ['REVOKED', 'ARCHIVED'] } } },
    select: { id: true },
  });
  if (!connected) throw notFound('Integration');
}

function effectiveActions(registry: ActionRegistry, role: string | null | undefined, actions: string[]): Set<string> {
  const set = new Set(actions);
  if (role) for (const a of registry.roleActions(role) ?? []) set.add(a);
  return set;
}

export async function grantAccess(
  tx: Tx,
  caller: Caller,
  authz: Authorization,
  registry: ActionRegistry,
  occasionId: string,
  input: {
    /** Exactly one subject: an actor of the occasion or an integration connected to it. */
    subjectActorId?: string;
    subjectIntegrationId?: string;
    scope: ScopeInput;
    role?: string;
    actions?: string[];
    expiresAt?: Date;
    /** Integrations only: write actions are refused unless asked for. */
    allowWrite?: boolean;
  },
) {
  const g = parseInput(grantInput, { role: input.role, actions: input.actions, expiresAt: input.expiresAt });
  if (g.role && !registry.roles.has(g.role)) {
    throw new ValidationError(`Unknown role "${g.role}".`, [{ path: 'input.role', message: `One of: ${[...registry.roles.keys()].join(', ')}` }]);
  }
  const unknown = g.actions.filter((a) => !registry.isAction(a));
  if (unknown.length) throw new ValidationError(`Unknown actions: ${unknown.join(', ')}.`, [{ path: 'input.actions', message: 'Unknown action.' }]);
  let subject: { subjectType: 'ACTOR' | 'INTEGRATION'; subjectActorId: string | null; subjectIntegrationId: string | null };
  if (input.subjectIntegrationId) {
    await checkIntegrationGrant(tx, occasionId, input.subjectIntegrationId, g, input.allowWrite ?? false);
    subject = { subjectType: 'INTEGRATION', subjectActorId: null, subjectIntegrationId: input.subjectIntegrationId };
  } else {
    if (!input.subjectActorId) throw new ValidationError('Name the subject of the grant.', [{ path: 'input.subjectId', message: 'Required.' }]);
    const actor = await tx.actor.findFirst({ where: { id: input.subjectActorId, occasionId }, select: { id: true } });
    if (!actor) throw notFound('Actor');
    subject = { subjectType: 'ACTOR', subjectActorId: actor.id, subjectIntegrationId: null };
  }
  const { target, columns } = await resolveScope(tx, occasionId, input.scope);
  await assertNoEscalation(authz, effectiveActions(registry, g.role, g.actions), target);
  const grant = await tx.grant.create({
    data: {
      occasionId,
      ...subject,
      role: g.role ?? null,
      actions: g.actions,
      scopeType: input.scope.type,
      ...columns,
      expiresAt: g.expiresAt ?? null,
      grantedByActorId: await actorIdOf(tx, caller.principal, occasionId),
      grantedByUserId: userIdOf(caller.principal),
    },
  });
  await recordAudit(tx, caller, {
    action: 'access:grant',
    occasionId,
    target: { type: 'Grant', id: grant.id },
    scope: { type: input.scope.type, ...columns },
    after: grant,
  });
  await recordBusinessEvent(
    tx,
    caller,
    accessGranted,
    {
      occasionId,
      grantId: grant.id,
      subjectActorId: subject.subjectActorId,
      subjectIntegrationId: subject.subjectIntegrationId,
      role: grant.role,
      actions: grant.actions,
      scopeType: grant.scopeType,
    },
    { occasionId },
  );
  return grant;
}

export async function revokeAccess(tx: Tx, caller: Caller, authz: Authorization, registry: ActionRegistry, grantId: string) {
  const before = await tx.grant.findUnique({ where: { id: grantId } });
  if (!before || !before.occasionId) throw notFound('Grant');
  if (before.revokedAt) throw new ConflictError('This grant is already revoked.');
  const occasionId = before.occasionId;
  // From the grant's own columns: a grant on a since-deleted event can still be revoked.
  const target = await targetOfGrant(tx, { ...before, occasionId });
  await assertNoEscalation(authz, effectiveActions(registry, before.role, before.actions), target);
  if (before.role === 'owner' && before.scopeType === 'OCCASION') {
    // Only another live owner grant keeps the occasion owned: an expired one no longer counts.
    const otherOwners = await tx.grant.count({
      where: {
        occasionId,
        role: 'owner',
        scopeType: 'OCCASION',
        revokedAt: null,
        subjectType: 'ACTOR',
        id: { not: grantId },
        OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }],
      },
    });
    if (otherOwners === 0) throw new ConflictError('An occasion keeps at least one owner; make someone else owner first.');
  }
  const after = await tx.grant.update({
    where: { id: grantId },
    data: { revokedAt: new Date(), revokedByUserId: userIdOf(caller.principal) },
  });
  await recordAudit(tx, caller, { action: 'access:revoke', occasionId, target: { type: 'Grant', id: grantId }, before, after });
  await recordBusinessEvent(tx, caller, accessRevoked, { occasionId, grantId }, { occasionId });
  return after;
}

export interface Explanation {
  decision: Decision;
  subjectActorId: string;
  action: string;
}

/** Why would this actor be allowed or denied `action` on `target`? The same pure decision the engine makes. */
export async function explainAccess(
  prisma: Prisma,
  registry: ActionRegistry,
  subjectActorId: string,
  action: string,
  target: Target,
): Promise<Explanation> {
  const [subject] = await actorsWithGrants(prisma, { id: { in: [subjectActorId] } });
  const grants = (subject?.grants ?? []).filter((g) => g.occasionId === target.occasionId || g.scopeType === 'PLATFORM');
  const privateEvents = subject?.occasionId === target.occasionId ? subject.privateEvents : new Map();
  return { decision: decideInOccasion({ actorId: subjectActorId, grants, privateEvents }, action, target, registry), subjectActorId, action };
}
