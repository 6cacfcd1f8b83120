import { z } from 'zod';
import type { RsvpResponse } from '../../../generated/prisma/client.js';
import { recordAudit } from '../../../platform/audit.js';
import type { Tx } from '../../../platform/db/client.js';
import { notFound, ValidationError } from '../../../platform/errors.js';
import { type BusinessEventType, recordBusinessEvent } from '../../../platform/outbox.js';
import { actorIdOf, type Caller, principalId } from '../../../platform/principal.js';
import { parseInput } from '../../../platform/validation.js';
import { saveFormSubmission } from '../../forms/forms.answers.js';
import { RsvpClosedError } from '../rsvp.errors.js';
import { rsvpOverridden, rsvpSubmitted, rsvpUpdated } from '../rsvp.business-events.js';
import { deadlineOf, type RsvpEventConfig } from '../rsvp.targets.js';
import { type InvitationWithPeople, loadUnitPeople, PLUS_ONE_RELATIONSHIP, type UnitPerson } from '../invitations/rsvp.unit.js';

export const RSVP_STATUSES = ['PENDING', 'ATTENDING', 'DECLINED'] as const;
type Status = (typeof RSVP_STATUSES)[number];

const answer = z.object({
  fieldId: z.uuid(),
  actorId: z.uuid().nullish(),
  /** A plus-one named in this change (who has no id until it is saved): their per-person answer. */
  plusOne: z.string().trim().min(1).max(200).nullish(),
  value: z.unknown(),
});
const change = (statuses: readonly [Status, ...Status[]]) =>
  z.object({
    eventId: z.uuid(),
    status: z.enum(statuses),
    participantIds: z.array(z.uuid()).max(100).optional(),
    plusOnes: z.array(z.string().trim().min(1, 'Give the plus-one a name.').max(200)).max(10).optional(),
    notes: z.string().trim().max(2000).nullish(),
    answers: z.array(answer).max(1000).optional(),
  });
const guestInput = z.object({
  responses: z
    .array(change(['ATTENDING', 'DECLINED']))
    .min(1)
    .max(50),
});
const overrideInput = z.object({
  responses: z.array(change(RSVP_STATUSES)).min(1).max(50),
  reason: z.string().trim().min(1, 'Say why you are changing the answer.').max(500),
});

type Change = z.infer<ReturnType<typeof change>>;

/** Sources of an override: a planner keying in a correction, or an integration reporting answers (a scanned reply card). */
type OverrideSource = 'PLANNER_OVERRIDE' | 'INTEGRATION';

interface ApplyOptions {
  source: 'GUEST' | OverrideSource;
  /** Events the caller may answer: for a guest, invited ∩ allowed by the link ∩ RSVP-enabled. */
  answerable: Set<string>;
  enforceDeadline: boolean;
  allowNotes: boolean;
  reason?: string;
}

const path = (i: number, field: string) => `input.responses.${i}.${field}`;

/**
 * The one write path for responses, guest and planner alike: validates every
 * change first (nothing is written when any is wrong), then updates each
 * response with its counts, keeps the history row, saves linked-form answers
 * beside it and emits one outbox event per changed response.
 *
 * Phases, in this order (the order is the contract: which refusal a caller
 * sees first, and the statements tests count, follow from it):
 * check the input → load the events' state → refuse closed events → decide
 * plus-ones and participants → create new plus-ones → write each response → audit.
 */
async function applyChanges(tx: Tx, caller: Caller, inv: InvitationWithPeople, changes: Change[], opts: ApplyOptions) {
  const eventIds = checkChanges(changes, opts);
  const state = await loadEventState(tx, inv, eventIds);
  if (opts.enforceDeadline) refuseClosedEvents(eventIds, state.configOf);
  const plusOnes = decidePlusOnes(inv, changes);
  const eligible = new Map(inv.people.map((p) => [p.id, p]));
  const plan = decideParticipants(inv, changes, plusOnes.byName, eligible);
  const created = await createPlusOnes(tx, inv, plusOnes.newNames, eligible);
  const writer = await writerOf(tx, caller, inv, opts);
  const results: WrittenResponse[] = [];
  for (const p of plan) results.push(await writeResponse(tx, caller, inv, p, { state, created, eligible, writer, opts }));
  await auditChanges(tx, caller, inv, results, opts);
  return results.map((r) => r.after);
}

