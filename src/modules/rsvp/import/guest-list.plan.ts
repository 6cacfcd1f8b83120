import { randomUUID } from 'node:crypto';
import type { Prisma, Tx } from '../../../platform/db/client.js';
import { requireRsvpInstallation, defaultPlusOnes, type NewInvitationRow } from '../invitations/rsvp.invitations.service.js';
import { PLUS_ONE_RELATIONSHIP } from '../invitations/rsvp.unit.js';
import { type GuestListColumn, type GuestRow, matchKey, type RowIssue, tidy } from './guest-list.parse.js';

/**
 * Matches parsed rows against what the occasion already has and works out
 * every write, without writing: the dry run reports this plan, the apply
 * carries it out. Re-importing the same file plans nothing, because every
 * comparison here is against the rows the last import wrote.
 *
 * Matching: households by name (case, spacing and Unicode composition
 * ignored) among the occasion's households; members by name within their
 * household; someone invited alone by name among people who belong to no
 * household, team or vendor, have no account or grant and are not a guest's
 * plus-one. Two existing matches for one name are reported, not guessed.
 */

export interface ImportCounts {
  created: number;
  updated: number;
  unchanged: number;
}

type Role = GuestRow['role'];

export interface GuestListPlan {
  newTags: { id: string; name: string }[];
  /** Households and people, each with an id chosen here so later rows can refer to it. */
  newActors: { id: string; kind: 'HOUSEHOLD' | 'PERSON'; displayName: string; email: string | null; phone: string | null }[];
  newMemberships: { groupActorId: string; memberActorId: string; role: Role }[];
  newActorTags: { actorId: string; tagId: string }[];
  emailUpdates: { id: string; email: string }[];
  phoneUpdates: { id: string; phone: string }[];
  roleUpdates: { membershipId: string; role: Role }[];
  newInvitations: NewInvitationRow[];
  extendedInvitations: { invitationId: string; unitActorId: string; invitedEventIds: string[]; addEventIds: string[] }[];
  plusOnesAllowed: number;
  /** actor.created: new households and people invited alone (a household's new members come with it, as in createActor). */
  createdUnits: { actorId: string; kind: 'HOUSEHOLD' | 'PERSON' }[];
  /** actor.updated: what changed on existing actors (a household whose members changed lists "members"). */
  updatedActors: { actorId: string; changed: string[] }[];
  counts: { households: ImportCounts; people: ImportCounts; tags: ImportCounts; invitations: ImportCounts };
}

export const hasChanges = (p: GuestListPlan) =>
  p.newTags.length +
    p.newActors.length +
    p.newMemberships.length +
    p.newActorTags.length +
    p.emailUpdates.length +
    p.phoneUpdates.length +
    p.roleUpdates.length +
    p.newInvitations.length +
    p.extendedInvitations.length >
  0;

/** Membership order of a unit, as invitations pick their primary actor: heads first, children last. */
const ROLE_RANK: Record<Role, number> = { HEAD: 0, MEMBER: 1, PLUS_ONE: 2, CHILD: 3 };

const zero = (): ImportCounts => ({ created: 0, updated: 0, unchanged: 0 });

const groupBy = <T>(xs: T[], key: (x: T) => string) => {
  const m = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    const group = m.get(k);
    if (group) group.push(x);
    else m.set(k, [x]);
  }
  return m;
};

async function loadOccasion(db: Prisma | Tx, occasionId: string) {
  const installation = await requireRsvpInstallation(db, occasionId);
  // Flat reads joined here: one nested read of households → members → people → tags takes seconds for thousands of guests.
  const [events, households, memberships, alone, tags, actorTags] = await Promise.all([
    db.event.findMany({
      where: { occasionId },
      select: { id: true, name: true, enablements: { where: { installation: { moduleKey: 'rsvp' } }, select: { id: true } } },
      orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
    }),
    db.actor.findMany({
      where: { occasionId, kind: 'HOUSEHOLD' },
      orderBy: { createdAt: 'asc' },
      select: { id: true, displayName: true, rsvpUnitOf: { select: { id: true, invitedEventIds: true } } },
    }),
    db.membership.findMany({
      where: { occasionId, group: { kind: 'HOUSEHOLD' }, member: { kind: 'PERSON' } },
      orderBy: [{ role: 'asc' }, { createdAt: 'asc' }],
      select: { id: true, role: true, groupActorId: true, member: { select: { id: true, displayName: true, email: true, phone: true } } },
    }),
    db.actor.findMany({
      where: {
        occasionId,
        kind: 'PERSON',
        userId: null,
        grants: { none: {} },
        memberOf: { none: { group: { kind: { in: ['HOUSEHOLD', 'TEAM', 'VENDOR'] } } } },
        relationsTo: { none: { kind: PLUS_ONE_RELATIONSHIP } },
      },
      orderBy: { createdAt: 'asc' },
      select: { id: true, displayName: true, email: true, phone: true, rsvpUnitOf: { select: { id: true, invitedEventIds: true } } },
    }),
    db.tag.findMany({ where: { occasionId }, select: { id: true, name: true }, orderBy: { createdAt: 'asc' } }),
    db.actorTag.findMany({ where: { tag: { occasionId } }, select: { actorId: true, tagId: true } }),
  ]);
  const tagsOf = groupBy(actorTags, (t) => t.actorId);
  const withTags = <P extends { id: string }>(p: P) => ({ ...p, tags: tagsOf.get(p.id) ?? [] });
  const membersOf = groupBy(memberships, (m) => m.groupActorId);
  return {
    installation,
    events,
    households: households.map((h) => ({ ...h, members: (membersOf.get(h.id) ?? []).map((m) => ({ ...m, member: withTags(m.member) })) })),
    alone: alone.map(withTags),
    tags,
  };
}

