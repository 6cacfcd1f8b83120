import DataLoader from 'dataloader';
import type { Target } from '../../domains/permissions/target.js';
import type { Prisma } from '../../platform/db/client.js';
import { notFound } from '../../platform/errors.js';

/**
 * id → permission target, batched per request. An id that does not exist is
 * NOT_FOUND here; an id of an occasion the caller cannot see becomes NOT_FOUND
 * in the engine. Either way a caller learns nothing about other tenants.
 */
function loader<R extends { id: string }>(
  what: string,
  fetch: (ids: string[]) => Promise<R[]>,
  toTarget: (row: R) => Target,
): (id: string) => Promise<Target> {
  const dl = new DataLoader<string, Target | null>(async (ids) => {
    const rows = await fetch([...ids]);
    const byId = new Map(rows.map((r) => [r.id, toTarget(r)]));
    return ids.map((id) => byId.get(id) ?? null);
  });
  return async (id: string) => {
    const t = await dl.load(id);
    if (!t) throw notFound(what);
    return t;
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const uuidsOnly = (ids: string[]) => ids.filter((id) => UUID.test(id));

/**
 * @param occasionScopedOnly the caller's grants can only be occasion-scoped (a user's), so an
 * occasion it may act on necessarily exists.
 */
export function createTargetLoaders(prisma: Prisma, occasionScopedOnly = false) {
  return {
    occasion: occasionScopedOnly
      ? // A user's grants live inside occasions and go with them, so "no standing" already means NOT_FOUND: no query needed.
        async (id: string): Promise<Target> => {
          if (!UUID.test(id)) throw notFound('Occasion');
          return { occasionId: id };
        }
      : loader(
          'Occasion',
          (ids) => prisma.occasion.findMany({ where: { id: { in: uuidsOnly(ids) } }, select: { id: true } }),
          (r) => ({ occasionId: r.id }),
        ),
    event: loader(
      'Event',
      (ids) => prisma.event.findMany({ where: { id: { in: uuidsOnly(ids) } }, select: { id: true, occasionId: true } }),
      (r) => ({ occasionId: r.occasionId, eventId: r.id }),
    ),
    actor: loader(
      'Actor',
      (ids) => prisma.actor.findMany({ where: { id: { in: uuidsOnly(ids) } }, select: { id: true, occasionId: true } }),
      (r) => ({ occasionId: r.occasionId, resource: { type: 'Actor', id: r.id } }),
    ),
    tag: loader(
      'Tag',
      (ids) => prisma.tag.findMany({ where: { id: { in: uuidsOnly(ids) } }, select: { id: true, occasionId: true } }),
      (r) => ({ occasionId: r.occasionId, resource: { type: 'Tag', id: r.id } }),
    ),
    membership: loader(
      'Membership',
      (ids) => prisma.membership.findMany({ where: { id: { in: uuidsOnly(ids) } }, select: { id: true, occasionId: true, groupActorId: true } }),
      (r) => ({ occasionId: r.occasionId, resource: { type: 'Actor', id: r.groupActorId } }),
    ),
    relationship: loader(
      'Relationship',
      (ids) => prisma.relationship.findMany({ where: { id: { in: uuidsOnly(ids) } }, select: { id: true, occasionId: true, fromActorId: true } }),
      (r) => ({ occasionId: r.occasionId, resource: { type: 'Actor', id: r.fromActorId } }),
    ),
    installation: loader(
      'Module installation',
      (ids) => prisma.moduleInstallation.findMany({ where: { id: { in: uuidsOnly(ids) } }, select: { id: true, occasionId: true } }),
      (r) => ({ occasionId: r.occasionId, installationId: r.id }),
    ),
    enablement: loader(
      'Module enablement',
      (ids) =>
        prisma.moduleEnablement.findMany({
          where: { id: { in: uuidsOnly(ids) } },
          select: { id: true, occasionId: true, installationId: true, eventId: true },
        }),
      (r) => ({ occasionId: r.occasionId, installationId: r.installationId, eventId: r.eventId, enablementId: r.id }),
    ),
    grant: loader(
      'Grant',
      (ids) => prisma.grant.findMany({ where: { id: { in: uuidsOnly(ids) }, occasionId: { not: null } }, select: { id: true, occasionId: true } }),
      (r) => ({ occasionId: r.occasionId!, resource: { type: 'Grant', id: r.id } }),
    ),
    guestAccess: loader(
      'Guest access',
      (ids) => prisma.occasionInvitation.findMany({ where: { id: { in: uuidsOnly(ids) } }, select: { id: true, occasionId: true } }),
      (r) => ({ occasionId: r.occasionId, resource: { type: 'GuestAccess', id: r.id } }),
    ),
    rsvpInvitation: loader(
      'RSVP invitation',
      (ids) => prisma.rsvpInvitation.findMany({ where: { id: { in: uuidsOnly(ids) } }, select: { id: true, occasionId: true } }),
      (r) => ({ occasionId: r.occasionId, resource: { type: 'RsvpInvitation', id: r.id } }),
    ),
    collaboratorInvitation: loader(
      'Invitation',
      (ids) => prisma.collaboratorInvitation.findMany({ where: { id: { in: uuidsOnly(ids) } }, select: { id: true, occasionId: true } }),
      (r) => ({ occasionId: r.occasionId, resource: { type: 'CollaboratorInvitation', id: r.id } }),
    ),
    // Platform connections (no occasion) are not reachable by id here: they are managed through their integration.
    integrationConnection: loader(
      'Connection',
      (ids) =>
        prisma.integrationConnection.findMany({
          where: { id: { in: uuidsOnly(ids) }, occasionId: { not: null } },
          select: { id: true, occasionId: true },
        }),
      (r) => ({ occasionId: r.occasionId!, resource: { type: 'IntegrationConnection', id: r.id } }),
    ),
    // Endpoints of platform connections are operators' (integration:manage at PLATFORM), not reachable here.
    webhookEndpoint: loader(
      'Webhook endpoint',
      (ids) =>
        prisma.webhookEndpoint.findMany({
          where: { id: { in: uuidsOnly(ids) }, occasionId: { not: null } },
          select: { id: true, occasionId: true, connectionId: true },
        }),
      (r) => ({ occasionId: r.occasionId!, resource: { type: 'IntegrationConnection', id: r.connectionId } }),
    ),
    form: loader(
      'Form',
      (ids) => prisma.form.findMany({ where: { id: { in: uuidsOnly(ids) } }, select: { id: true, occasionId: true } }),
      (r) => ({ occasionId: r.occasionId, resource: { type: 'Form', id: r.id } }),
    ),
    // A question is guarded as part of its form: a grant on the form covers each of its versions.
    formField: loader(
      'Form field',
      (ids) => prisma.formField.findMany({ where: { id: { in: uuidsOnly(ids) } }, select: { id: true, occasionId: true, formId: true } }),
      (r) => ({ occasionId: r.occasionId, resource: { type: 'Form', id: r.formId } }),
    ),
  };
}

export type TargetLoaders = ReturnType<typeof createTargetLoaders>;

export interface EnablementRow {
  id: string;
  occasionId: string;
  eventId: string;
  installationId: string;
  config: unknown;
}

/**
 * Where a module is installed and enabled, batched per request: module fields
 * on a list of events ask once for all of them.
 */
export function createModuleLoaders(prisma: Prisma) {
  const enablements = new DataLoader<string, EnablementRow | null>(async (keys) => {
    const pairs = keys.map((k) => k.split('|') as [string, string]);
    const rows = await prisma.moduleEnablement.findMany({
      where: { eventId: { in: uuidsOnly(pairs.map((p) => p[0])) }, installation: { moduleKey: { in: [...new Set(pairs.map((p) => p[1]))] } } },
      select: { id: true, occasionId: true, eventId: true, installationId: true, config: true, installation: { select: { moduleKey: true } } },
    });
    return pairs.map(([eventId, key]) => rows.find((r) => r.eventId === eventId && r.installation.moduleKey === key) ?? null);
  });
  const installations = new DataLoader<string, { id: string; config: unknown } | null>(async (keys) => {
    const pairs = keys.map((k) => k.split('|') as [string, string]);
    const rows = await prisma.moduleInstallation.findMany({
      where: { occasionId: { in: uuidsOnly(pairs.map((p) => p[0])) }, moduleKey: { in: [...new Set(pairs.map((p) => p[1]))] } },
      select: { id: true, occasionId: true, moduleKey: true, config: true },
    });
    return pairs.map(([occasionId, key]) => rows.find((r) => r.occasionId === occasionId && r.moduleKey === key) ?? null);
  });
  return {
    /** The module's enablement on an event, or null where it is not enabled. */
    enablement: (eventId: string, moduleKey: string) => enablements.load(`${eventId}|${moduleKey}`),
    /** The module's installation on an occasion, or null. */
    installation: (occasionId: string, moduleKey: string) => installations.load(`${occasionId}|${moduleKey}`),
  };
}
export type ModuleLoaders = ReturnType<typeof createModuleLoaders>;