type EventState = Awaited<ReturnType<typeof loadEventState>>;
type PlannedChange = ReturnType<typeof decideParticipants>[number];
interface WrittenResponse {
  before: RsvpResponse;
  after: RsvpResponse;
}
/** Who the written rows name as having answered. */
interface Writer {
  responder: string | null;
  integrationId: string | null;
  overriding: boolean;
}

/**
 * The input alone, before any read: each event answerable and answered once,
 * notes only where allowed. Returns the events answered, in input order.
 */
function checkChanges(changes: Change[], opts: ApplyOptions): string[] {
  const seen = new Set<string>();
  changes.forEach((c, i) => {
    if (!opts.answerable.has(c.eventId))
      throw new ValidationError('You are not invited to this event.', [{ path: path(i, 'eventId'), message: 'Not invited.' }]);
    if (seen.has(c.eventId)) throw new ValidationError('An event is answered twice.', [{ path: path(i, 'eventId'), message: 'Duplicate event.' }]);
    seen.add(c.eventId);
    if (c.notes && !opts.allowNotes)
      throw new ValidationError('Notes are turned off for this invitation.', [{ path: path(i, 'notes'), message: 'Not allowed.' }]);
  });
  return [...seen];
}

/** The current responses, each event's RSVP config and which linked forms are still open: two reads at once, a third only when forms are linked. */
async function loadEventState(tx: Tx, inv: InvitationWithPeople, eventIds: string[]) {
  const [responses, enablements] = await Promise.all([
    tx.rsvpResponse.findMany({ where: { invitationId: inv.id, eventId: { in: eventIds } } }),
    tx.moduleEnablement.findMany({
      where: { eventId: { in: eventIds }, installation: { moduleKey: 'rsvp' } },
      select: { eventId: true, config: true },
    }),
  ]);
  const configOf = new Map(enablements.map((e) => [e.eventId, e.config as RsvpEventConfig]));
  // A linked form archived since is no longer asked (the guest view hides it too).
  const linked = [...new Set([...configOf.values()].map((c) => c.linkedFormId).filter((x): x is string => !!x))];
  const openForms = new Set(
    linked.length
      ? (await tx.form.findMany({ where: { id: { in: linked }, occasionId: inv.occasionId, archivedAt: null }, select: { id: true } })).map(
          (f) => f.id,
        )
      : [],
  );
  return { responses, configOf, openForms };
}

/** Guests answer until each event's deadline; one closed event refuses the whole submission, naming every closed one. */
function refuseClosedEvents(eventIds: string[], configOf: Map<string, RsvpEventConfig>): void {
  const now = new Date();
  const closed = eventIds.filter((id) => {
    const d = deadlineOf(configOf.get(id));
    return d && d <= now;
  });
  if (closed.length) {
    const deadline = deadlineOf(configOf.get(closed[0]!))!;
    throw new RsvpClosedError('Answers for this event are closed; ask your hosts to change them.', closed, deadline);
  }
}

/**
 * Plus-ones are named by the guest; the same name in two events is the same
 * person. Returns the plus-ones the invitation already has (by lower-cased
 * name) and the names new here, refusing when they do not fit the allowance.
 */
function decidePlusOnes(inv: InvitationWithPeople, changes: Change[]) {
  const byName = new Map(inv.people.filter((p) => p.guestPlusOne).map((p) => [p.displayName.toLowerCase(), p.id]));
  const newNames = new Map<string, string>();
  changes.forEach((c) => {
    for (const n of c.plusOnes ?? []) if (!byName.has(n.toLowerCase()) && !newNames.has(n.toLowerCase())) newNames.set(n.toLowerCase(), n);
  });
  // Only new names need a free slot: lowering the allowance later never locks out plus-ones already named.
  if (newNames.size && byName.size + newNames.size > inv.plusOnesAllowed) {
    const i = changes.findIndex((c) => c.plusOnes?.length);
    throw new ValidationError(
      inv.plusOnesAllowed === 0
        ? 'This invitation does not include plus-ones.'
        : `This invitation includes at most ${inv.plusOnesAllowed} plus-one(s).`,
      [{ path: path(Math.max(i, 0), 'plusOnes'), message: 'Too many plus-ones.' }],
    );
  }
  return { byName, newNames };
}

/**
 * Who attends each event, checked against who this invitation answers for.
 * Plus-ones not created yet are named `new:<name>` until createPlusOnes gives them ids.
 */