/**
 * Phases: load what the occasion has → check the rows (events they name,
 * names that match more than one existing household or person) → decide each
 * unit's writes, rows with a problem left out → count. Issues are reported by
 * line, in the order found within a line.
 */
export async function planGuestList(db: Prisma | Tx, occasionId: string, rows: GuestRow[]): Promise<{ plan: GuestListPlan; issues: RowIssue[] }> {
  const existing = await loadOccasion(db, occasionId);
  const issues = issueList();
  const eventIdsOf = resolveEvents(existing.events, rows, issues.flag);
  const matches: ExistingByName = {
    households: groupBy(existing.households, (h) => matchKey(h.displayName)),
    alone: groupBy(existing.alone, (p) => matchKey(p.displayName)),
  };
  flagAmbiguousNames(rows, matches, issues.flag);

  const plan = emptyPlan(defaultPlusOnes(existing.installation));
  const tags = tagResolver(existing.tags, plan);
  const draft: Draft = { plan, tagIdOf: tags.idOf };
  const eventsOfRows = (rs: GuestRow[]) => [...new Set(rs.flatMap((r) => eventIdsOf.get(r.line) ?? []))];
  // Units in file order: each household with all its rows, each person invited alone.
  const good = rows.filter((r) => !issues.bad.has(r.line));
  for (const uRows of groupBy(good, (r) => (r.householdKey ? `h:${r.householdKey}` : `p:${r.nameKey}`)).values()) {
    if (uRows[0]!.householdKey) planHousehold(draft, uRows, matches.households.get(uRows[0]!.householdKey)?.[0], eventsOfRows(uRows));
    else planAlone(draft, uRows, matches.alone.get(uRows[0]!.nameKey)?.[0], eventsOfRows(uRows));
  }
  plan.counts.tags.created = plan.newTags.length;
  plan.counts.tags.unchanged = tags.usedExisting.size;
  return { plan, issues: issues.sorted() };
}

type Existing = Awaited<ReturnType<typeof loadOccasion>>;
type ExistingHousehold = Existing['households'][number];
type ExistingAlone = Existing['alone'][number];
type Flag = (line: number, column: GuestListColumn | null, message: string) => void;
interface ExistingByName {
  households: Map<string, ExistingHousehold[]>;
  alone: Map<string, ExistingAlone[]>;
}
/** The plan being built, and the tag lookup that adds to it. */
interface Draft {
  plan: GuestListPlan;
  tagIdOf: (name: string) => string;
}

/** Every problem found, and the lines that have one: those rows are left out of the plan (a dry run still plans the rest). */
function issueList() {
  const issues: RowIssue[] = [];
  const bad = new Set<number>();
  const flag: Flag = (line, column, message) => {
    issues.push({ line, column, message });
    bad.add(line);
  };
  // Stable: a line's issues stay in the order they were found.
  return { flag, bad, sorted: () => issues.sort((a, b) => a.line - b.line) };
}

