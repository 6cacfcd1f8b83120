import { describe, expect, it } from 'vitest';
import { createTasks, type NewTask } from '../../../src/capabilities/collaboration/tasks.service.js';
import type { Caller } from '../../../src/platform/principal.js';
import { addCollaborator, buildWorld, must, uniq, type TestUser, type World } from '../../support/factories.js';
import { errorCode, startServer } from '../../support/harness.js';
import { globalId, rawId, watchOccasion } from '../../support/rows.js';

/**
 * Collaboration's tasks end to end over real HTTP: RSVP's follow-up calls
 * split among helpers, claiming (two at once: one wins), handing back,
 * reassigning, completing, deadlines, and who sees which task.
 */

const s = await startServer();

const TASK = `id kind title status assigneeId candidateIds assignedToMe claimableByMe outcome revision resourceId`;
const FOLLOW_UP = `mutation($i: CreateRsvpFollowUpTasksInput!) { createRsvpFollowUpTasks(input: $i) { __typename
  ... on CreateRsvpFollowUpTasksPayload { skipped tasks { ${TASK} } } ... on Error { code message } } }`;
const BULK = `mutation($i: CreateRsvpInvitationsFromHouseholdsInput!) { createRsvpInvitationsFromHouseholds(input: $i) { __typename } }`;
const MY_TASKS = `query($f: MyTasksFilter) { myTasks(first: 50, filter: $f) { totalCount edges { node { ${TASK} } } } }`;
const OCCASION_TASKS = `query($id: ID!, $f: TaskFilter) { occasion(id: $id) { tasks(first: 50, filter: $f) { totalCount edges { node { ${TASK} } } } } }`;
const result = (name: string, input: string, extra = '') => `mutation($i: ${input}!) { ${name}(input: $i) { __typename
  ... on TaskPayload { task { ${TASK} } } ${extra} ... on Error { code message } } }`;
const CLAIM = result('claimTask', 'TaskIdInput', '... on TaskDeadlinePassedError { dueAt }');
const UNCLAIM = result('unclaimTask', 'TaskIdInput');
const COMPLETE = result('completeTask', 'CompleteTaskInput', '... on ValidationError { fields { path } }');
const REASSIGN = result('reassignTask', 'ReassignTaskInput');
const CANCEL = result('cancelTask', 'TaskIdInput');

/** A task mutation's result, typed errors included (must() would throw on those). */
const run = async (token: string, q: string, v: Record<string, unknown>) => {
  const r = await s.gql(q, v, { token });
  expect(r.body.errors, JSON.stringify(r.body.errors)).toBeUndefined();
  return r.body.data;
};

type Helper = TestUser & { actorId: string };
interface TaskWorld {
  w: World;
  h1: Helper;
  h2: Helper;
  vendor: Helper;
}

/** An occasion with RSVP on its first event, three households invited (all pending), two helpers and a vendor contact. */
async function taskWorld(): Promise<TaskWorld> {
  const w = await buildWorld(s, {
    events: 2,
    households: [2, 1, 3],
    modules: { rsvp: [0] },
    collaborators: { helper: undefined, vendor: undefined },
  });
  await must(s, w.owner.token, BULK, { i: { occasionId: w.occasionId, eventIds: [w.eventIds[0]] } });
  const h2 = await addCollaborator(s, w.owner, w.occasionId, 'helper');
  return { w, h1: w.people.helper!, h2, vendor: w.people.vendor! };
}

const system: Caller = { principal: { kind: 'system', reason: 'test-tasks', actions: [] }, requestId: `tasks-${uniq()}` };

/** A task written as a feature would (the service, in a transaction): returns its global id. */
async function seedTask(w: World, spec: Partial<NewTask> & { candidates?: string[] }) {
  const [task] = await s.app.db.prisma.$transaction((tx) =>
    createTasks(tx, system, s.app.moduleRegistry, rawId(w.occasionId), [
      {
        kind: 'rsvp.follow_up',
        resourceId: rawId(w.households[0]!.id),
        title: 'Call Household 1',
        candidateActorIds: (spec.candidates ?? []).map(rawId),
        ...spec,
      },
    ]),
  );
  return globalId('Task', task!.id);
}

