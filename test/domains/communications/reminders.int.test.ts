import { describe, expect, it } from 'vitest';
import { buildWorld, must, type World } from '../../support/factories.js';
import { errorCode } from '../../support/harness.js';
import { rawId } from '../../support/rows.js';
import { startMailingServer } from '../../support/mailing.js';

/**
 * RSVP reminders: planned N days before an event's deadline, recipients chosen
 * when a run fires (a household that answered in between gets nothing), once
 * per run however often the scheduler looks, re-planned when the deadline
 * moves, silent in quiet hours, and gone when cancelled. The scheduler is run
 * at chosen instants (remindNow(at)) instead of waiting for days. It runs every
 * occasion's reminders: each test's deadline is weeks from the others', so an
 * instant one test picks has nothing due for another's (their deadlines passed).
 */

const { s, smtp, sender } = await startMailingServer({ QUIET_HOURS: '21-9' });

const DAY = 86_400_000;
const BULK = `mutation($i: CreateRsvpInvitationsFromHouseholdsInput!) { createRsvpInvitationsFromHouseholds(input: $i) { __typename ... on CreateRsvpInvitationsFromHouseholdsPayload { invitationIds } } }`;
const ENABLE = `mutation($i: EnableModuleInput!) { enableModule(input: $i) { __typename ... on Error { code message } } }`;
const OVERRIDE = `mutation($i: OverrideRsvpResponsesInput!) { overrideRsvpResponses(input: $i) { __typename ... on Error { code message } } }`;
const CREATE = `mutation($i: CreateMessageReminderInput!) { createMessageReminder(input: $i) { __typename
  ... on MessageReminderPayload { reminder { id daysBefore statuses nextRunAt } } ... on Error { code message } } }`;
const CANCEL = `mutation($i: CancelMessageReminderInput!) { cancelMessageReminder(input: $i) { __typename ... on MessageReminderPayload { reminder { id cancelledAt } } ... on Error { code message } } }`;
const REMINDERS = `query($id: ID!) { event(id: $id) { messageReminders { id nextRunAt runs { daysBefore recipients } } } }`;

/** A deadline at 18:00 UTC (the test occasions are in UTC) `days` days from today. */
const deadlineIn = (days: number) => {
  const d = new Date(Date.now() + days * DAY);
  d.setUTCHours(18, 0, 0, 0);
  return d;
};
/** `days` before the deadline's date, at `hour` UTC. */
const at = (deadline: Date, days: number, hour: number) => {
  const d = new Date(deadline.getTime() - days * DAY);
  d.setUTCHours(hour, 0, 0, 0);
  return d;
};

async function setDeadline(w: World, deadline: Date) {
  await must(s, w.owner.token, ENABLE, { i: { eventId: w.eventIds[0], moduleKey: 'rsvp', config: { deadline: deadline.toISOString() } } });
}

/** Three households invited to event 1 with its deadline; the first has answered. */
async function world(deadline: Date) {
  const w = await buildWorld(s, { events: 1, households: [2, 2, 2], modules: { rsvp: [0] }, collaborators: { helper: undefined } });
  await setDeadline(w, deadline);
  const inv = (await must(s, w.owner.token, BULK, { i: { occasionId: w.occasionId, eventIds: w.eventIds } })).createRsvpInvitationsFromHouseholds;
  await must(s, w.owner.token, OVERRIDE, {
    i: { invitationId: inv.invitationIds[0], reason: 'phoned', responses: [{ eventId: w.eventIds[0], status: 'ATTENDING' }] },
  });
  return w;
}

const reminders = async (w: World) =>
  s.app.db.prisma.commDelivery.findMany({ where: { occasionId: rawId(w.occasionId), kind: 'RSVP_REMINDER' }, orderBy: { id: 'asc' } });
const headOf = async (w: World, h: number) =>
  (await s.app.db.prisma.actor.findUniqueOrThrow({ where: { id: rawId(w.households[h]!.memberIds[0]!) } })).email!;

