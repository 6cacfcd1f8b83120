import { createHash, randomUUID } from 'node:crypto';
import { actorCreated, actorUpdated } from '../../../domains/actors/actors.business-events.js';
import { recordAudit } from '../../../platform/audit.js';
import { bulkInsert } from '../../../platform/db/bulk-insert.js';
import type { Prisma, Tx } from '../../../platform/db/client.js';
import { ValidationError } from '../../../platform/errors.js';
import { recordBusinessEvents } from '../../../platform/outbox.js';
import type { Caller } from '../../../platform/principal.js';
import { extendRsvpInvitations, insertRsvpInvitations } from '../invitations/rsvp.invitations.service.js';
import { decodeGuestList, type DecodedFile, parseGuestList, type RowIssue } from './guest-list.parse.js';
import { type GuestListPlan, hasChanges, planGuestList } from './guest-list.plan.js';

export interface GuestListFile {
  csv?: string | null;
  csvBase64?: string | null;
}

export interface GuestListImportResult {
  dryRun: boolean;
  /** Whether anything was written: false for a dry run, and for an apply that found nothing to change. */
  applied: boolean;
  rows: number;
  counts: GuestListPlan['counts'];
  issues: RowIssue[];
}

async function readAndPlan(db: Prisma | Tx, occasionId: string, file: DecodedFile) {
  const parsed = parseGuestList(file);
  const { plan, issues } = await planGuestList(db, occasionId, parsed.rows);
  return { parsed, plan, issues: [...parsed.issues, ...issues].sort((a, b) => a.line - b.line) };
}

/** What an apply would do, and every problem of every row; writes nothing (reads outside a transaction). */
export async function previewGuestList(db: Prisma | Tx, occasionId: string, input: GuestListFile): Promise<GuestListImportResult> {
  const { parsed, plan, issues } = await readAndPlan(db, occasionId, decodeGuestList(input));
  return { dryRun: true, applied: false, rows: parsed.rowCount, counts: plan.counts, issues };
}

/** Line issues as the apply's ValidationError: all of them, each at input.<field>.line.<n>[.<column>]. */
function rowsError(source: DecodedFile['source'], issues: RowIssue[]) {
  const lines = new Set(issues.map((i) => i.line)).size;
  const shown = issues
    .slice(0, 5)
    .map((i) => `line ${i.line}${i.column ? ` (${i.column})` : ''}: ${i.message}`)
    .join('; ');
  return new ValidationError(
    `${lines} row${lines === 1 ? ' has' : 's have'} problems; nothing was imported. ${shown}${issues.length > 5 ? '; …' : ''}`,
    issues.map((i) => ({ path: `input.${source}.line.${i.line}${i.column ? `.${i.column}` : ''}`, message: i.message })),
  );
}

/** Outbox rows per recordBusinessEvents call (one createMany, a parameter per cell): well under PostgreSQL's 65,535 bind parameters. */
const BATCH = 1000;
async function inBatches<T>(xs: T[], write: (batch: T[]) => Promise<unknown>) {
  for (let i = 0; i < xs.length; i += BATCH) await write(xs.slice(i, i + BATCH));
}

/**
 * Imports the guest list in the caller's transaction: all of it or, when any
 * row has a problem, nothing (a ValidationError listing every problem). Set
 * based: one INSERT or UPDATE per table whatever the file's size (outbox rows
 * by the thousand), about 25 statements for 5,000 guests.
 *
 * Writes one audit row with the counts, actor.created for each new household
 * and person invited alone, actor.updated for each existing actor that
 * changed, and the events invitations normally emit. An apply that finds
 * nothing to change writes nothing at all, audit row included: re-importing
 * the same file is a no-op.
 */