/** Events by exact name; a name two events share cannot say which one is meant. Returns each row's event ids (line → ids). */
function resolveEvents(events: Existing['events'], rows: GuestRow[], flag: Flag): Map<number, string[]> {
  const eventsByName = groupBy(events, (e) => tidy(e.name));
  const eventIdsOf = new Map<number, string[]>();
  for (const row of rows) {
    const ids: string[] = [];
    for (const name of row.events) {
      const found = eventsByName.get(name) ?? [];
      if (found.length > 1) flag(row.line, 'events', `Two events are named “${name}”; rename one so the import knows which is meant.`);
      else if (!found.length) {
        const near = events.find((e) => matchKey(e.name) === matchKey(name));
        flag(
          row.line,
          'events',
          near ? `No event named “${name}”. Did you mean “${tidy(near.name)}”?` : `No event named “${name}” in this occasion.`,
        );
      } else if (!found[0]!.enablements.length) flag(row.line, 'events', `RSVP is not enabled on “${name}”; enable it there first.`);
      else ids.push(found[0]!.id);
    }
    eventIdsOf.set(row.line, ids);
  }
  return eventIdsOf;
}

/**
 * Existing households and people invited alone, by name: when a name matches
 * more than one, the import cannot tell which is meant, so it is reported on
 * every row it would touch rather than guessed.
 */
function flagAmbiguousNames(rows: GuestRow[], matches: ExistingByName, flag: Flag): void {
  const fileHouseholds = groupBy(
    rows.filter((r) => r.householdKey),
    (r) => r.householdKey!,
  );
  for (const [key, hRows] of fileHouseholds) {
    const found = matches.households.get(key) ?? [];
    if (found.length > 1) {
      for (const r of hRows) flag(r.line, 'household', `${found.length} existing households are named “${r.household}”; rename all but one first.`);
      continue;
    }
    const membersByKey = groupBy(found[0]?.members ?? [], (m) => matchKey(m.member.displayName));
    for (const r of hRows) {
      const n = membersByKey.get(r.nameKey)?.length ?? 0;
      if (n > 1) flag(r.line, 'name', `Household “${r.household}” already has ${n} people named “${r.name}”; rename all but one first.`);
    }
  }
  for (const r of rows) {
    const n = r.householdKey ? 0 : (matches.alone.get(r.nameKey)?.length ?? 0);
    if (n > 1) flag(r.line, 'name', `${n} people invited alone are already named “${r.name}”; rename all but one first.`);
  }
}

function emptyPlan(plusOnesAllowed: number): GuestListPlan {
  return {
    newTags: [],
    newActors: [],
    newMemberships: [],
    newActorTags: [],
    emailUpdates: [],
    phoneUpdates: [],
    roleUpdates: [],
    newInvitations: [],
    extendedInvitations: [],
    plusOnesAllowed,
    createdUnits: [],
    updatedActors: [],
    counts: { households: zero(), people: zero(), tags: zero(), invitations: zero() },
  };
}

/**
 * Tags: existing ones by name in any case; a new one is created once, spelled
 * as first written. Remembers which existing tags the file used (counted as unchanged).
 */
function tagResolver(existing: { id: string; name: string }[], plan: GuestListPlan) {
  const tagByKey = new Map<string, string>();
  for (const t of existing) if (!tagByKey.has(t.name.toLowerCase())) tagByKey.set(t.name.toLowerCase(), t.id);
  const usedExisting = new Set<string>();
  const created = new Set<string>();
  const idOf = (name: string) => {
    const key = name.toLowerCase();
    let id = tagByKey.get(key);
    if (!id) {
      id = randomUUID();
      tagByKey.set(key, id);
      plan.newTags.push({ id, name });
      created.add(id);
    } else if (!created.has(id)) usedExisting.add(id);
    return id;
  };
  return { idOf, usedExisting };
}

/** One person: created, or compared with what they have; returns their actor id and what changed. */
function planPerson(
  { plan, tagIdOf }: Draft,
  row: GuestRow,
  found: { id: string; email: string | null; phone: string | null; tags: { tagId: string }[] } | undefined,
) {
  const tagIds = row.tags.map(tagIdOf);
  if (!found) {
    const id = randomUUID();
    plan.newActors.push({ id, kind: 'PERSON', displayName: row.name, email: row.email, phone: row.phone });
    for (const tagId of tagIds) plan.newActorTags.push({ actorId: id, tagId });
    plan.counts.people.created++;
    return { id, changed: [] as string[], created: true };
  }
  const changed: string[] = [];
  // An empty cell leaves what the person has: the import adds and corrects, it never erases.
  if (row.email && row.email !== found.email) {
    plan.emailUpdates.push({ id: found.id, email: row.email });
    changed.push('email');
  }
  if (row.phone && row.phone !== found.phone) {
    plan.phoneUpdates.push({ id: found.id, phone: row.phone });
    changed.push('phone');
  }
  const has = new Set(found.tags.map((t) => t.tagId));
  const missing = tagIds.filter((t) => !has.has(t));
  if (missing.length) {
    for (const tagId of missing) plan.newActorTags.push({ actorId: found.id, tagId });
    changed.push('tagIds');
  }
  if (changed.length) plan.updatedActors.push({ actorId: found.id, changed });
  return { id: found.id, changed, created: false };
}

