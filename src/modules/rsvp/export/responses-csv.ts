import { csvText } from '../../../kit/csv.js';
import type { Prisma, Tx } from '../../../platform/db/client.js';
import type { RsvpEventConfig } from '../rsvp.targets.js';
import { PLUS_ONE_RELATIONSHIP } from '../invitations/rsvp.unit.js';

/**
 * One event's RSVP responses as CSV: a row per person of each invited unit,
 * so a spreadsheet can count and filter people. The first three columns are
 * the guest-list import's (household, name, role), so the file can be
 * re-imported. A fixed number of statements whatever the guest count.
 */

export const EXPORT_COLUMNS = ['household', 'name', 'role', 'status', 'attending', 'plus_one', 'notes', 'responded_at'] as const;
/** Prefix of the linked-form answer columns (form:meal, form:dietary…), so a question key never shadows a fixed column. */
export const ANSWER_PREFIX = 'form:';

const personSelect = { id: true, kind: true, displayName: true } as const;
const membersSelect = {
  orderBy: [{ role: 'asc' as const }, { createdAt: 'asc' as const }],
  select: { role: true, member: { select: personSelect } },
};

interface Person {
  id: string;
  name: string;
  role: string;
  plusOne: boolean;
}

/** A plain-text cell for an answer: lists joined with "; ", booleans as yes/no. */
function answerText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return v.map(answerText).join('; ');
  return JSON.stringify(v);
}

export async function responsesCsv(db: Prisma | Tx, event: { id: string }, opts: { includeAnswers: boolean }): Promise<string> {
  const [responses, enablement] = await Promise.all([
    db.rsvpResponse.findMany({
      where: { eventId: event.id },
      orderBy: [{ invitation: { invitationUnit: { displayName: 'asc' } } }, { id: 'asc' }],
      select: {
        status: true,
        participantActorIds: true,
        notes: true,
        respondedAt: true,
        formSubmissionIds: true,
        invitation: {
          select: {
            responseScope: true,
            primaryActor: { select: personSelect },
            invitationUnit: {
              select: {
                ...personSelect,
                members: { ...membersSelect, select: { role: true, member: { select: { ...personSelect, members: membersSelect } } } },
                relationsFrom: { where: { kind: PLUS_ONE_RELATIONSHIP }, orderBy: { createdAt: 'asc' }, select: { to: { select: personSelect } } },
              },
            },
          },
        },
      },
    }),
    opts.includeAnswers
      ? db.moduleEnablement.findFirst({ where: { eventId: event.id, installation: { moduleKey: 'rsvp' } }, select: { config: true } })
      : null,
  ]);

  // Answers: the linked form's current questions in their order, then any other question answered here.
  const submissionIds = opts.includeAnswers ? responses.flatMap((r) => r.formSubmissionIds) : [];
  const formId = (enablement?.config as RsvpEventConfig | null)?.linkedFormId;
  const [answers, current] = await Promise.all([
    submissionIds.length
      ? db.formAnswer.findMany({
          where: { submissionId: { in: submissionIds } },
          select: { submissionId: true, actorId: true, value: true, question: { select: { key: true, version: true } } },
        })
      : [],
    formId
      ? db.formQuestion.findMany({ where: { formId, retiredAt: null }, orderBy: [{ position: 'asc' }, { key: 'asc' }], select: { key: true } })
      : [],
  ]);
  const keys = [...new Set([...current.map((q) => q.key), ...answers.map((a) => a.question.key).sort()])];
  // (submission, whose, question) → the latest version's answer.
  const answerOf = new Map<string, { version: number; text: string }>();
  for (const a of answers) {
    const k = `${a.submissionId}|${a.actorId}|${a.question.key}`;
    const seen = answerOf.get(k);
    if (!seen || seen.version < a.question.version) answerOf.set(k, { version: a.question.version, text: answerText(a.value) });
  }

  const lines: string[][] = [[...EXPORT_COLUMNS, ...keys.map((k) => ANSWER_PREFIX + k)]];
  for (const r of responses) {
    const inv = r.invitation;
    const unit = inv.invitationUnit;
    // Who the invitation answers for, as loadUnitPeople sees it: the person alone, or the unit's people (a group's households contribute theirs).
    const people: Person[] = [];
    const add = (p: Person) => {
      if (!people.some((x) => x.id === p.id)) people.push(p);
    };
    if (inv.responseScope === 'ACTOR') add({ id: inv.primaryActor.id, name: inv.primaryActor.displayName, role: '', plusOne: false });
    else {
      for (const m of unit.members) {
        if (m.member.kind === 'PERSON') add({ id: m.member.id, name: m.member.displayName, role: m.role, plusOne: m.role === 'PLUS_ONE' });
        else if (m.member.kind === 'HOUSEHOLD')
          for (const hm of m.member.members)
            if (hm.member.kind === 'PERSON') add({ id: hm.member.id, name: hm.member.displayName, role: hm.role, plusOne: hm.role === 'PLUS_ONE' });
      }
    }
    for (const rel of unit.relationsFrom) add({ id: rel.to.id, name: rel.to.displayName, role: 'PLUS_ONE', plusOne: true });

    const attending = new Set(r.participantActorIds);
    for (const p of people) {
      const answer = (key: string) =>
        r.formSubmissionIds.map((s) => answerOf.get(`${s}|${p.id}|${key}`) ?? answerOf.get(`${s}|${unit.id}|${key}`)).find(Boolean)?.text ?? '';
      lines.push([
        inv.responseScope === 'ACTOR' ? '' : unit.displayName,
        p.name,
        p.role,
        r.status,
        r.status === 'PENDING' ? '' : attending.has(p.id) ? 'yes' : 'no',
        p.plusOne ? 'yes' : 'no',
        r.notes ?? '',
        r.respondedAt?.toISOString() ?? '',
        ...keys.map(answer),
      ]);
    }
  }
  return csvText(lines);
}
