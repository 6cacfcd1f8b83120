import DataLoader from 'dataloader';
import type { Prisma as P } from '../../generated/prisma/client.js';
import type { Prisma, Tx } from '../../platform/db/client.js';
import { forbidden, notFound, unauthenticated } from '../../platform/errors.js';
import type { ActionRegistry } from './actions.js';
import { decide, type Decision, grantActions, grantIsLive, type GrantRow, scopeCovers, withinEvents } from './grant-match.js';
import { isPlatformOperator } from '../../platform/operators.js';
import type { Principal } from '../../platform/principal.js';
import { isPlatformTarget, PLATFORM_OCCASION_ID, type Target } from '../../kit/authorization.js';
import { hiddenEventIds, NO_PRIVATE_EVENTS, type PrivateEvents, privateEventRefusal, privateEventsOf } from './private-events.js';

declare module '../../kit/authorization.js' {
  /** The kit asks for check/within/clear; domains and modules use the engine's whole API. */
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- declaration merging adds the engine's members to the kit's port
  interface Authorization extends AuthorizerApi {}
}
declare module '../../kit/context.js' {
  interface AppServices {
    /** Core and module actions and roles (src/modules/registry.ts). */
    actions: ActionRegistry;
  }
}
type AuthorizerApi = Pick<Authorizer, keyof Authorizer>;

const GRANT_SELECT = {
  id: true,
  occasionId: true,
  role: true,
  actions: true,
  scopeType: true,
  scopeEventId: true,
  scopeInstallationId: true,
  scopeEnablementId: true,
  resourceType: true,
  resourceId: true,
  expiresAt: true,
  revokedAt: true,
} as const;

/** The occasion's private events with their enablements, joined into the grants statement (private-events.ts). */
const PRIVATE_EVENTS = { events: { where: { visibility: 'PRIVATE' }, select: { id: true, enablements: { select: { id: true } } } } } as const;

/**
 * Actors matching `where`, each with the live-or-expired (not revoked) grants it
 * holds directly or through a team or group it belongs to (a grant to a team
 * applies to its members). One SQL statement with relation joins: this runs on
 * every authenticated request. Expiry is checked at decision time.
 */
export async function actorsWithGrants(db: Prisma | Tx, where: { userId?: string; occasionId?: { in: string[] }; id?: { in: string[] } }) {
  return (await db.actor.findMany({ where, select: ACTOR_STANDING_SELECT })).map(actorStanding);
}

const LIVE_GRANTS = { where: { revokedAt: null }, select: GRANT_SELECT } as const;

/** An actor with everything a decision in its occasion needs (its grants, its teams' grants, the private events). */
const ACTOR_STANDING_SELECT = {
  id: true,
  occasionId: true,
  grants: LIVE_GRANTS,
  memberOf: { select: { group: { select: { grants: LIVE_GRANTS } } } },
  occasion: { select: PRIVATE_EVENTS },
} as const;

type ActorStandingRow = P.ActorGetPayload<{ select: typeof ACTOR_STANDING_SELECT }>;

function actorStanding(a: ActorStandingRow) {
  return {
    actorId: a.id,
    occasionId: a.occasionId,
    grants: [...a.grants, ...a.memberOf.flatMap((m) => m.group.grants)] as GrantRow[],
    privateEvents: privateEventsOf(a.occasion.events),
  };
}

/**
 * How many occasions' standings authentication reads along with the user row. Most users take
 * part in a few occasions: for them the one statement that checks the token also holds every
 * grant the request can need. A user in more (a vendor over years) gets the newest ones and the
 * rest load on demand.
 */
export const PRELOADED_OCCASIONS = 25;

/**
 * The `actors` selection authentication adds to its user read (context-factory.ts): the user's
 * standing in their newest occasions, one more than PRELOADED_OCCASIONS so a full list is known.
 */
export const USER_STANDINGS_SELECT = {
  select: ACTOR_STANDING_SELECT,
  orderBy: { createdAt: 'desc' },
  take: PRELOADED_OCCASIONS + 1,
} as const;

/** What authentication read of the caller's standing, handed to the request's Authorizer. */
export interface PreloadedStandings {
  actors: ActorStandingRow[];
}

const SELF_ACTIONS = new Set(['actor:read', 'actor:read_contact']);

/**
 * `decide` plus the one implicit right: everyone who takes part (holds any live
 * grant) may read their own actor (name, contact), whatever else they hold.
 */