/** The unit's invitation: created when it has none, extended by events it lacks (never narrowed: the import only adds). */
function planInvitation(
  { plan }: Draft,
  unit: { actorId: string; scope: 'ACTOR' | 'HOUSEHOLD'; primaryActorId: string | undefined },
  eventIds: string[],
  current?: { id: string; invitedEventIds: string[] },
) {
  if (!eventIds.length) return;
  if (current) {
    const add = eventIds.filter((e) => !current.invitedEventIds.includes(e));
    if (add.length) {
      plan.extendedInvitations.push({
        invitationId: current.id,
        unitActorId: unit.actorId,
        invitedEventIds: current.invitedEventIds,
        addEventIds: add,
      });
      plan.counts.invitations.updated++;
    } else plan.counts.invitations.unchanged++;
    return;
  }
  if (!unit.primaryActorId) return;
  plan.newInvitations.push({ unitActorId: unit.actorId, primaryActorId: unit.primaryActorId, responseScope: unit.scope, eventIds });
  plan.counts.invitations.created++;
}

/** Someone invited alone: their first row is the person (later rows only add events), invited as themselves. */
function planAlone(draft: Draft, uRows: GuestRow[], found: ExistingAlone | undefined, eventIds: string[]) {
  const { plan } = draft;
  const p = planPerson(draft, uRows[0]!, found);
  if (p.created) plan.createdUnits.push({ actorId: p.id, kind: 'PERSON' });
  else if (p.changed.length) plan.counts.people.updated++;
  else plan.counts.people.unchanged++;
  planInvitation(draft, { actorId: p.id, scope: 'ACTOR', primaryActorId: p.id }, eventIds, found?.rsvpUnitOf[0]);
}

/** A household and its rows: created or matched, members added or updated, then its invitation, addressed to its first member by role. */
function planHousehold(draft: Draft, uRows: GuestRow[], found: ExistingHousehold | undefined, eventIds: string[]) {
  const { plan } = draft;
  const first = uRows[0]!;
  const householdId = found?.id ?? randomUUID();
  if (!found) {
    plan.newActors.push({ id: householdId, kind: 'HOUSEHOLD', displayName: first.household!, email: null, phone: null });
    plan.createdUnits.push({ actorId: householdId, kind: 'HOUSEHOLD' });
    plan.counts.households.created++;
  }
  const { roster, membersChanged } = planMembers(draft, householdId, uRows, found?.members ?? []);
  if (found) {
    if (membersChanged) {
      plan.updatedActors.push({ actorId: householdId, changed: ['members'] });
      plan.counts.households.updated++;
    } else plan.counts.households.unchanged++;
  }
  roster.sort((a, b) => ROLE_RANK[a.role] - ROLE_RANK[b.role] || a.order - b.order);
  planInvitation(draft, { actorId: householdId, scope: 'HOUSEHOLD', primaryActorId: roster[0]?.id }, eventIds, found?.rsvpUnitOf[0]);
}

/**
 * A household's rows against its members: new people join it, a role given
 * and different is updated. Returns everyone in the household after the
 * import, in membership order (to pick a new invitation's primary actor), and
 * whether its membership changed.
 */
function planMembers(draft: Draft, householdId: string, uRows: GuestRow[], members: ExistingHousehold['members']) {
  const { plan } = draft;
  const membersByKey = new Map(members.map((m) => [matchKey(m.member.displayName), m]));
  const roster: { id: string; role: Role; order: number }[] = members.map((m, i) => ({ id: m.member.id, role: m.role, order: i }));
  let membersChanged = false;
  for (const row of uRows) {
    const m = membersByKey.get(row.nameKey);
    const p = planPerson(draft, row, m?.member);
    if (!m) {
      plan.newMemberships.push({ groupActorId: householdId, memberActorId: p.id, role: row.role });
      roster.push({ id: p.id, role: row.role, order: roster.length });
      membersChanged = true;
      continue;
    }
    const roleChanged = row.roleGiven && row.role !== m.role;
    if (roleChanged) {
      plan.roleUpdates.push({ membershipId: m.id, role: row.role });
      const r = roster.find((x) => x.id === p.id);
      if (r) r.role = row.role;
      membersChanged = true;
    }
    if (p.changed.length || roleChanged) plan.counts.people.updated++;
    else plan.counts.people.unchanged++;
  }
  return { roster, membersChanged };
}