const tasksOf = async (w: World) => s.app.db.prisma.task.findMany({ where: { occasionId: rawId(w.occasionId) }, orderBy: { id: 'asc' } });
const myTasks = async (u: TestUser, f: Record<string, unknown> = {}) => (await must(s, u.token, MY_TASKS, { f })).myTasks;
const occasionTasks = async (w: World, u: TestUser) => (await must(s, u.token, OCCASION_TASKS, { id: w.occasionId })).occasion.tasks;
const titles = (c: { edges: { node: { title: string } }[] }) => c.edges.map((e) => e.node.title).sort();

describe('RSVP follow-up calls', () => {
  it('splits the pending households round-robin among two helpers; each sees only theirs; the planner sees all', async () => {
    const { w, h1, h2 } = await taskWorld();
    const watch = await watchOccasion(s, w.occasionId);
    const r = await must(s, w.owner.token, FOLLOW_UP, { i: { eventId: w.eventIds[0], helperActorIds: [h1.actorId, h2.actorId] } });
    const p = r.createRsvpFollowUpTasks;
    expect(p.__typename).toBe('CreateRsvpFollowUpTasksPayload');
    expect(p.skipped).toBe(0);
    // By household name: 1 → first helper, 2 → second, 3 → first again.
    expect(p.tasks.map((t: { title: string; candidateIds: string[]; status: string }) => [t.title, t.candidateIds, t.status])).toEqual([
      ['Call Household 1', [h1.actorId], 'OPEN'],
      ['Call Household 2', [h2.actorId], 'OPEN'],
      ['Call Household 3', [h1.actorId], 'OPEN'],
    ]);
    expect(p.tasks.map((t: { resourceId: string }) => t.resourceId)).toEqual(w.households.map((h) => h.id));
    expect((await watch.audit()).map((a) => a.action)).toEqual(['tasks:create']);

    const mine1 = await myTasks(h1);
    expect(mine1.totalCount).toBe(2);
    expect(titles(mine1)).toEqual(['Call Household 1', 'Call Household 3']);
    expect(mine1.edges.every((e: { node: { claimableByMe: boolean } }) => e.node.claimableByMe)).toBe(true);
    expect(titles(await myTasks(h2))).toEqual(['Call Household 2']);
    // Through the occasion too, filtered in SQL: the count is of their own.
    const viaOccasion = await occasionTasks(w, h2);
    expect({ total: viaOccasion.totalCount, titles: titles(viaOccasion) }).toEqual({ total: 1, titles: ['Call Household 2'] });
    expect((await occasionTasks(w, w.owner)).totalCount).toBe(3);

    // Again: every household already has an open follow-up.
    const again = await must(s, w.owner.token, FOLLOW_UP, { i: { eventId: w.eventIds[0], helperActorIds: [h2.actorId] } });
    expect(again.createRsvpFollowUpTasks).toMatchObject({ skipped: 3, tasks: [] });
    expect(await tasksOf(w)).toHaveLength(3);
  });

  it('a helper marks its call done with an outcome (task.completed); a wrong outcome or someone else’s call changes nothing', async () => {
    const { w, h1, h2 } = await taskWorld();
    const p = (await must(s, w.owner.token, FOLLOW_UP, { i: { eventId: w.eventIds[0], helperActorIds: [h1.actorId, h2.actorId] } }))
      .createRsvpFollowUpTasks;
    const call = p.tasks[0].id;
    const watch = await watchOccasion(s, w.occasionId);
    const bad = await run(h1.token, COMPLETE, { i: { taskId: call, outcome: 'MAYBE' } });
    expect(bad.completeTask).toMatchObject({ __typename: 'ValidationError', fields: [{ path: 'input.outcome' }] });
    const notYours = await run(h2.token, COMPLETE, { i: { taskId: call, outcome: 'REACHED' } });
    expect(notYours.completeTask.__typename).toBe('NotACandidateError');
    expect(await watch.outbox()).toEqual([]);
    expect(await watch.audit()).toEqual([]);

    const done = await run(h1.token, COMPLETE, { i: { taskId: call, outcome: 'REACHED' } });
    expect(done.completeTask.task).toMatchObject({ status: 'DONE', outcome: 'REACHED', assigneeId: h1.actorId, assignedToMe: true });
    const events = await watch.outbox();
    expect(events.map((e) => e.type)).toEqual(['task.assigned', 'task.completed']);
    expect(events[1]).toMatchObject({ eventId: rawId(w.eventIds[0]!), occasionId: rawId(w.occasionId) });
    expect(events[1]!.payload).toMatchObject({ kind: 'rsvp.follow_up', outcome: 'REACHED', completedByActorId: rawId(h1.actorId) });
    const row = (await tasksOf(w)).find((t) => t.id === rawId(call))!;
    expect(row).toMatchObject({ status: 'DONE', completedByActorId: rawId(h1.actorId) });
    expect(row.completedAt).toBeInstanceOf(Date);

    const twice = await run(h1.token, COMPLETE, { i: { taskId: call, outcome: 'REACHED' } });
    expect(twice.completeTask.__typename).toBe('TaskClosedError');
  });

  it('refuses helpers of another occasion (NOT_FOUND) and callers without tasks:manage', async () => {
    const { w, h1 } = await taskWorld();
    const other = await taskWorld();
    const foreign = await s.gql(FOLLOW_UP, { i: { eventId: w.eventIds[0], helperActorIds: [other.h1.actorId] } }, { token: w.owner.token });
    expect(errorCode(foreign)).toBe('NOT_FOUND');
    const asHelper = await s.gql(FOLLOW_UP, { i: { eventId: w.eventIds[0], helperActorIds: [h1.actorId] } }, { token: h1.token });
    expect(errorCode(asHelper)).toBe('FORBIDDEN');
    expect(await tasksOf(w)).toEqual([]);
  });
});