export function decideAsActor(
  actorId: string | null,
  grants: GrantRow[],
  action: string,
  target: Target,
  registry: ActionRegistry,
  now = new Date(),
): Decision {
  if (SELF_ACTIONS.has(action) && actorId && target.resource?.type === 'Actor' && target.resource.id === actorId) {
    const live = grants.find((g) => grantIsLive(g, now));
    if (live) return { allowed: true, grant: live };
  }
  return decide(grants, action, target, registry, now);
}

/** A grant that exists only in memory (system principals, platform operators): PLATFORM scope, explicit actions. */
function syntheticPlatformGrant(id: string, actions: readonly string[]): GrantRow {
  return {
    id,
    occasionId: null,
    role: null,
    actions: [...actions],
    scopeType: 'PLATFORM',
    scopeEventId: null,
    scopeInstallationId: null,
    scopeEnablementId: null,
    resourceType: null,
    resourceId: null,
    expiresAt: null,
    revokedAt: null,
  };
}

/** What a platform operator may do: manage integration records, nothing inside occasions. */
export const OPERATOR_ACTIONS = ['integration:read', 'integration:manage'] as const;

/** A Prisma filter on events, valid under any occasion (see Authorizer.eventsWhere). */
export interface EventsWhere {
  OR: ({ occasionId: { in: string[] }; id?: { notIn: string[] } } | { id: { in: string[] } })[];
}

interface Standing {
  /** The principal's own actor in the occasion (users only). */
  actorId: string | null;
  grants: GrantRow[];
  privateEvents: PrivateEvents;
  /** Integrations: the events their connection to the occasion is limited to (see withinEvents). */
  eventLimit?: string[] | null;
}

const NO_STANDING: Standing = { actorId: null, grants: [], privateEvents: NO_PRIVATE_EVENTS };

/**
 * The whole decision on one standing: the private-event gate, the grant match, then an integration's
 * event limit (a limit narrows what grants allow, never widens it).
 */
export function decideInOccasion(s: Standing, action: string, target: Target, registry: ActionRegistry, now = new Date()): Decision {
  const d =
    privateEventRefusal(s.grants, target, s.privateEvents, registry, now) ?? decideAsActor(s.actorId, s.grants, action, target, registry, now);
  if (!d.allowed || withinEvents(s.eventLimit, target)) return d;
  return { allowed: false, reason: 'NO_MATCHING_GRANT', detail: 'Outside the events this integration’s connection is limited to.' };
}

/**
 * The one permission engine: `can(principal, action, target)`, deny by default.
 * One instance per request; each occasion's grants are loaded once (batched
 * across occasions) and every decision after that is in memory.
 */
export class Authorizer {
  private readonly standing: DataLoader<string, Standing>;
  /** Standings already loaded, so the many per-object checks of a response decide without a promise. */
  private readonly settled = new Map<string, Standing>();

  /** The most recent refusal by assert(), for the DENIED audit row of a mutation. */
  lastDenial: { action: string; target: Target; reason: string; detail: string } | null = null;

  /**
   * The first check made since it was last reset: for a mutation, its own rule
   * (what it is and which occasion it is in), for its FAILED audit row.
   */
  firstCheck: { action: string; target: Target } | null = null;

  /** Reads go through the open transaction while a write runs (see within). */
  private db: Prisma | Tx;

  /**
   * Every occasion the caller takes part in is settled (a user's standings, all read with the token):
   * an occasion not in `settled` is one where they hold nothing, decided without a query.
   */
  private knowsAll = false;

  constructor(
    prisma: Prisma,
    readonly principal: Principal,
    private readonly registry: ActionRegistry,
    preloaded?: PreloadedStandings,
  ) {
    this.db = prisma;
    this.standing = new DataLoader(async (ids) => {
      const loaded = await this.load(ids);
      ids.forEach((id, i) => this.settled.set(id, loaded[i]!));
      return loaded;
    });
    // One row past PRELOADED_OCCASIONS says the list was cut: its standings are right, the rest unknown.
    if (preloaded && principal.kind === 'user') this.settleUser(preloaded.actors.map(actorStanding), preloaded.actors.length <= PRELOADED_OCCASIONS);
  }

  /** Keeps a user's standings (from the token's read or a full load); `all` when no occasion of theirs is missing. */
  private settleUser(actors: ReturnType<typeof actorStanding>[], all: boolean): void {
    for (const { occasionId, ...standing } of actors) {
      this.settled.set(occasionId, standing);
      this.standing.prime(occasionId, standing);
    }
    this.knowsAll = all;
  }