describe('RSVP reminders', () => {
  it('reach only units still pending, once per run, at the planned day', async () => {
    const deadline = deadlineIn(20);
    const w = await world(deadline);
    const r = (await must(s, w.owner.token, CREATE, { i: { eventId: w.eventIds[0], daysBefore: [2, 7] } })).createMessageReminder;
    expect(r.reminder).toMatchObject({ daysBefore: [7, 2], statuses: ['PENDING'] });
    // Due 7 days before the deadline's date at 10:00 in the occasion's zone (UTC here).
    expect(r.reminder.nextRunAt).toBe(at(deadline, 7, 10).toISOString());

    expect(await sender.remindNow(at(deadline, 8, 12))).toBe(0);
    expect(await sender.remindNow(at(deadline, 7, 12))).toBe(2);
    // Looking again (this worker or another) sends nothing more.
    expect(await sender.remindNow(at(deadline, 7, 13))).toBe(0);
    await sender.drain();
    const sent = await reminders(w);
    expect(sent.map((d) => d.address).sort()).toEqual([await headOf(w, 1), await headOf(w, 2)].sort());
    expect(sent.every((d) => d.status === 'SENT')).toBe(true);
    const mail = smtp.messages.find((m) => m.envelope.to[0] === sent[0]!.address)!;
    expect(mail.parsed.subject).toMatch(/^Reminder/);
    expect(mail.parsed.text).toMatch(/7 days left/);

    const view = (await must(s, w.owner.token, REMINDERS, { id: w.eventIds[0] })).event.messageReminders[0];
    expect(view.runs).toEqual([{ daysBefore: 7, recipients: 2 }]);
    expect(view.nextRunAt).toBe(at(deadline, 2, 10).toISOString());
  });

  it('a household that answers before the next run is not reminded again', async () => {
    const deadline = deadlineIn(40);
    const w = await world(deadline);
    await must(s, w.owner.token, CREATE, { i: { eventId: w.eventIds[0], daysBefore: [7, 2] } });
    expect(await sender.remindNow(at(deadline, 7, 12))).toBe(2);
    const inv = await s.app.db.prisma.rsvpInvitation.findFirstOrThrow({ where: { invitationUnitActorId: rawId(w.households[1]!.id) } });
    await must(s, w.owner.token, OVERRIDE, {
      i: {
        invitationId: Buffer.from(`RsvpInvitation:${inv.id}`).toString('base64url'),
        reason: 'answered',
        responses: [{ eventId: w.eventIds[0], status: 'DECLINED' }],
      },
    });
    expect(await sender.remindNow(at(deadline, 2, 12))).toBe(1);
    await sender.drain();
    const third = (await headOf(w, 2)).toLowerCase();
    expect((await reminders(w)).filter((d) => d.address === third)).toHaveLength(2);
  });

  it('waits out quiet hours, and after a pause sends only the run nearest the deadline', async () => {
    const deadline = deadlineIn(60);
    const w = await world(deadline);
    await must(s, w.owner.token, CREATE, { i: { eventId: w.eventIds[0], daysBefore: [7, 2] } });
    // 22:00 the day before the deadline: quiet hours (21–9).
    expect(await sender.remindNow(at(deadline, 1, 22))).toBe(0);
    // 09:30 the next morning: both runs are overdue; only the 2-day one goes out, the 7-day one is recorded as passed.
    expect(await sender.remindNow(new Date(at(deadline, 0, 9).getTime() + 30 * 60_000))).toBe(2);
    const view = (await must(s, w.owner.token, REMINDERS, { id: w.eventIds[0] })).event.messageReminders[0];
    expect(view.runs).toEqual(
      expect.arrayContaining([
        { daysBefore: 7, recipients: 0 },
        { daysBefore: 2, recipients: 2 },
      ]),
    );
    expect(view.nextRunAt).toBeNull();
  });

  it('moves with the deadline, and a cancelled reminder never runs', async () => {
    const deadline = deadlineIn(80);
    const w = await world(deadline);
    const r = (await must(s, w.owner.token, CREATE, { i: { eventId: w.eventIds[0], daysBefore: [7] } })).createMessageReminder;
    // The deadline moves 5 days later before the reminder was due: it is due 7 days before the new one.
    const later = new Date(deadline.getTime() + 5 * DAY);
    await setDeadline(w, later);
    expect(await sender.remindNow(at(deadline, 7, 12))).toBe(0);
    expect(await sender.remindNow(at(later, 7, 12))).toBe(2);

    const w2 = await world(deadline);
    const r2 = (await must(s, w2.owner.token, CREATE, { i: { eventId: w2.eventIds[0], daysBefore: [7] } })).createMessageReminder;
    await must(s, w2.owner.token, CANCEL, { i: { id: r2.reminder.id } });
    expect(await sender.remindNow(at(deadline, 7, 12))).toBe(0);
    expect(await reminders(w2)).toHaveLength(0);
    void r;
  });

  it('refuses a helper (FORBIDDEN), another occasion’s event (NOT_FOUND) and bad days (ValidationError), writing nothing', async () => {
    const w = await world(deadlineIn(200));
    const other = await buildWorld(s, { events: 1, households: [], modules: { rsvp: [0] } });
    expect(errorCode(await s.gql(CREATE, { i: { eventId: w.eventIds[0], daysBefore: [7] } }, { token: w.people.helper!.token }))).toBe('FORBIDDEN');
    expect(errorCode(await s.gql(CREATE, { i: { eventId: other.eventIds[0], daysBefore: [7] } }, { token: w.owner.token }))).toBe('NOT_FOUND');
    const bad = await s.gql(CREATE, { i: { eventId: w.eventIds[0], daysBefore: [-1] } }, { token: w.owner.token });
    expect(bad.body.data.createMessageReminder.__typename).toBe('ValidationError');
    expect(await s.app.db.prisma.commReminder.count({ where: { occasionId: rawId(w.occasionId) } })).toBe(0);
  });
});