describe('claiming', () => {
  it('claim, hand back, claim by the other candidate, complete; a closed task stays closed', async () => {
    const { w, h1, h2 } = await taskWorld();
    const id = await seedTask(w, { candidates: [h1.actorId, h2.actorId] });
    const watch = await watchOccasion(s, w.occasionId);

    const claimed = await run(h1.token, CLAIM, { i: { taskId: id } });
    expect(claimed.claimTask.task).toMatchObject({ status: 'CLAIMED', assigneeId: h1.actorId, assignedToMe: true, revision: 1 });
    expect((await watch.outbox()).map((e) => [e.type, (e.payload as { via: string }).via])).toEqual([['task.assigned', 'CLAIM']]);
    // The other candidate still sees it, held by someone else.
    const seen = (await myTasks(h2)).edges.map((e: { node: unknown }) => e.node);
    expect(seen).toMatchObject([{ id, status: 'CLAIMED', assignedToMe: false, claimableByMe: false }]);
    expect((await run(h2.token, CLAIM, { i: { taskId: id } })).claimTask.__typename).toBe('TaskAlreadyClaimedError');
    expect((await run(h2.token, UNCLAIM, { i: { taskId: id } })).unclaimTask.__typename).toBe('TaskAlreadyClaimedError');
    // Claiming one's own again changes nothing.
    expect((await run(h1.token, CLAIM, { i: { taskId: id } })).claimTask.task.revision).toBe(1);

    const back = await run(h1.token, UNCLAIM, { i: { taskId: id } });
    expect(back.unclaimTask.task).toMatchObject({ status: 'OPEN', assigneeId: null });
    expect((await run(h2.token, CLAIM, { i: { taskId: id } })).claimTask.task).toMatchObject({ status: 'CLAIMED', assigneeId: h2.actorId });
    expect((await run(h2.token, COMPLETE, { i: { taskId: id, outcome: 'NO_ANSWER' } })).completeTask.task.status).toBe('DONE');
    expect((await run(h1.token, CLAIM, { i: { taskId: id } })).claimTask.__typename).toBe('TaskClosedError');
    expect((await watch.audit()).map((a) => a.action)).toEqual(['tasks:claim', 'tasks:unclaim', 'tasks:claim', 'tasks:complete']);
  });

  it('two candidates claiming at once: exactly one wins, the other gets TaskAlreadyClaimedError', async () => {
    const { w, h1, h2 } = await taskWorld();
    for (let round = 0; round < 3; round++) {
      const id = await seedTask(w, { candidates: [h1.actorId, h2.actorId], title: `Round ${round}` });
      const watch = await watchOccasion(s, w.occasionId);
      const [a, b] = await Promise.all([h1, h2].map((h) => run(h.token, CLAIM, { i: { taskId: id } })));
      const outcomes = [a.claimTask.__typename, b.claimTask.__typename].sort();
      expect(outcomes).toEqual(['TaskAlreadyClaimedError', 'TaskPayload']);
      const winner = a.claimTask.__typename === 'TaskPayload' ? h1 : h2;
      const row = (await tasksOf(w)).find((t) => t.id === rawId(id))!;
      expect(row).toMatchObject({ status: 'CLAIMED', assigneeActorId: rawId(winner.actorId), revision: 1 });
      const events = await watch.outbox();
      expect(events.map((e) => e.type)).toEqual(['task.assigned']);
      expect(events[0]!.payload).toMatchObject({ assigneeActorId: rawId(winner.actorId) });
      expect(await watch.audit()).toHaveLength(1);
    }
  });

  it('refuses a claim after the due date, and anyone who is not a candidate — nothing written', async () => {
    const { w, h1, h2, vendor } = await taskWorld();
    const overdue = await seedTask(w, { candidates: [h1.actorId], dueAt: new Date(Date.now() - 60_000) });
    const notForThem = await seedTask(w, { candidates: [h1.actorId], dueAt: new Date(Date.now() + 86_400_000) });
    const watch = await watchOccasion(s, w.occasionId);
    const before = await tasksOf(w);

    const late = await run(h1.token, CLAIM, { i: { taskId: overdue } });
    expect(late.claimTask).toMatchObject({ __typename: 'TaskDeadlinePassedError', code: 'TASK_DEADLINE_PASSED' });
    expect(new Date(late.claimTask.dueAt).getTime()).toBeLessThan(Date.now());
    for (const u of [h2, vendor, w.owner]) {
      const r = await run(u.token, CLAIM, { i: { taskId: notForThem } });
      expect(r.claimTask.__typename).toBe('NotACandidateError');
    }
    expect(await tasksOf(w)).toEqual(before);
    expect(await watch.outbox()).toEqual([]);
    expect(await watch.audit()).toEqual([]);
  });
});

