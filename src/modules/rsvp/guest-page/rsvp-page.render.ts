import { formatInZone } from '../../../capabilities/localization/format-time.js';
import { t } from '../../../capabilities/localization/messages.js';
import { markup, type Raw } from '../../../kit/html.js';
import { optionsOf } from '../../forms/forms.questions.js';
import type { GuestEventView, GuestView } from '../guest/rsvp.guest-view.js';
import type { UnitPerson } from '../invitations/rsvp.unit.js';
import { F, idOf, plusOneSlot } from './rsvp-form.fields.js';
import { isolated, tm } from './i18n-markup.js';

/*
 * The RSVP form: one fieldset per invited event, all sent with one button.
 * Plain HTML controls, so it works without JavaScript and with any assistive
 * technology: radios and checkboxes grouped by fieldset/legend, every control
 * labelled, errors named in a summary at the top and beside their event.
 * On a browser with :has(), "who comes" and the questions hide while
 * "not coming" is chosen (CSS only); elsewhere they stay visible and are ignored.
 */

export interface EventError {
  eventId: string | null;
  message: string;
}

export interface RsvpPageInput {
  view: GuestView;
  locale: string;
  formToken: string;
  /** A language the guest chose on the page (kept with the form, and theirs once they answer); null: none chosen. */
  chosenLocale: string | null;
  /** The submission being corrected (after errors): shown as typed. Absent: the saved answers. */
  submitted?: URLSearchParams | null;
  errors?: EventError[];
  saved?: boolean;
}

type Question = NonNullable<GuestEventView['form']>['questions'][number];
type AnswerOf = (questionId: string, whom?: string) => string[];

export function rsvpPageBody(input: RsvpPageInput): Raw {
  const { view, locale, errors = [] } = input;
  const summary = errors.length
    ? markup`<div class="errors" role="alert" tabindex="-1" id="errors"><h2>${t(locale, 'guest.errorSummary', { count: errors.length })}</h2><ul>${errors.map(
        (e) => markup`<li>${e.eventId ? markup`<a href="#${eventId(e.eventId)}">${eventName(view, e.eventId)}</a>: ` : ''}${e.message}</li>`,
      )}</ul></div>`
    : '';
  const status = input.saved && !errors.length ? markup`<p class="status" role="status">${t(locale, 'guest.saved')}</p>` : '';
  const events = view.events.length ? view.events.map((e) => eventFieldset(input, e, errors)) : markup`<p>${t(locale, 'guest.noEvents')}</p>`;
  const submit = view.events.some((e) => e.open) ? markup`<button type="submit">${t(locale, 'guest.submit')}</button>` : '';
  return markup`${summary}${status}
<h1>${tm(locale, 'guest.greeting', { name: isolated(view.invitation.invitationUnit.displayName) })}</h1>
<p>${t(locale, 'guest.intro')}</p>
<form method="post" action="/guest" novalidate>
<input type="hidden" name="${F.formToken}" value="${input.formToken}">${chosenField(input.chosenLocale)}
${events}
${submit}
</form>`;
}

/** The element holding an event's errors, which its fieldset is described by (screen readers read them with the group). */
const errorId = (eventId: string) => `err-${eventId}`;
/** An event's fieldset, which the error summary links to (open or closed). */
const eventId = (id: string) => `event-${id}`;
const errorsOf = (id: string, mine: EventError[]) =>
  mine.length ? markup`<div id="${errorId(id)}">${mine.map((x) => markup`<p class="err">${x.message}</p>`)}</div>` : '';

/** The language the guest chose, carried by a form; nothing when they chose none (the page's language is then not theirs to keep). */
export const chosenField = (chosen: string | null) => (chosen ? markup`<input type="hidden" name="${F.lang}" value="${chosen}">` : '');

const eventName = (view: GuestView, eventId: string) => view.events.find((e) => e.event.id === eventId)?.event.name ?? '';

function eventFieldset(input: RsvpPageInput, v: GuestEventView, errors: EventError[]): Raw {
  const { locale, view } = input;
  const tz = view.occasion.timezone;
  const e = v.event;
  const when = e.startsAt ? formatInZone(e.startsAt, tz, locale, 'dateTime') : null;
  const deadline = v.deadline ? formatInZone(v.deadline, tz, locale, 'dateTime') : null;
  const mine = errors.filter((x) => x.eventId === e.id);
  const header = markup`${when ? markup`<p class="meta"><b>${t(locale, 'guest.when')}:</b> ${when}</p>` : ''}${
    e.location ? markup`<p class="meta"><b>${t(locale, 'guest.where')}:</b> ${isolated(e.location)}</p>` : ''
  }${e.description ? markup`<p>${e.description}</p>` : ''}`;
  const body = v.open
    ? markup`${deadline ? markup`<p class="note">${t(locale, 'guest.replyBy', { deadline })}</p>` : ''}${errorsOf(
        e.id,
        mine,
      )}${answerControls(input, v)}`
    : markup`${errorsOf(e.id, mine)}<p class="note">${deadline ? t(locale, 'guest.closedOn', { deadline }) : t(locale, 'guest.error.closed')}</p>`;
  return markup`<fieldset class="event" id="${eventId(e.id)}"${mine.length ? markup` aria-describedby="${errorId(e.id)}"` : ''}><legend>${isolated(e.name)}</legend>${header}<p class="saved">${savedLine(
    locale,
    v,
  )}</p>${body}</fieldset>`;
}