  /** The standing in an occasion if known without a query: settled, or none at all when every standing is known. */
  private known(occasionId: string): Standing | undefined {
    const s = this.settled.get(occasionId);
    if (s || !this.knowsAll) return s;
    const none = occasionId === PLATFORM_OCCASION_ID ? this.platformStanding() : NO_STANDING;
    this.settled.set(occasionId, none);
    return none;
  }

  private platformStanding(): Standing {
    const p = this.principal;
    // The operator grant is PLATFORM-scoped but shown only at the platform target: in an occasion it would
    // add no action and would give operators standing there (FORBIDDEN instead of NOT_FOUND: an existence oracle).
    const operator = p.kind === 'user' && isPlatformOperator(p.email) ? [syntheticPlatformGrant(`operator:${p.userId}`, OPERATOR_ACTIONS)] : [];
    return { actorId: null, grants: operator, privateEvents: NO_PRIVATE_EVENTS };
  }

  /**
   * Runs fn with grant reads going through tx: a decision made during a write
   * sees the write's own rows, and (on single-connection PGlite) never waits
   * on a second connection the open transaction is holding.
   */
  async within<T>(tx: Tx, fn: () => Promise<T>): Promise<T> {
    const prev = this.db;
    this.db = tx;
    this.settled.clear();
    // A write may add the caller to an occasion: from now on, what is not settled is loaded.
    this.knowsAll = false;
    try {
      return await fn();
    } finally {
      this.db = prev;
      this.settled.clear();
    }
  }

  private async load(occasionIds: readonly string[]): Promise<Standing[]> {
    const p = this.principal;
    const ids = [...occasionIds];
    if (p.kind === 'user') {
      const inOccasions = ids.filter((id) => id !== PLATFORM_OCCASION_ID);
      const actors = inOccasions.length ? await actorsWithGrants(this.db, { userId: p.userId, occasionId: { in: inOccasions } }) : [];
      return ids.map((oid) => {
        if (oid === PLATFORM_OCCASION_ID) return this.platformStanding();
        const a = actors.find((x) => x.occasionId === oid);
        return a ? { actorId: a.actorId, grants: a.grants, privateEvents: a.privateEvents } : NO_STANDING;
      });
    }
    if (p.kind === 'integration') {
      const rows = await this.db.grant.findMany({
        where: {
          subjectIntegrationId: p.integrationId,
          revokedAt: null,
          OR: [{ occasionId: { in: ids } }, { scopeType: 'PLATFORM' }],
        },
        // The occasion's private events and the integration's connection to it ride along in the same statement:
        // the connection's eventIds limit every grant there (an occasion without grants needs no limit: nothing is
        // allowed in it anyway).
        select: {
          ...GRANT_SELECT,
          occasion: {
            select: { ...PRIVATE_EVENTS, integrationConnections: { where: { integrationId: p.integrationId }, select: { eventIds: true } } },
          },
        },
      });
      const grants = rows.map(({ occasion: _o, ...g }) => g);
      return ids.map((oid) => {
        const occasion = rows.find((g) => g.occasionId === oid)?.occasion;
        return {
          actorId: null,
          grants: grants.filter((g) => g.scopeType === 'PLATFORM' || g.occasionId === oid),
          privateEvents: occasion ? privateEventsOf(occasion.events) : NO_PRIVATE_EVENTS,
          eventLimit: occasion?.integrationConnections[0]?.eventIds ?? null,
        };
      });
    }
    if (p.kind === 'system') {
      const grant = syntheticPlatformGrant(`system:${p.reason}`, p.actions);
      return ids.map(() => ({ actorId: null, grants: [grant], privateEvents: NO_PRIVATE_EVENTS }));
    }
    return ids.map(() => ({ actorId: null, grants: [], privateEvents: NO_PRIVATE_EVENTS }));
  }

  private async standingIn(occasionId: string): Promise<Standing> {
    return this.known(occasionId) ?? (await this.standing.load(occasionId));
  }

  async grants(occasionId: string): Promise<GrantRow[]> {
    return (await this.standingIn(occasionId)).grants;
  }

  /** The caller's own actor in the occasion, or null. */
  async actorId(occasionId: string): Promise<string | null> {
    return (await this.standingIn(occasionId)).actorId;
  }

  /** Does the caller have any live access to this occasion at all? Without it, its rows do not exist for them. */
  async hasStanding(occasionId: string): Promise<boolean> {
    const now = new Date();
    return (await this.grants(occasionId)).some((g) => grantIsLive(g, now));
  }

  async decide(action: string, target: Target): Promise<Decision> {
    this.firstCheck ??= { action, target };
    if (this.principal.kind === 'anonymous') return { allowed: false, reason: 'UNAUTHENTICATED', detail: 'Not signed in.' };
    const standing = await this.standingIn(target.occasionId);
    return decideInOccasion(standing, action, target, this.registry);
  }