function decideParticipants(inv: InvitationWithPeople, changes: Change[], plusOneByName: Map<string, string>, eligible: Map<string, UnitPerson>) {
  return changes.map((c, i) => {
    if (c.status !== 'ATTENDING') {
      if (c.participantIds?.length || c.plusOnes?.length)
        throw new ValidationError('Only an attending answer lists who comes.', [{ path: path(i, 'participantIds'), message: 'Leave empty.' }]);
      return { change: c, index: i, participants: [] as string[], newPlusOnes: [] as string[] };
    }
    const ids = c.participantIds ?? inv.people.filter((p) => p.defaultAttendee).map((p) => p.id);
    if (new Set(ids).size !== ids.length)
      throw new ValidationError('A person is listed twice.', [{ path: path(i, 'participantIds'), message: 'Duplicate participant.' }]);
    for (const id of ids) {
      if (!eligible.has(id))
        throw new ValidationError('You can only answer for the people on your invitation.', [
          { path: path(i, 'participantIds'), message: 'Not on this invitation.' },
        ]);
    }
    const named = (c.plusOnes ?? []).map((n) => plusOneByName.get(n.toLowerCase()) ?? `new:${n.toLowerCase()}`);
    const participants = [...ids, ...named.filter((id) => !ids.includes(id))];
    if (!participants.length) throw new ValidationError('Say who is coming.', [{ path: path(i, 'participantIds'), message: 'Nobody listed.' }]);
    return { change: c, index: i, participants, newPlusOnes: named.filter((id) => id.startsWith('new:')) };
  });
}

/**
 * All checks passed: each newly named plus-one becomes a person related to the
 * unit, once however many events name them. Returns `new:<name>` → actor id,
 * and adds them to `eligible` so their role is counted.
 */
async function createPlusOnes(tx: Tx, inv: InvitationWithPeople, newNames: Map<string, string>, eligible: Map<string, UnitPerson>) {
  const created = new Map<string, string>();
  for (const [key, name] of newNames) {
    const person = await tx.actor.create({ data: { occasionId: inv.occasionId, kind: 'PERSON', displayName: name } });
    await tx.relationship.create({
      data: { occasionId: inv.occasionId, fromActorId: inv.invitationUnitActorId, toActorId: person.id, kind: PLUS_ONE_RELATIONSHIP },
    });
    created.set(`new:${key}`, person.id);
    eligible.set(person.id, { id: person.id, displayName: name, role: 'PLUS_ONE', guestPlusOne: true, defaultAttendee: false });
  }
  return created;
}

async function writerOf(tx: Tx, caller: Caller, inv: InvitationWithPeople, opts: ApplyOptions): Promise<Writer> {
  return {
    responder: await actorIdOf(tx, caller.principal, inv.occasionId),
    // Integrations are never actors: the response names the integration itself.
    integrationId: caller.principal.kind === 'integration' ? caller.principal.integrationId : null,
    overriding: opts.source !== 'GUEST',
  };
}

interface WriteContext {
  state: EventState;
  created: Map<string, string>;
  eligible: Map<string, UnitPerson>;
  writer: Writer;
  opts: ApplyOptions;
}

/** One event's response: its linked-form answers, the row with its counts, the history row when status or people changed, the outbox event. */
async function writeResponse(tx: Tx, caller: Caller, inv: InvitationWithPeople, p: PlannedChange, w: WriteContext): Promise<WrittenResponse> {
  const { state, opts } = w;
  const before = state.responses.find((r) => r.eventId === p.change.eventId);
  if (!before) throw notFound('RSVP response');
  const participants = p.participants.map((id) => w.created.get(id) ?? id);
  const people = participants.map((id) => w.eligible.get(id)!);
  const linkedId = state.configOf.get(p.change.eventId)?.linkedFormId;
  const formId = linkedId && state.openForms.has(linkedId) ? linkedId : undefined;
  const formSubmissionIds = await saveAnswers(tx, inv, p, before, participants, formId, opts, plusOneIdOf(w));
  const after = await tx.rsvpResponse.update({
    where: { id: before.id },
    data: {
      status: p.change.status,
      participantActorIds: participants,
      headcount: people.length,
      childCount: people.filter((x) => x.role === 'CHILD').length,
      plusOneCount: people.filter((x) => x.role === 'PLUS_ONE').length,
      responderActorId: w.writer.responder,
      responderIntegrationId: w.writer.integrationId,
      source: opts.source,
      ...(p.change.notes !== undefined ? { notes: p.change.notes || null } : {}),
      formSubmissionIds,
      respondedAt: new Date(),
    },
  });
  const changed = before.status !== after.status || before.participantActorIds.join() !== after.participantActorIds.join();
  // Answers or a note alone are a change too (dashboards count answers), though not one of status or people.
  const answersGiven = p.change.answers !== undefined;
  const touched = changed || (answersGiven && !!formId) || (p.change.notes !== undefined && (p.change.notes || null) !== before.notes);
  if (changed) await recordHistory(tx, caller, inv, { before, after }, w.writer, opts);
  await emitResponseEvent(tx, caller, inv, { before, after }, touched, w.writer, opts);
  return { before, after };
}