function savedLine(locale: string, v: GuestEventView): string {
  if (v.response.status === 'ATTENDING') return t(locale, 'guest.savedAttending', { count: v.response.headcount });
  if (v.response.status === 'DECLINED') return t(locale, 'guest.savedDeclined');
  return t(locale, 'guest.savedNone');
}

/** The values to show: what was just submitted (after an error), else what is saved. */
function valuesOf(input: RsvpPageInput, v: GuestEventView) {
  const id = v.event.id;
  const sub = input.submitted;
  if (sub) {
    return {
      status: sub.get(F.status(id)),
      participants: new Set(sub.getAll(F.participants(id))),
      plusOnes: sub.getAll(F.plusOnes(id)),
      notes: sub.get(F.notes(id)) ?? '',
      answer: ((q, whom) => sub.getAll(F.answer(id, q, whom))) as AnswerOf,
    };
  }
  const people = input.view.invitation.people;
  const answered = v.response.status === 'ATTENDING';
  return {
    status: v.response.status === 'PENDING' ? null : v.response.status,
    participants: new Set(answered ? v.response.participantActorIds : people.filter((p) => p.defaultAttendee).map((p) => p.id)),
    plusOnes: [] as string[],
    notes: v.response.notes ?? '',
    answer: ((q, whom) => {
      // Answers to a question's earlier version are not shown: the guest answers the current one.
      const saved = v.answers.find((x) => x.questionId === q && (!whom || x.actorId === whom));
      if (!saved) return [];
      const value = saved.value as unknown;
      return Array.isArray(value) ? value.map(String) : [String(value)];
    }) as AnswerOf,
  };
}

/**
 * CSS that hides a person's questions while their box under "who is coming" is unticked, for the `people` boxes
 * of the largest invitation on the page: the nth box matches the nth block of questions, so no script is needed
 * (browsers without :has() show every block; answers of people not coming are not sent either way).
 */
export function whoComesCss(people: number): string {
  return Array.from(
    { length: people },
    (_, i) => `fieldset.event:has(.who>label:nth-of-type(${i + 1})>input:not(:checked)) .per-person>fieldset:nth-of-type(${i + 1}){display:none}`,
  ).join('\n');
}

/** Plus-ones the guest may still name (ten at most on one page, the service's own cap). */
export const freePlusOnes = (inv: GuestView['invitation']) =>
  Math.min(10, Math.max(0, inv.plusOnesAllowed - inv.people.filter((p) => p.guestPlusOne).length));

function answerControls(input: RsvpPageInput, v: GuestEventView): Raw {
  const { locale, view } = input;
  const id = v.event.id;
  const inv = view.invitation;
  const values = valuesOf(input, v);
  const count = inv.people.length;
  const statusName = F.status(id);
  const radio = (value: string, label: string, first: boolean) =>
    markup`<label class="opt"><input type="radio" name="${statusName}" value="${value}"${first ? markup` id="${idOf(statusName)}"` : ''}${
      values.status === value ? markup` checked` : ''
    }> ${label}</label>`;
  const attend = markup`<fieldset><legend>${t(locale, 'guest.attendQuestion')}</legend>${radio('ATTENDING', t(locale, 'guest.attending', { count }), true)}${radio(
    'DECLINED',
    t(locale, 'guest.declining', { count }),
    false,
  )}</fieldset>`;
  const free = freePlusOnes(inv);
  const who = chooseWho(locale, id, inv.people, values.participants);
  const plusOnes = plusOneInputs(locale, id, free, values.plusOnes);
  const questions = v.form?.questions.length ? questionBlock(locale, v, inv.people, free, values.answer) : '';
  const notes = view.allowNotes
    ? markup`<div class="field"><label for="${idOf(F.notes(id))}">${t(locale, 'guest.notes')}</label><textarea dir="auto" id="${idOf(F.notes(id))}" name="${F.notes(
        id,
      )}" maxlength="2000">
${values.notes}</textarea></div>`
    : '';
  return markup`${attend}<div class="if-attending">${who}${plusOnes}${questions}</div>${notes}`;
}