  /**
   * assert() for hot paths (scope-auth on every object of a response): true or a
   * thrown error, synchronously once the occasion's grants are loaded.
   */
  check(action: string, target: Target): true | Promise<true> {
    this.firstCheck ??= { action, target };
    const standing = this.principal.kind === 'anonymous' ? undefined : this.known(target.occasionId);
    if (!standing) return this.assert(action, target).then(() => true as const);
    const d = decideInOccasion(standing, action, target, this.registry);
    if (d.allowed) return true;
    this.refuse(action, target, d);
  }

  async can(action: string, target: Target): Promise<boolean> {
    return (await this.decide(action, target)).allowed;
  }

  /**
   * Throws unless allowed: UNAUTHENTICATED for anonymous callers, NOT_FOUND when the
   * caller has no access to the target's occasion (no existence leak), FORBIDDEN otherwise.
   */
  async assert(action: string, target: Target, what = 'Resource'): Promise<void> {
    const d = await this.decide(action, target);
    if (!d.allowed) this.refuse(action, target, d, what);
  }

  private refuse(action: string, target: Target, d: Exclude<Decision, { allowed: true }>, what = 'Resource'): never {
    this.lastDenial = { action, target, reason: d.reason, detail: d.detail };
    if (d.reason === 'UNAUTHENTICATED') throw unauthenticated();
    // Platform records hide no tenant: a non-operator is plainly refused, before any id is looked at.
    if (d.reason === 'NO_ACCESS_TO_OCCASION' && !isPlatformTarget(target)) throw notFound(what);
    // A private event the caller is not granted at does not exist for them: FORBIDDEN would confirm it does.
    if (d.reason === 'PRIVATE_EVENT') throw notFound(what);
    throw forbidden(`Missing permission ${action} for this ${what.toLowerCase()}.`);
  }

  /** A grant or invitation asked for actions the caller does not hold: FORBIDDEN, recorded like any refusal. */
  refuseEscalation(missing: string[], target: Target): never {
    const detail = `You cannot grant, move or revoke access you do not hold yourself: ${missing.join(', ')}.`;
    this.lastDenial = { action: missing[0]!, target, reason: 'ESCALATION', detail };
    throw forbidden(detail);
  }

  /**
   * The occasions where a user may `action` at occasion scope, for lists of
   * occasions. One statement loads the user's standing in every occasion they
   * take part in; it is kept, so checks on the listed occasions are in memory.
   */
  async occasionsAllowing(action: string): Promise<string[]> {
    const p = this.principal;
    if (p.kind !== 'user') return [];
    await this.settleAllOfUser();
    const out: string[] = [];
    for (const [occasionId, s] of this.settled) {
      if (occasionId === PLATFORM_OCCASION_ID) continue;
      if (decideAsActor(s.actorId, s.grants, action, { occasionId }, this.registry).allowed) out.push(occasionId);
    }
    return out;
  }

  /** A user's standing in every occasion they take part in: already known from the token's read, or one statement. */
  private async settleAllOfUser(): Promise<void> {
    const p = this.principal;
    if (p.kind !== 'user' || this.knowsAll) return;
    this.settleUser(await actorsWithGrants(this.db, { userId: p.userId }), true);
  }

  /**
   * A filter on event ids that lists put into the SQL of a relation read, planned with the
   * parent's query before the parent row (so its occasion) is known: the events the caller may
   * `action` on in every occasion whose standing is known, grouped into a few terms whatever the
   * number of occasions. Users' standings are all known (read with the token, or loaded here in
   * one statement), so an occasion left out is one where they hold nothing. Other principals'
   * are those the request has checked; every path to an occasion's lists checks the occasion
   * before planning them, and `assertPlanned` refuses a list planned otherwise rather than serve
   * it empty.
   */
  async eventsWhere(action: string): Promise<EventsWhere> {
    const wide: string[] = [];
    const hidden: string[] = [];
    const only: string[] = [];
    for (const occasionId of await this.planOccasions()) {
      const f = this.eventFilterNow(occasionId, action);
      if ('notIn' in f) {
        wide.push(occasionId);
        hidden.push(...f.notIn);
      } else only.push(...f.in);
    }
    // An empty OR matches nothing: no standing, no events.
    return {
      OR: [
        ...(wide.length ? [{ occasionId: { in: wide }, ...(hidden.length ? { id: { notIn: hidden } } : {}) }] : []),
        ...(only.length ? [{ id: { in: only } }] : []),
      ],
    };
  }