export async function importGuestList(tx: Tx, caller: Caller, occasionId: string, input: GuestListFile): Promise<GuestListImportResult> {
  const file = decodeGuestList(input);
  // One import per occasion at a time: two running side by side would both create the same new household.
  // NO KEY UPDATE does not block other writers' foreign-key checks on the occasion.
  await tx.$queryRaw`SELECT id FROM occasions WHERE id = ${occasionId}::uuid FOR NO KEY UPDATE`;
  const { parsed, plan, issues } = await readAndPlan(tx, occasionId, file);
  if (issues.length) throw rowsError(file.source, issues);
  const result = { dryRun: false, applied: hasChanges(plan), rows: parsed.rowCount, counts: plan.counts, issues: [] };
  if (!result.applied) return result;

  await bulkInsert(
    tx,
    'tags',
    { id: 'uuid', occasion_id: 'uuid', name: 'text' },
    plan.newTags.map((t) => ({ ...t, occasion_id: occasionId })),
  );
  await bulkInsert(
    tx,
    'actors',
    { id: 'uuid', occasion_id: 'uuid', kind: '"ActorKind"', display_name: 'text', email: 'text', phone: 'text' },
    plan.newActors.map((a) => ({ id: a.id, occasion_id: occasionId, kind: a.kind, display_name: a.displayName, email: a.email, phone: a.phone })),
  );
  await bulkInsert(
    tx,
    'memberships',
    { id: 'uuid', occasion_id: 'uuid', group_actor_id: 'uuid', member_actor_id: 'uuid', role: '"MembershipRole"' },
    plan.newMemberships.map((m) => ({
      id: randomUUID(),
      occasion_id: occasionId,
      group_actor_id: m.groupActorId,
      member_actor_id: m.memberActorId,
      role: m.role,
    })),
  );
  await bulkInsert(
    tx,
    'actor_tags',
    { actor_id: 'uuid', tag_id: 'uuid' },
    plan.newActorTags.map((t) => ({ actor_id: t.actorId, tag_id: t.tagId })),
  );
  // One statement per column for any number of people: an UPDATE per person would be thousands of round trips.
  if (plan.emailUpdates.length) {
    const ids = plan.emailUpdates.map((u) => u.id);
    const emails = plan.emailUpdates.map((u) => u.email);
    await tx.$executeRaw`UPDATE actors AS a SET email = v.email, updated_at = now()
      FROM unnest(${ids}::uuid[], ${emails}::text[]) AS v(id, email) WHERE a.id = v.id AND a.occasion_id = ${occasionId}::uuid`;
  }
  if (plan.phoneUpdates.length) {
    const ids = plan.phoneUpdates.map((u) => u.id);
    const phones = plan.phoneUpdates.map((u) => u.phone);
    await tx.$executeRaw`UPDATE actors AS a SET phone = v.phone, updated_at = now()
      FROM unnest(${ids}::uuid[], ${phones}::text[]) AS v(id, phone) WHERE a.id = v.id AND a.occasion_id = ${occasionId}::uuid`;
  }
  for (const role of ['HEAD', 'MEMBER', 'PLUS_ONE', 'CHILD'] as const) {
    const ids = plan.roleUpdates.filter((u) => u.role === role).map((u) => u.membershipId);
    if (ids.length) await tx.membership.updateMany({ where: { id: { in: ids }, occasionId }, data: { role } });
  }
  const invitationIds = await insertRsvpInvitations(tx, caller, occasionId, plan.newInvitations, plan.plusOnesAllowed);
  await extendRsvpInvitations(tx, caller, occasionId, plan.extendedInvitations);

  await inBatches(plan.createdUnits, (b) =>
    recordBusinessEvents(
      tx,
      caller,
      actorCreated,
      b.map((u) => ({ payload: { occasionId, actorId: u.actorId, kind: u.kind }, occasionId })),
    ),
  );
  await inBatches(plan.updatedActors, (b) =>
    recordBusinessEvents(
      tx,
      caller,
      actorUpdated,
      b.map((u) => ({ payload: { occasionId, actorId: u.actorId, changed: u.changed }, occasionId })),
    ),
  );
  await recordAudit(tx, caller, {
    action: 'rsvp:manage',
    occasionId,
    target: { type: 'Occasion', id: occasionId },
    after: {
      import: 'guest_list',
      // Which file it was, without keeping its contents (names and contact details) in the audit log.
      sha256: createHash('sha256').update(file.text).digest('hex'),
      bytes: file.bytes,
      rows: parsed.rowCount,
      ...plan.counts,
      invitationIds,
    },
  });
  return result;
}
