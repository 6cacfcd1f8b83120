import { t } from '../../../capabilities/localization/messages.js';
import { ConflictError, ValidationError } from '../../../platform/errors.js';
import type { GuestEventView, GuestView } from '../guest/rsvp.guest-view.js';
import { RsvpClosedError } from '../rsvp.errors.js';
import { F, plusOneSlot } from './rsvp-form.fields.js';
import type { EventError } from './rsvp-page.render.js';

/*
 * The posted form → the same input the GraphQL mutation `submitRsvp` builds
 * (raw ids), and the service's refusals → messages in the guest's language,
 * placed on the event they concern. Nothing here decides what is allowed:
 * submitRsvp checks every id, count, answer and deadline.
 */

type Question = NonNullable<GuestEventView['form']>['questions'][number];

export interface Submission {
  responses: Record<string, unknown>[];
  /** Event of each response, by index (the service's error paths count responses). */
  eventIds: string[];
}

/** Events the guest chose yes or no for; an event left unchosen is left as it is. */
export function submissionOf(view: GuestView, form: URLSearchParams): Submission {
  const responses: Record<string, unknown>[] = [];
  const eventIds: string[] = [];
  for (const v of view.events.filter((e) => e.open)) {
    const id = v.event.id;
    const status = form.get(F.status(id));
    if (status !== 'ATTENDING' && status !== 'DECLINED') continue;
    const response: Record<string, unknown> = { eventId: id, status };
    // Browsers send a textarea's line breaks as CRLF; the note is stored (and counted against its limit) with LF.
    if (view.allowNotes) response.notes = (form.get(F.notes(id)) ?? '').replace(/\r\n?/g, '\n');
    if (status === 'ATTENDING') {
      const people = view.invitation.people;
      // A household chooses who comes; a person alone is the one coming (the service's default).
      const participantIds = people.length >= 2 ? form.getAll(F.participants(id)) : null;
      if (participantIds) response.participantIds = participantIds;
      const typedPlusOnes = form.getAll(F.plusOnes(id)).map((n) => n.trim());
      const plusOnes = typedPlusOnes.filter(Boolean);
      if (plusOnes.length) response.plusOnes = plusOnes;
      if (v.form) {
        // Per person: the people chosen, then each plus-one named in a slot (answered by name: no id yet).
        const whom: { key?: string; actorId?: string; plusOne?: string }[] =
          v.form.appliesTo === 'PERSON'
            ? [
                ...(participantIds ?? people.filter((p) => p.defaultAttendee).map((p) => p.id)).map((actorId) => ({ key: actorId, actorId })),
                ...typedPlusOnes.flatMap((plusOne, i) => (plusOne ? [{ key: plusOneSlot(i), plusOne }] : [])),
              ]
            : [{}];
        response.answers = whom.flatMap((w) =>
          v.form!.questions.flatMap((q) => {
            const value = valueOf(q, form.getAll(F.answer(id, q.id, w.key)));
            if (value === undefined) return [];
            return [{ fieldId: q.id, ...(w.actorId ? { actorId: w.actorId } : {}), ...(w.plusOne ? { plusOne: w.plusOne } : {}), value }];
          }),
        );
      }
    }
    responses.push(response);
    eventIds.push(id);
  }
  return { responses, eventIds };
}

/** A control's strings → the answer's JSON value; undefined when left blank. A number that is not one goes as typed, and is refused by the form's own check. */
function valueOf(q: Question, raw: string[]): unknown {
  const given = raw.map((r) => r.trim()).filter(Boolean);
  if (!given.length) return undefined;
  switch (q.type) {
    case 'MULTI_CHOICE':
      return given;
    case 'BOOLEAN':
      return given[0] === 'true' ? true : given[0] === 'false' ? false : given[0];
    case 'NUMBER': {
      const n = Number(given[0]!.replace(',', '.'));
      return Number.isFinite(n) ? n : given[0];
    }
    default:
      return given[0];
  }
}

const RESPONSE_PATH = /^input\.responses\.(\d+)\.(\w+)(?:\.(\d+)\.(\w+))?/;

/** The service's refusal → what to tell the guest, per event; null when it is not the guest's to fix (rethrown). */
export function pageErrorsOf(e: unknown, view: GuestView, submission: Submission, locale: string): EventError[] | null {
  if (e instanceof RsvpClosedError) return e.eventIds.map((eventId) => ({ eventId, message: t(locale, 'guest.error.closed') }));
  if (e instanceof ConflictError) return [{ eventId: null, message: t(locale, 'guest.error.stale') }];
  if (!(e instanceof ValidationError)) return null;
  const out: EventError[] = [];
  const add = (err: EventError) => {
    if (!out.some((o) => o.eventId === err.eventId && o.message === err.message)) out.push(err);
  };
  const fields = e.fields.length ? e.fields : [{ path: 'input', message: e.message }];
  for (const f of fields) {
    const m = RESPONSE_PATH.exec(f.path);
    const eventId = m ? (submission.eventIds[Number(m[1])] ?? null) : null;
    // A required question left unanswered: say which, and for whom (the service names it in English only).
    const missing = m && m[2] === 'answers' && !m[3] ? missingAnswers(view, submission, Number(m[1]), locale) : [];
    if (missing.length) for (const message of missing) add({ eventId, message });
    else add({ eventId, message: messageFor(m?.[2], m?.[4], view, locale) });
  }
  return out;
}

type SentAnswer = { fieldId: string; actorId?: string; plusOne?: string };

/** The required questions response `index` left unanswered, one message per question and person, in the page's language. */
function missingAnswers(view: GuestView, submission: Submission, index: number, locale: string): string[] {
  const response = submission.responses[index];
  const v = view.events.find((e) => e.event.id === submission.eventIds[index]);
  if (!response || !v?.form || response.status !== 'ATTENDING') return [];
  const sent = (response.answers as SentAnswer[] | undefined) ?? [];
  const people = view.invitation.people;
  const perPerson = v.form.appliesTo === 'PERSON';
  const chosen = (response.participantIds as string[] | undefined) ?? people.filter((p) => p.defaultAttendee).map((p) => p.id);
  const whom: { name: string | null; answered: (a: SentAnswer) => boolean }[] = perPerson
    ? [
        ...chosen.map((id) => ({ name: people.find((p) => p.id === id)?.displayName ?? null, answered: (a: SentAnswer) => a.actorId === id })),
        ...((response.plusOnes as string[] | undefined) ?? []).map((name) => ({ name, answered: (a: SentAnswer) => a.plusOne === name })),
      ]
    : [{ name: null, answered: () => true }];
  return v.form.questions
    .filter((q) => q.required)
    .flatMap((q) =>
      whom
        .filter((w) => !sent.some((a) => a.fieldId === q.id && w.answered(a)))
        .map((w) =>
          w.name ? t(locale, 'guest.error.missingFor', { question: q.label, name: w.name }) : t(locale, 'guest.error.missing', { question: q.label }),
        ),
    );
}

function messageFor(field: string | undefined, sub: string | undefined, view: GuestView, locale: string): string {
  switch (field) {
    case 'plusOnes':
      return t(locale, 'guest.error.plusOnes', { max: view.invitation.plusOnesAllowed });
    case 'participantIds':
      return t(locale, 'guest.error.participants');
    case 'answers':
      return sub === 'value' ? t(locale, 'guest.error.answerValue') : t(locale, 'guest.error.answers');
    case 'notes':
      return t(locale, 'guest.error.notes');
    default:
      return t(locale, 'guest.error.generic');
  }
}