describe('reassigning and cancelling (planners)', () => {
  it('reassignment emits task.assigned with who had it; back to the candidates; helpers may not reassign', async () => {
    const { w, h1, h2 } = await taskWorld();
    const id = await seedTask(w, { candidates: [h1.actorId] });
    await run(h1.token, CLAIM, { i: { taskId: id } });
    const watch = await watchOccasion(s, w.occasionId);

    const moved = await run(w.owner.token, REASSIGN, { i: { taskId: id, assigneeId: h2.actorId } });
    expect(moved.reassignTask.task).toMatchObject({ status: 'CLAIMED', assigneeId: h2.actorId });
    const events = await watch.outbox();
    expect(events.map((e) => e.type)).toEqual(['task.assigned']);
    expect(events[0]!.payload).toMatchObject({ via: 'REASSIGN', assigneeActorId: rawId(h2.actorId), previousAssigneeActorId: rawId(h1.actorId) });
    // Now h2 (not a candidate) holds it and sees it; h1 (a candidate) sees it held by someone else.
    expect((await myTasks(h2)).edges[0].node).toMatchObject({ id, assignedToMe: true });
    expect((await run(h1.token, CLAIM, { i: { taskId: id } })).claimTask.__typename).toBe('TaskAlreadyClaimedError');

    const open = await run(w.owner.token, REASSIGN, { i: { taskId: id } });
    expect(open.reassignTask.task).toMatchObject({ status: 'OPEN', assigneeId: null });
    expect(errorCode(await s.gql(REASSIGN, { i: { taskId: id, assigneeId: h1.actorId } }, { token: h1.token }))).toBe('FORBIDDEN');
    expect(errorCode(await s.gql(CANCEL, { i: { taskId: id } }, { token: h2.token }))).toBe('FORBIDDEN');

    const cancelled = await run(w.owner.token, CANCEL, { i: { taskId: id } });
    expect(cancelled.cancelTask.task.status).toBe('CANCELLED');
    expect((await run(w.owner.token, REASSIGN, { i: { taskId: id, assigneeId: h1.actorId } })).reassignTask.__typename).toBe('TaskClosedError');
    expect((await run(h1.token, COMPLETE, { i: { taskId: id, outcome: 'REACHED' } })).completeTask.__typename).toBe('TaskClosedError');
    expect((await watch.outbox()).map((e) => e.type)).toEqual(['task.assigned', 'task.assigned']);
  });
});

