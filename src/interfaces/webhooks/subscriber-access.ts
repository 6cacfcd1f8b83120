import type { ActionRegistry } from '../../domains/permissions/actions.js';
import { Authorizer } from '../../domains/permissions/authorizer.js';
import { PLATFORM_TARGET, type Target } from '../../kit/authorization.js';
import type { Prisma, Tx } from '../../platform/db/client.js';
import type { EventResource } from '../../platform/outbox.js';
import type { Principal } from '../../platform/principal.js';
import type { CatalogEntry } from './event-catalog.js';

/*
 * May an integration receive a business event? The same engine and grants as
 * its API calls: the event type's required action on the event's target. A
 * module's business events (rsvp.*) are targeted at that module's enablement on the event (or
 * its installation when the event names no event), so a caterer holding
 * rsvp:view on one event's RSVP enablement receives that event's RSVPs only.
 */

/** The integration as a principal where it presented no credential: rendering its webhook payloads, applying its signed inbound webhooks. */
export function integrationPrincipal(integrationId: string, environment: string): Extract<Principal, { kind: 'integration' }> {
  return { kind: 'integration', integrationId, credentialId: null, environment: environment.toLowerCase() };
}

/** An outbox row's resource columns as the event's resource (null when it names none). */
export const resourceOf = (r: { resource_type: string | null; resource_id: string | null }): EventResource | null =>
  r.resource_type && r.resource_id ? { type: r.resource_type, id: r.resource_id } : null;

/**
 * Targets of business events, batched: one relay batch asks about many
 * business events of few (occasion) events and modules; each (event, module)
 * pair is read once.
 */
export class BusinessEventTargets {
  private readonly enablements = new Map<string, Promise<{ id: string; installationId: string } | null>>();
  private readonly installations = new Map<string, Promise<{ id: string } | null>>();

  constructor(private readonly db: Prisma | Tx) {}

  async of(
    entry: Pick<CatalogEntry, 'source'>,
    occasionId: string | null,
    eventId: string | null,
    resource: EventResource | null = null,
  ): Promise<Target> {
    const target = await this.scopeOf(entry, occasionId, eventId);
    return resource && occasionId ? { ...target, resource } : target;
  }

  private async scopeOf(entry: Pick<CatalogEntry, 'source'>, occasionId: string | null, eventId: string | null): Promise<Target> {
    if (!occasionId) return PLATFORM_TARGET;
    if (entry.source === 'core') return eventId ? { occasionId, eventId } : { occasionId };
    if (eventId) {
      const key = `${eventId}|${entry.source}`;
      if (!this.enablements.has(key)) {
        this.enablements.set(
          key,
          this.db.moduleEnablement.findFirst({
            where: { eventId, installation: { moduleKey: entry.source } },
            select: { id: true, installationId: true },
          }),
        );
      }
      const en = await this.enablements.get(key)!;
      return en ? { occasionId, eventId, installationId: en.installationId, enablementId: en.id } : { occasionId, eventId };
    }
    const key = `${occasionId}|${entry.source}`;
    if (!this.installations.has(key)) {
      this.installations.set(key, this.db.moduleInstallation.findFirst({ where: { occasionId, moduleKey: entry.source }, select: { id: true } }));
    }
    const inst = await this.installations.get(key)!;
    return inst ? { occasionId, installationId: inst.id } : { occasionId };
  }
}

/**
 * One Authorizer per integration, reused across a batch (grants are loaded once
 * per occasion). `db` may be an open transaction: on single-connection PGlite
 * every read of the relay's transaction must go through it.
 */
export class SubscriberAccess {
  private readonly authorizers = new Map<string, Authorizer>();
  readonly targets: BusinessEventTargets;

  constructor(
    private readonly db: Prisma | Tx,
    private readonly actions: ActionRegistry,
  ) {
    this.targets = new BusinessEventTargets(db);
  }

  authorizer(integrationId: string, environment: string): Authorizer {
    let a = this.authorizers.get(integrationId);
    if (!a) {
      a = new Authorizer(this.db as Prisma, integrationPrincipal(integrationId, environment), this.actions);
      this.authorizers.set(integrationId, a);
    }
    return a;
  }

  async allowed(
    integration: { id: string; environment: string },
    entry: Pick<CatalogEntry, 'source' | 'anyOfActions'>,
    occasionId: string | null,
    eventId: string | null,
    resource: EventResource | null = null,
  ): Promise<boolean> {
    const target = await this.targets.of(entry, occasionId, eventId, resource);
    const authz = this.authorizer(integration.id, integration.environment);
    for (const action of entry.anyOfActions) if (await authz.can(action, target)) return true;
    return false;
  }
}