/** Who comes, when the invitation answers for more than one person (a person alone just answers). */
function chooseWho(locale: string, eventId: string, people: UnitPerson[], checked: Set<string>): Raw | '' {
  if (people.length < 2) return '';
  const name = F.participants(eventId);
  return markup`<fieldset class="who"><legend>${t(locale, 'guest.whoComes')}</legend>${people.map(
    (p) =>
      markup`<label class="opt"><input type="checkbox" name="${name}" value="${p.id}"${checked.has(p.id) ? markup` checked` : ''}> ${isolated(p.displayName)}</label>`,
  )}</fieldset>`;
}

function plusOneInputs(locale: string, eventId: string, free: number, typed: string[]): Raw | '' {
  if (free <= 0) return '';
  const name = F.plusOnes(eventId);
  const slots = Array.from({ length: free }, (_, i) => i);
  return markup`<fieldset><legend>${t(locale, 'guest.plusOnes', { count: free })}</legend>${slots.map((i) => {
    const fid = `${idOf(name)}-${i + 1}`;
    return markup`<div class="field"><label for="${fid}">${t(locale, 'guest.plusOneName', { n: i + 1 })}</label><input type="text" dir="auto" id="${fid}" name="${name}" value="${
      typed[i] ?? ''
    }" maxlength="200" autocomplete="off"></div>`;
  })}</fieldset>`;
}

function questionBlock(locale: string, v: GuestEventView, people: UnitPerson[], free: number, answer: AnswerOf): Raw {
  const questions = v.form!.questions;
  if (v.form!.appliesTo !== 'PERSON')
    return markup`<fieldset><legend>${t(locale, 'guest.questions')}</legend>${questions.map((q) => questionControl(locale, v.event.id, q, undefined, answer))}</fieldset>`;
  // Per person: each person of the invitation, then each plus-one slot (answered under the name typed above it).
  const whom = [
    ...people.map((p) => ({ key: p.id, legend: tm(locale, 'guest.questionsFor', { name: isolated(p.displayName) }) })),
    ...Array.from({ length: free }, (_, i) => ({ key: plusOneSlot(i), legend: t(locale, 'guest.questionsForGuest', { n: i + 1 }) })),
  ];
  // In the order of "who is coming": the page's stylesheet hides the questions of someone left unticked (whoComesCss).
  return markup`<div class="per-person">${whom.map(
    (w) => markup`<fieldset><legend>${w.legend}</legend>${questions.map((q) => questionControl(locale, v.event.id, q, w.key, answer))}</fieldset>`,
  )}</div>`;
}

function questionControl(locale: string, eventId: string, q: Question, whom: string | undefined, answer: AnswerOf): Raw {
  const name = F.answer(eventId, q.id, whom);
  const fid = idOf(name);
  const current = answer(q.id, whom);
  const label = markup`${q.label}${q.required ? markup` <span class="req">(${t(locale, 'guest.required')})</span>` : ''}`;
  const required = q.required ? markup` aria-required="true"` : '';
  const choice = (type: 'radio' | 'checkbox', value: string, text: string, i: number, checked = current.includes(value)) =>
    markup`<label class="opt"><input type="${type}" name="${name}" value="${value}"${i === 0 ? markup` id="${fid}"` : ''}${
      checked ? markup` checked` : ''
    }> ${text}</label>`;
  // A radio cannot be unticked: an optional one-answer question offers "no answer" to take an answer back.
  const none = (i: number) => (q.required ? '' : choice('radio', '', t(locale, 'guest.noAnswer'), i, current.length === 0));
  const radios = (options: { value: string; label: string }[]) =>
    markup`<fieldset role="radiogroup"${required}><legend class="lbl">${label}</legend>${options.map((o, i) => choice('radio', o.value, o.label, i))}${none(
      options.length,
    )}</fieldset>`;
  switch (q.type) {
    case 'SINGLE_CHOICE':
      return radios(optionsOf(q));
    case 'MULTI_CHOICE':
      return markup`<fieldset><legend class="lbl">${label}</legend>${optionsOf(q).map((o, i) => choice('checkbox', o.value, o.label, i))}</fieldset>`;
    case 'BOOLEAN':
      return radios([
        { value: 'true', label: t(locale, 'guest.yes') },
        { value: 'false', label: t(locale, 'guest.no') },
      ]);
    case 'NUMBER':
      return markup`<div class="field"><label for="${fid}">${label}</label><input type="number" inputmode="decimal" id="${fid}" name="${name}" value="${
        current[0] ?? ''
      }"${required}></div>`;
    default:
      return markup`<div class="field"><label for="${fid}">${label}</label><input type="text" dir="auto" id="${fid}" name="${name}" value="${
        current[0] ?? ''
      }" maxlength="2000"${required}></div>`;
  }
}
