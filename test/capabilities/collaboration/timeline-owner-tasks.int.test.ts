import { describe, expect, it } from 'vitest';
import { buildWorld, must } from '../../support/factories.js';
import { errorCode, startServer } from '../../support/harness.js';
import { rawId, watchOccasion } from '../../support/rows.js';

/**
 * Timeline's use of Collaboration: each run-of-show item becomes a task of
 * the actor responsible for it (a vendor, a helper), assigned outright and
 * due when the item starts; each sees only its own and marks it done.
 */

const s = await startServer();

const TASK = `id kind title status assigneeId assignedToMe dueAt resourceId`;
const OWNER_TASKS = `mutation($i: CreateTimelineOwnerTasksInput!) { createTimelineOwnerTasks(input: $i) { __typename
  ... on CreateTimelineOwnerTasksPayload { skipped tasks { ${TASK} } } } }`;
const MY_TASKS = `query { myTasks(first: 50) { totalCount edges { node { ${TASK} } } } }`;
const COMPLETE = `mutation($i: CompleteTaskInput!) { completeTask(input: $i) { __typename ... on TaskPayload { task { ${TASK} outcome } } ... on Error { code } } }`;
const ITEM = `mutation($i: CreateTimelineItemInput!) { createTimelineItem(input: $i) { ... on TimelineItemPayload { item { id } } } }`;

describe('timeline items as tasks of who is responsible', () => {
  it('one task per item and responsible actor, assigned and due at the start; each sees its own; running again adds nothing', async () => {
    const w = await buildWorld(s, { events: 1, collaborators: { helper: undefined, vendor: undefined } });
    const t = w.owner.token;
    const { vendor, helper } = w.people;
    await must(s, t, `mutation($i: InstallModuleInput!) { installModule(input: $i) { __typename } }`, {
      i: { occasionId: w.occasionId, moduleKey: 'timeline' },
    });
    await must(s, t, `mutation($i: EnableModuleInput!) { enableModule(input: $i) { __typename } }`, {
      i: { eventId: w.eventIds[0], moduleKey: 'timeline' },
    });
    const flowers = (
      await must(s, t, ITEM, {
        i: { eventId: w.eventIds[0], title: 'Flowers set up', startsAt: '2027-06-10T14:00:00Z', responsibleActorIds: [vendor!.actorId] },
      })
    ).createTimelineItem.item.id;
    await must(s, t, ITEM, {
      i: { eventId: w.eventIds[0], title: 'Guest book', startsAt: '2027-06-10T16:00:00Z', responsibleActorIds: [helper!.actorId] },
    });
    await must(s, t, ITEM, { i: { eventId: w.eventIds[0], title: 'Speeches', startsAt: '2027-06-10T19:00:00Z' } });
    const watch = await watchOccasion(s, w.occasionId);

    const r = (await must(s, t, OWNER_TASKS, { i: { eventId: w.eventIds[0] } })).createTimelineOwnerTasks;
    expect(r.skipped).toBe(0);
    expect(
      r.tasks.map((x: { title: string; status: string; assigneeId: string; dueAt: string }) => [x.title, x.status, x.assigneeId, x.dueAt]),
    ).toEqual([
      ['Flowers set up', 'CLAIMED', vendor!.actorId, '2027-06-10T14:00:00.000Z'],
      ['Guest book', 'CLAIMED', helper!.actorId, '2027-06-10T16:00:00.000Z'],
    ]);
    expect(r.tasks[0]).toMatchObject({ kind: 'timeline.item_owner', resourceId: flowers });
    expect((await watch.outbox()).map((e) => [e.type, (e.payload as { via: string }).via])).toEqual([
      ['task.assigned', 'REASSIGN'],
      ['task.assigned', 'REASSIGN'],
    ]);

    const vendorSees = (await must(s, vendor!.token, MY_TASKS)).myTasks;
    expect(vendorSees.edges.map((e: { node: { title: string; assignedToMe: boolean } }) => [e.node.title, e.node.assignedToMe])).toEqual([
      ['Flowers set up', true],
    ]);
    expect((await must(s, helper!.token, MY_TASKS)).myTasks.edges.map((e: { node: { title: string } }) => e.node.title)).toEqual(['Guest book']);

    const done = await must(s, vendor!.token, COMPLETE, { i: { taskId: r.tasks[0].id, outcome: 'Arch and tables done' } });
    expect(done.completeTask.task).toMatchObject({ status: 'DONE', outcome: 'Arch and tables done' });
    const helperTries = await s.gql(COMPLETE, { i: { taskId: r.tasks[0].id } }, { token: helper!.token });
    expect(helperTries.body.data.completeTask.__typename).toBe('TaskClosedError');

    // Again: the held task and the done one both cover their pairs.
    const again = (await must(s, t, OWNER_TASKS, { i: { eventId: w.eventIds[0] } })).createTimelineOwnerTasks;
    expect({ skipped: again.skipped, tasks: again.tasks }).toEqual({ skipped: 2, tasks: [] });
    expect(await s.app.db.prisma.task.count({ where: { occasionId: rawId(w.occasionId) } })).toBe(2);

    // Vendors may not hand out tasks.
    expect(errorCode(await s.gql(OWNER_TASKS, { i: { eventId: w.eventIds[0] } }, { token: vendor!.token }))).toBe('FORBIDDEN');
  });
});