describe('who sees which task', () => {
  it('a vendor sees only what is assigned to it or its vendor, or claimable by it; never the others', async () => {
    const { w, h1, vendor } = await taskWorld();
    // A vendor organisation the contact belongs to: a task for the organisation is the contact's too.
    const org = await must(s, w.owner.token, `mutation($i: CreateActorInput!) { createActor(input: $i) { ... on ActorPayload { actor { id } } } }`, {
      i: { occasionId: w.occasionId, kind: 'VENDOR', displayName: 'Florist' },
    });
    const orgId = org.createActor.actor.id as string;
    await must(s, w.owner.token, `mutation($i: AddMembershipInput!) { addMembership(input: $i) { __typename } }`, {
      i: { groupId: orgId, memberId: vendor.actorId },
    });
    await seedTask(w, { title: 'Helper call', candidates: [h1.actorId] });
    await seedTask(w, { title: 'Vendor candidate', candidates: [vendor.actorId] });
    await seedTask(w, { title: 'For the florist', assigneeActorId: rawId(orgId) });
    await seedTask(w, { title: 'Someone else’s', assigneeActorId: rawId(h1.actorId) });
    await seedTask(w, { title: 'By role', candidateRole: 'vendor' });

    const mine = await myTasks(vendor);
    expect(titles(mine)).toEqual(['By role', 'For the florist', 'Vendor candidate']);
    expect(mine.totalCount).toBe(3);
    expect(titles(await occasionTasks(w, vendor))).toEqual(['By role', 'For the florist', 'Vendor candidate']);
    expect(titles(await myTasks(h1))).toEqual(['Helper call', 'Someone else’s']);
    expect((await occasionTasks(w, w.owner)).totalCount).toBe(5);
    // Filters narrow within what one may see.
    expect((await myTasks(vendor, { status: ['CLAIMED'] })).totalCount).toBe(1);
    expect((await myTasks(vendor, { kind: 'rsvp.follow_up', status: ['OPEN', 'CLAIMED'] })).totalCount).toBe(3);
  });

  it('another occasion’s task is NOT_FOUND, like one that does not exist', async () => {
    const a = await taskWorld();
    const b = await taskWorld();
    const id = await seedTask(b.w, { candidates: [b.h1.actorId] });
    const nowhere = globalId('Task', '0190a0a0-0000-7000-8000-000000000000');
    for (const [token, m] of [
      [a.h1.token, CLAIM],
      [a.h1.token, UNCLAIM],
      [a.w.owner.token, CLAIM],
      [a.w.owner.token, REASSIGN],
      [a.w.owner.token, CANCEL],
    ] as const) {
      const mine = await s.gql(m, { i: { taskId: id } }, { token });
      const none = await s.gql(m, { i: { taskId: nowhere } }, { token });
      expect(errorCode(mine)).toBe('NOT_FOUND');
      expect(none.body).toEqual(mine.body);
    }
    expect(errorCode(await s.gql(COMPLETE, { i: { taskId: id, outcome: 'REACHED' } }, { token: a.h1.token }))).toBe('NOT_FOUND');
    expect((await myTasks(a.h1)).totalCount).toBe(0);
    // Reassigning one's own task to another occasion's actor: NOT_FOUND, nothing written.
    const own = await seedTask(a.w, { candidates: [a.h1.actorId] });
    expect(errorCode(await s.gql(REASSIGN, { i: { taskId: own, assigneeId: b.h1.actorId } }, { token: a.w.owner.token }))).toBe('NOT_FOUND');
    expect((await tasksOf(b.w))[0]).toMatchObject({ status: 'OPEN', assigneeActorId: null, revision: 0 });
    expect((await tasksOf(a.w))[0]).toMatchObject({ status: 'OPEN', assigneeActorId: null, revision: 0 });
  });
});

describe('reading task lists', () => {
  /** Waits until no statement has run for 50 ms (live summaries are recomputed in the background after RSVP writes). */
  async function quiet() {
    let last = -1;
    while (last !== s.app.db.statements.count) {
      last = s.app.db.statements.count;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const statementsFor = async (fn: () => Promise<unknown>) => {
    await quiet();
    const before = s.app.db.statements.count;
    await fn();
    return s.app.db.statements.count - before;
  };

  it('a helper’s and a planner’s lists take as many statements for 12 tasks as for 2', async () => {
    const { w, h1 } = await taskWorld();
    for (let i = 0; i < 2; i++) await seedTask(w, { title: `Task ${i}`, candidates: [h1.actorId] });
    const read = () =>
      Promise.all([myTasks(h1), occasionTasks(w, h1), occasionTasks(w, w.owner)]).then(([a, b, c]) => [a.totalCount, b.totalCount, c.totalCount]);
    let counts: number[] = [];
    const small = await statementsFor(async () => (counts = await read()));
    expect(counts).toEqual([2, 2, 2]);
    for (let i = 2; i < 12; i++) await seedTask(w, { title: `Task ${i}`, candidates: [h1.actorId] });
    const large = await statementsFor(async () => (counts = await read()));
    expect(counts).toEqual([12, 12, 12]);
    expect(large).toBe(small);
  });
});