/** Not anyone's id: an answer for a plus-one the change does not name is refused as not attending. */
const NOBODY = '00000000-0000-0000-0000-000000000000';

/** A plus-one's id by name: created by this change, or named by the guest before. */
function plusOneIdOf(w: WriteContext) {
  return (name: string) => {
    const key = name.toLowerCase();
    return w.created.get(`new:${key}`) ?? [...w.eligible.values()].find((p) => p.guestPlusOne && p.displayName.toLowerCase() === key)?.id;
  };
}

/**
 * The event's linked-form answers, saved beside the response. Returns the
 * response's submission ids: the new one, or the saved ones when no answers
 * are due (answers left out keep what was saved; a guest attending for the
 * first time must answer the required questions).
 */
async function saveAnswers(
  tx: Tx,
  inv: InvitationWithPeople,
  p: PlannedChange,
  before: RsvpResponse,
  participants: string[],
  formId: string | undefined,
  opts: ApplyOptions,
  plusOneId: (name: string) => string | undefined,
): Promise<string[]> {
  if (p.change.answers?.length && !formId) {
    throw new ValidationError('This event has no questions to answer.', [{ path: path(p.index, 'answers'), message: 'No linked form.' }]);
  }
  const answersGiven = p.change.answers !== undefined;
  if (!(formId && p.change.status === 'ATTENDING' && (answersGiven || (opts.source === 'GUEST' && !before.formSubmissionIds.length))))
    return before.formSubmissionIds;
  const { submissionId } = await saveFormSubmission(tx, {
    occasionId: inv.occasionId,
    formId,
    eventId: p.change.eventId,
    respondentActorId: inv.invitationUnitActorId,
    rsvpResponseId: before.id,
    participantActorIds: participants,
    // An answer for a plus-one named in this same change is theirs once they exist; a name not among the
    // change's plus-ones answers for nobody attending, and the form's check says so.
    answers: (p.change.answers ?? []).map(({ plusOne, ...a }) => (plusOne ? { ...a, actorId: plusOneId(plusOne) ?? NOBODY } : a)),
    pathPrefix: path(p.index, 'answers'),
    requireRequired: opts.source === 'GUEST',
  });
  return [submissionId];
}

/** The history row: old → new status and people, who, how and (for overrides) why. */
async function recordHistory(tx: Tx, caller: Caller, inv: InvitationWithPeople, r: WrittenResponse, writer: Writer, opts: ApplyOptions) {
  await tx.rsvpResponseChange.create({
    data: {
      responseId: r.after.id,
      occasionId: inv.occasionId,
      eventId: r.after.eventId,
      fromStatus: r.before.status,
      toStatus: r.after.status,
      fromParticipantActorIds: r.before.participantActorIds,
      toParticipantActorIds: r.after.participantActorIds,
      source: opts.source,
      principalType: caller.principal.kind,
      principalId: principalId(caller.principal),
      actorId: writer.responder,
      reason: opts.reason ?? null,
      requestId: caller.requestId,
    },
  });
}

/**
 * One outbox event per response: an override always (it is the planner's
 * act, even when nothing changed), a guest's first answer as submitted, a
 * later one as updated only when it touched something.
 */
async function emitResponseEvent(
  tx: Tx,
  caller: Caller,
  inv: InvitationWithPeople,
  { before, after }: WrittenResponse,
  touched: boolean,
  writer: Writer,
  opts: ApplyOptions,
) {
  const event: BusinessEventType | null = writer.overriding
    ? rsvpOverridden
    : before.status === 'PENDING'
      ? rsvpSubmitted
      : touched
        ? rsvpUpdated
        : null;
  if (!event) return;
  const payload = {
    occasionId: inv.occasionId,
    eventId: after.eventId,
    invitationId: inv.id,
    responseId: after.id,
    status: after.status,
    previousStatus: before.status,
    headcount: after.headcount,
    ...(writer.overriding ? { reason: opts.reason ?? null, source: opts.source as OverrideSource, integrationId: writer.integrationId } : {}),
  };
  await recordBusinessEvent(tx, caller, event, payload, { occasionId: inv.occasionId, eventId: after.eventId });
}