  /** Known occasions where the caller may `action` occasion-wide, for lists planned like eventsWhere's. */
  async plannedOccasionsAllowing(action: string): Promise<string[]> {
    const now = new Date();
    return (await this.planOccasions()).filter(
      (id) => decideInOccasion(this.settled.get(id)!, action, { occasionId: id }, this.registry, now).allowed,
    );
  }

  /** The occasions a plan can cover (see eventsWhere), noted for assertPlanned. */
  private async planOccasions(): Promise<string[]> {
    await this.settleAllOfUser();
    if (this.knowsAll) this.plannedKnowingAll = true;
    const ids = [...this.settled.keys()].filter((id) => id !== PLATFORM_OCCASION_ID);
    for (const id of ids) this.planned.add(id);
    return ids;
  }

  /** Occasions some plan covered, and whether one was made knowing every standing. */
  private readonly planned = new Set<string>();
  private plannedKnowingAll = false;

  /**
   * For a list that was loaded with its parent (planned by eventsWhere): throws if the plan
   * could not know the caller's standing in this occasion, instead of serving a list filtered
   * without it. A programming error, never the caller's: every path checks the occasion first.
   */
  assertPlanned(occasionId: string): void {
    if (this.plannedKnowingAll || this.planned.has(occasionId)) return;
    throw new Error(`A list in occasion ${occasionId} was planned before the caller's standing there was known.`);
  }

  /** Every action the caller holds at a scope covering the target (for `myPermissions`). */
  async actionsAt(target: Target): Promise<string[]> {
    const now = new Date();
    const out = new Set<string>();
    if (!withinEvents((await this.standingIn(target.occasionId)).eventLimit, target)) return [];
    for (const g of await this.grants(target.occasionId)) {
      if (grantIsLive(g, now) && scopeCovers(g, target)) for (const a of grantActions(g, this.registry)) out.add(a);
    }
    return [...out].sort();
  }

  /**
   * Which events of the occasion the caller may `action` on, as a filter on
   * event ids: every event but the private ones it is not granted at when a
   * grant covers the whole occasion, else the ids of event-scoped grants. Lists
   * filter by this in SQL so totalCount counts only what the caller may see.
   */
  async eventFilter(occasionId: string, action: string): Promise<{ in: string[] } | { notIn: string[] }> {
    await this.standingIn(occasionId);
    return this.eventFilterNow(occasionId, action);
  }

  private eventFilterNow(occasionId: string, action: string): { in: string[] } | { notIn: string[] } {
    const now = new Date();
    const ids: string[] = [];
    const s = this.known(occasionId) ?? NO_STANDING;
    const limit = s.eventLimit;
    for (const g of s.grants) {
      if (!grantIsLive(g, now) || !grantActions(g, this.registry).has(action)) continue;
      const hidden = () => hiddenEventIds(s.grants, s.privateEvents, this.registry);
      if (g.scopeType === 'PLATFORM' || g.scopeType === 'OCCASION') {
        // An integration's connection limit turns "every event" into "these events" (private ones still need a grant at them).
        if (!limit?.length) return { notIn: hidden() };
        const hiddenSet = new Set(hidden());
        return { in: limit.filter((id) => !hiddenSet.has(id)) };
      }
      // An event-scoped grant is a grant at that event, private or not.
      if (g.scopeType === 'EVENT' && g.scopeEventId) ids.push(g.scopeEventId);
    }
    return { in: limit?.length ? ids.filter((id) => limit.includes(id)) : ids };
  }

  /** The occasion's private events the caller is not granted at: SQL reads spanning events leave them out. */
  async hiddenEvents(occasionId: string): Promise<string[]> {
    const s = await this.standingIn(occasionId);
    return hiddenEventIds(s.grants, s.privateEvents, this.registry);
  }

  /** Rows of events (enablements, responses) without those in private events the caller is not granted at. */
  async withoutHiddenEvents<T extends { eventId: string }>(occasionId: string, rows: T[]): Promise<T[]> {
    const hidden = new Set(await this.hiddenEvents(occasionId));
    return hidden.size ? rows.filter((r) => !hidden.has(r.eventId)) : rows;
  }

  /** Forget cached grants (after this request changed them). */
  clear(occasionId?: string): void {
    // The change may have given the caller standing somewhere new.
    this.knowsAll = false;
    if (occasionId) this.settled.delete(occasionId);
    else this.settled.clear();
    if (occasionId) this.standing.clear(occasionId);
    else this.standing.clearAll();
  }
}
