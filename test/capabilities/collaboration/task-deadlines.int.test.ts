import { describe, expect, it } from 'vitest';
import { runTaskDeadlines } from '../../../src/capabilities/collaboration/deadlines/deadline-scan.js';
import { createTasks, type NewTask } from '../../../src/capabilities/collaboration/tasks.service.js';
import type { Caller } from '../../../src/platform/principal.js';
import { addCollaborator, buildWorld, must, uniq, type TestUser, type World } from '../../support/factories.js';
import { startMailingServer } from '../../support/mailing.js';
import { globalId, rawId } from '../../support/rows.js';

/**
 * Collaboration's deadlines through Communications, against PostgreSQL and a
 * real SMTP server: a task reminds its people once when its reminder time
 * comes (followUpAt, else 24 h before dueAt), and a task left open past its
 * due date is escalated once — to its owner, else to the planners — with
 * task.overdue. Times read on the occasion's clock, in the reader's language.
 *
 * The scan runs at chosen instants (remindNow(at), as the sender's sweep runs
 * it) over every occasion of this file's database. So each test's tasks fall
 * in a year of its own, earlier than the tests before it: an instant a test
 * picks is before any earlier test's reminder or due time, and the counts it
 * sees are its own.
 */

const { s, smtp, sender } = await startMailingServer();

const HOUR = 3_600_000;
const UPDATE_OCCASION = `mutation($i: UpdateOccasionInput!) { updateOccasion(input: $i) { __typename ... on Error { code message } } }`;
const UPDATE_ACTOR = `mutation($i: UpdateActorInput!) { updateActor(input: $i) { __typename ... on Error { code message } } }`;
const COMPLETE = `mutation($i: CompleteTaskInput!) { completeTask(input: $i) { __typename ... on Error { code message } } }`;
const CANCEL = `mutation($i: TaskIdInput!) { cancelTask(input: $i) { __typename ... on Error { code message } } }`;
const TASKS = `query($id: ID!) { occasion(id: $id) { tasks(first: 20) { edges { node { id status dueAt remindedAt overdueAt } } } } }`;

const system: Caller = { principal: { kind: 'system', reason: 'test-deadlines', actions: [] }, requestId: `deadlines-${uniq()}` };
type Helper = TestUser & { actorId: string };

/** An occasion in Jerusalem (English, British style: 19:00 reads "19:00"), two helpers and three households to call. */
async function deadlineWorld(extra: Record<string, undefined> = {}): Promise<{ w: World; h1: Helper; h2: Helper; ownerActorId: string }> {
  const w = await buildWorld(s, { events: 1, households: [1, 1, 1], collaborators: { helper: undefined, ...extra } });
  await must(s, w.owner.token, UPDATE_OCCASION, { i: { id: w.occasionId, timezone: 'Asia/Jerusalem', defaultLocale: 'en-GB' } });
  const h2 = await addCollaborator(s, w.owner, w.occasionId, 'helper');
  const owner = await s.app.db.prisma.actor.findFirstOrThrow({ where: { occasionId: rawId(w.occasionId), userId: rawId(w.owner.userId) } });
  return { w, h1: w.people.helper!, h2, ownerActorId: owner.id };
}

/** One task as `u` reads it through the API. */
const readTask = async (u: TestUser, w: World, id: string) =>
  (await must(s, u.token, TASKS, { id: w.occasionId })).occasion.tasks.edges
    .map((e: { node: { id: string } }) => e.node)
    .find((t: { id: string }) => t.id === globalId('Task', id));

/** Tasks written as a feature writes them (the service, in a transaction); their raw ids. */
async function seedTasks(w: World, specs: (Partial<NewTask> & { household: number })[]): Promise<string[]> {
  const created = await s.app.db.prisma.$transaction((tx) =>
    createTasks(
      tx,
      system,
      s.app.moduleRegistry,
      rawId(w.occasionId),
      specs.map(({ household, ...spec }) => ({
        kind: 'rsvp.follow_up',
        resourceId: rawId(w.households[household]!.id),
        title: `Call Household ${household + 1}`,
        ...spec,
      })),
    ),
  );
  return created.map((t) => t.id);
}

const deliveries = (w: World, kind: 'TASK_REMINDER' | 'TASK_OVERDUE') =>
  s.app.db.prisma.commDelivery.findMany({ where: { occasionId: rawId(w.occasionId), kind }, orderBy: { id: 'asc' } });
const mailTo = (u: { email: string }, subject: RegExp) =>
  smtp.messages.filter((m) => m.envelope.to[0] === u.email && subject.test(m.parsed.subject ?? ''));
/** A message's text on one line (the text part is wrapped). */
const flat = (text: string | undefined) => (text ?? '').replace(/\s+/g, ' ');
const outbox = (w: World, type: string) => s.app.db.prisma.outboxEvent.findMany({ where: { occasionId: rawId(w.occasionId), type } });