/** One audit row for the whole call, every event's before and after. */
async function auditChanges(tx: Tx, caller: Caller, inv: InvitationWithPeople, results: WrittenResponse[], opts: ApplyOptions) {
  await recordAudit(tx, caller, {
    action: opts.source === 'GUEST' ? 'rsvp:submit' : 'rsvp:override',
    occasionId: inv.occasionId,
    target: { type: 'RsvpInvitation', id: inv.id },
    before: results.map((r) => ({ eventId: r.before.eventId, status: r.before.status, participantActorIds: r.before.participantActorIds })),
    after: results.map((r) => ({ eventId: r.after.eventId, status: r.after.status, participantActorIds: r.after.participantActorIds })),
    ...(opts.reason ? { reason: opts.reason } : {}),
  });
}

/** Events a guest may see and answer: invited ∩ allowed by the link ∩ RSVP enabled. */
/** The invited events a guest link may show (all of them when the link names none), before RSVP's enablement is checked. */
export const linkEventIds = (inv: { invitedEventIds: string[] }, allowed: readonly string[]) =>
  allowed.length ? inv.invitedEventIds.filter((id) => allowed.includes(id)) : inv.invitedEventIds;

export async function guestEventIds(
  tx: Pick<Tx, 'moduleEnablement'>,
  inv: { invitedEventIds: string[] },
  allowed: readonly string[],
): Promise<string[]> {
  const candidates = linkEventIds(inv, allowed);
  if (!candidates.length) return [];
  const enabled = await tx.moduleEnablement.findMany({
    where: { eventId: { in: candidates }, installation: { moduleKey: 'rsvp' } },
    select: { eventId: true },
  });
  const on = new Set(enabled.map((e) => e.eventId));
  return candidates.filter((id) => on.has(id));
}

/** A guest answers every event of their invitation at once (or some of them); saved answers can be changed until each event's deadline. */
export async function submitRsvp(tx: Tx, caller: Caller, input: unknown) {
  const p = caller.principal;
  if (p.kind !== 'guest') throw notFound('RSVP invitation');
  const data = parseInput(guestInput, input);
  // One writer per invitation at a time: the plus-one allowance and each change's "before" are read after this lock.
  await tx.$queryRaw`SELECT id FROM rsvp_invitations WHERE invitation_unit_actor_id = ${p.unitActorId}::uuid AND occasion_id = ${p.occasionId}::uuid FOR UPDATE`;
  const inv = await loadUnitPeople(tx, { invitationUnitActorId: p.unitActorId, occasionId: p.occasionId });
  if (!inv) throw notFound('RSVP invitation');
  const inst = await tx.moduleInstallation.findUnique({ where: { occasionId_moduleKey: { occasionId: p.occasionId, moduleKey: 'rsvp' } } });
  const answerable = new Set(await guestEventIds(tx, inv, p.allowedEventIds));
  await applyChanges(tx, caller, inv, data.responses, {
    source: 'GUEST',
    answerable,
    enforceDeadline: true,
    allowNotes: (inst?.config as { allowGuestNotes?: boolean } | undefined)?.allowGuestNotes ?? true,
  });
  return inv;
}

/**
 * A planner sets or corrects responses of one invitation, deadline or not; the reason is kept with the history.
 * Run by an integration (the inbound reply-card adapter), the same write is recorded as the integration's (source
 * INTEGRATION, with its id), never as a planner's.
 */
export async function overrideRsvpResponses(tx: Tx, caller: Caller, invitationId: string, input: unknown) {
  const data = parseInput(overrideInput, input);
  await tx.$queryRaw`SELECT id FROM rsvp_invitations WHERE id = ${invitationId}::uuid FOR UPDATE`;
  const inv = await loadUnitPeople(tx, { id: invitationId });
  if (!inv) throw notFound('RSVP invitation');
  await applyChanges(tx, caller, inv, data.responses, {
    source: caller.principal.kind === 'integration' ? 'INTEGRATION' : 'PLANNER_OVERRIDE',
    answerable: new Set(inv.invitedEventIds),
    enforceDeadline: false,
    // The note is the guest's own words (shown back to them); a planner's reason goes to the history instead.
    allowNotes: false,
    reason: data.reason,
  });
  return inv;
}