describe('task reminders', () => {
  it('remind the assignee once, 24 h before the task is due, with the due time on the occasion’s clock', async () => {
    const { w, h1, h2 } = await deadlineWorld();
    // 19:00 in Jerusalem (UTC+2 in early March).
    const due = new Date('2040-03-08T17:00:00Z');
    const [held] = await seedTasks(w, [{ household: 0, assigneeActorId: rawId(h1.actorId), dueAt: due }]);

    // given: 25 hours before, nothing is due
    expect(await sender.remindNow(new Date(due.getTime() - 25 * HOUR))).toBe(0);
    expect(await deliveries(w, 'TASK_REMINDER')).toHaveLength(0);
    // when: 23 hours before, the reminder goes out — two workers looking at once still send one
    const at = new Date(due.getTime() - 23 * HOUR);
    const [a, b] = await Promise.all([runTaskDeadlines(s.app, at), runTaskDeadlines(s.app, at)]);
    expect(a.reminded + b.reminded).toBe(1);
    // then: looking again, now or later before it is due, sends nothing more
    expect(await sender.remindNow(at)).toBe(0);
    expect(await sender.remindNow(new Date(due.getTime() - HOUR))).toBe(0);
    await sender.drain();

    const sent = await deliveries(w, 'TASK_REMINDER');
    expect(sent.map((d) => [d.address, d.status, d.category, d.locale])).toEqual([[h1.email, 'SENT', 'TRANSACTIONAL', 'en']]);
    const [mail] = mailTo(h1, /^Reminder/);
    expect(mail!.parsed.subject).toMatch(/^Reminder: Call Household 1 \(Occasion /);
    expect(flat(mail!.parsed.text)).toContain('Due Thursday, 8 March 2040 at 19:00.');
    expect(flat(mail!.parsed.text)).not.toContain('17:00');
    expect(mail!.parsed.html).toContain(`/tasks/${globalId('Task', held!)}`);
    expect(mailTo(h2, /^Reminder/)).toHaveLength(0);

    const task = await readTask(h1, w, held!);
    expect(task).toMatchObject({ status: 'CLAIMED', remindedAt: at.toISOString(), overdueAt: null });
    // The reminder is a send of its own, in the communication log and audited as one.
    expect(await outbox(w, 'communication.queued')).toHaveLength(1);
  });

  it('remind an open task’s candidate at its followUpAt, in Hebrew for a Hebrew-speaking helper', async () => {
    const { w, h2 } = await deadlineWorld();
    await must(s, w.owner.token, UPDATE_ACTOR, { i: { id: h2.actorId, attributes: { locale: 'he' } } });
    const due = new Date('2039-03-10T17:00:00Z');
    const followUp = new Date('2039-03-06T08:00:00Z');
    await seedTasks(w, [{ household: 1, candidateActorIds: [rawId(h2.actorId)], dueAt: due, followUpAt: followUp, priority: 'HIGH' }]);

    expect(await sender.remindNow(new Date(followUp.getTime() - HOUR))).toBe(0);
    expect(await sender.remindNow(followUp)).toBe(1);
    // Its follow-up date replaced the day-before reminder: none comes then.
    expect(await sender.remindNow(new Date(due.getTime() - 2 * HOUR))).toBe(0);
    await sender.drain();

    const [mail, ...more] = mailTo(h2, /Household 2/);
    expect(more).toHaveLength(0);
    expect(mail!.parsed.subject).toMatch(/^תזכורת: Call Household 2 \(Occasion /);
    expect(mail!.parsed.html).toContain('<html lang="he" dir="rtl">');
    expect(flat(mail!.parsed.text)).toContain('(עדיפות גבוהה)');
    expect(flat(mail!.parsed.text)).toContain('מועד אחרון: יום חמישי, 10 במרץ 2039 בשעה 19:00');
  });

  it('are never sent for a task done or cancelled before its time, nor escalated once it passes', async () => {
    const { w, h1 } = await deadlineWorld();
    const due = new Date('2038-03-10T17:00:00Z');
    const [done, cancelled] = await seedTasks(w, [
      { household: 0, assigneeActorId: rawId(h1.actorId), dueAt: due },
      { household: 1, assigneeActorId: rawId(h1.actorId), dueAt: due },
    ]);
    await must(s, h1.token, COMPLETE, { i: { taskId: globalId('Task', done!), outcome: 'REACHED' } });
    await must(s, w.owner.token, CANCEL, { i: { taskId: globalId('Task', cancelled!) } });

    expect(await sender.remindNow(new Date(due.getTime() - 2 * HOUR))).toBe(0);
    expect(await sender.remindNow(new Date(due.getTime() + 2 * HOUR))).toBe(0);
    expect(await deliveries(w, 'TASK_REMINDER')).toHaveLength(0);
    expect(await deliveries(w, 'TASK_OVERDUE')).toHaveLength(0);
    expect(await outbox(w, 'task.overdue')).toHaveLength(0);
  });

  it('skip and count a candidate no message can reach (a team without an account), and still remind the others', async () => {
    const { w, h1 } = await deadlineWorld();
    const team = await s.app.db.prisma.actor.create({ data: { occasionId: rawId(w.occasionId), kind: 'TEAM', displayName: 'Ushers' } });
    const due = new Date('2037-03-10T17:00:00Z');
    await seedTasks(w, [{ household: 0, candidateActorIds: [team.id, rawId(h1.actorId)], dueAt: due }]);

    const run = await runTaskDeadlines(s.app, new Date(due.getTime() - 3 * HOUR));
    expect(run).toEqual({ reminded: 1, escalated: 0, queued: 1, unreachable: 1 });
    expect((await deliveries(w, 'TASK_REMINDER')).map((d) => d.recipientActorId)).toEqual([rawId(h1.actorId)]);
  });
});

describe('overdue tasks', () => {
  it('are marked overdue and escalated once to their owner, with task.overdue, when they pass their due date undone', async () => {
    const { w, h1, ownerActorId } = await deadlineWorld();
    const due = new Date('2036-03-10T17:00:00Z');
    const [late] = await seedTasks(w, [{ household: 2, ownerActorId, assigneeActorId: rawId(h1.actorId), dueAt: due }]);

    // given: its reminder went out the day before
    expect(await sender.remindNow(new Date(due.getTime() - 20 * HOUR))).toBe(1);
    // when: an hour past due, still held
    const at = new Date(due.getTime() + HOUR);
    expect(await sender.remindNow(at)).toBe(1);
    // then: once — the next look, and a later one, find it already escalated
    expect(await sender.remindNow(at)).toBe(0);
    expect(await sender.remindNow(new Date(due.getTime() + 48 * HOUR))).toBe(0);
    await sender.drain();

    const notices = await deliveries(w, 'TASK_OVERDUE');
    expect(notices.map((d) => [d.address, d.status])).toEqual([[w.owner.email, 'SENT']]);
    const [mail] = mailTo(w.owner, /^Overdue/);
    expect(mail!.parsed.subject).toMatch(/^Overdue: Call Household 3 \(Occasion /);
    expect(flat(mail!.parsed.text)).toContain('was due Monday, 10 March 2036 at 19:00');
    expect(flat(mail!.parsed.text)).toContain('helper person has it.');
    expect(mailTo(h1, /^Overdue/)).toHaveLength(0);

    const events = await outbox(w, 'task.overdue');
    expect(events.map((e) => e.payload)).toEqual([
      expect.objectContaining({ taskId: late, dueAt: due.toISOString(), assigneeActorId: rawId(h1.actorId), escalatedTo: 'OWNER' }),
    ]);
    const audit = await s.app.db.prisma.auditLog.findMany({ where: { occasionId: rawId(w.occasionId), action: 'tasks:escalate' } });
    expect(audit.map((a) => [a.targetId, a.principalType])).toEqual([[late, 'system']]);
    // The notice is part of the escalation: no send event of its own (the reminder's is the one).
    expect(await outbox(w, 'communication.queued')).toHaveLength(1);

    const task = await readTask(w.owner, w, late!);
    expect(task).toMatchObject({ status: 'CLAIMED', overdueAt: at.toISOString() });
  });

  it('without an owner go to the planners who manage tasks (not to helpers), each in their own language', async () => {
    const { w, h1, h2 } = await deadlineWorld({ co_planner: undefined });
    const co = w.people.co_planner!;
    await must(s, w.owner.token, UPDATE_ACTOR, { i: { id: co.actorId, attributes: { locale: 'he' } } });
    const due = new Date('2035-03-09T17:00:00Z');
    const [open] = await seedTasks(w, [{ household: 0, candidateActorIds: [rawId(h2.actorId)], dueAt: due }]);

    const run = await runTaskDeadlines(s.app, new Date(due.getTime() + 10 * 60_000));
    expect(run).toMatchObject({ escalated: 1, queued: 2, unreachable: 0 });
    await sender.drain();

    const notices = await deliveries(w, 'TASK_OVERDUE');
    expect(notices.map((d) => [d.address, d.locale]).sort()).toEqual(
      [
        [w.owner.email, 'en'],
        [co.email, 'he'],
      ].sort(),
    );
    const [hebrew] = mailTo(co, /Household 1/);
    expect(hebrew!.parsed.subject).toMatch(/^באיחור: Call Household 1/);
    expect(flat(hebrew!.parsed.text)).toContain('עד יום שישי, 9 במרץ 2035 בשעה 19:00');
    expect(flat(hebrew!.parsed.text)).toContain('איש עדיין לא לקח אותה.');
    for (const helper of [h1, h2]) expect(mailTo(helper, /Household 1/)).toHaveLength(0);
    expect((await outbox(w, 'task.overdue')).map((e) => e.payload)).toEqual([expect.objectContaining({ taskId: open, escalatedTo: 'PLANNERS' })]);
  });
});
