import { beforeAll, describe, expect, it } from 'vitest';
import { must, type World } from '../../support/factories.js';
import { errorCode, startServer } from '../../support/harness.js';
import { at, raw, timelineWorld, type TimelineWorld } from './timeline-world.js';

/** The run of show: sequences, the event it emits, audience filtering, windows, bad input and concurrent edits. */

const s = await startServer();

const ITEM = `id title sequence status room audience dependsOnIds responsibleActorIds`;
const CREATE = `mutation($i: CreateTimelineItemInput!) { createTimelineItem(input: $i) {
  __typename ... on TimelineItemPayload { sequence item { ${ITEM} } warnings { code itemIds } }
  ... on Error { code message } ... on TimelineOverlapError { itemIds } ... on ValidationError { fields { path } } } }`;
const UPDATE = `mutation($i: UpdateTimelineItemInput!) { updateTimelineItem(input: $i) {
  __typename ... on TimelineItemPayload { sequence item { ${ITEM} } warnings { code itemIds } }
  ... on Error { code message } ... on DependencyCycleError { itemIds } ... on ValidationError { fields { path } } } }`;
const DELETE = `mutation($i: DeleteTimelineItemInput!) { deleteTimelineItem(input: $i) { __typename ... on DeleteTimelineItemPayload { deletedId } ... on Error { code } } }`;
const REORDER = `mutation($i: ReorderTimelineItemsInput!) { reorderTimelineItems(input: $i) { __typename ... on ReorderTimelineItemsPayload { sequence } ... on Error { code } } }`;
const TIMELINE = `query($id: ID!) { event(id: $id) { timeline { sequence items { ${ITEM} } } } }`;
const WINDOWS = `query($id: ID!) { event(id: $id) { operationalWindows { id kind label startsAt endsAt room } } }`;
const CREATE_WINDOW = `mutation($i: CreateOperationalWindowInput!) { createOperationalWindow(input: $i) {
  __typename ... on OperationalWindowPayload { sequence window { id } } ... on Error { code } } }`;

async function create(w: World, input: Record<string, unknown>, token = w.owner.token) {
  const r = await s.gql(CREATE, { i: { eventId: w.eventIds[0], ...input } }, { token });
  expect(r.body.errors, JSON.stringify(r.body.errors)).toBeUndefined();
  return r.body.data.createTimelineItem;
}
const timeline = async (w: World, token = w.owner.token, event = 0) => s.gql(TIMELINE, { id: w.eventIds[event] }, { token });
const outbox = (w: World, event = 0) =>
  s.app.db.prisma.outboxEvent.findMany({ where: { type: 'timeline.updated', eventId: raw(w.eventIds[event]!) }, orderBy: { id: 'asc' } });

describe('timeline items', () => {
  let w: TimelineWorld;
  beforeAll(async () => {
    w = await timelineWorld(s);
  }, 60_000);

  it('every change bumps the event’s sequence and emits timeline.updated naming the event, with the sequence and what changed', async () => {
    // given two items
    const a = await create(w, { title: 'Ceremony', startsAt: at(16), endsAt: at(17), room: 'garden', audience: ['GUESTS', 'VENDORS'] });
    const b = await create(w, { title: 'Secret toast rehearsal', startsAt: at(18), endsAt: at(18, 30) });
    expect([a.sequence, b.sequence]).toEqual([1, 2]);
    expect(a.item.sequence).toBe(0);
    // when one is changed and the other deleted
    const u = (await s.gql(UPDATE, { i: { id: a.item.id, title: 'Wedding ceremony', expectedSequence: 2 } }, { token: w.owner.token })).body.data
      .updateTimelineItem;
    expect(u).toMatchObject({ __typename: 'TimelineItemPayload', sequence: 3, item: { title: 'Wedding ceremony', sequence: 1 } });
    const d = await s.gql(DELETE, { i: { id: b.item.id, expectedSequence: 3 } }, { token: w.owner.token });
    expect(d.body.data.deleteTimelineItem).toEqual({ __typename: 'DeleteTimelineItemPayload', deletedId: b.item.id });
    // then the timeline is at 4, and four events tell partners of that event what changed, not what it says
    expect((await timeline(w)).body.data.event.timeline).toMatchObject({ sequence: 4, items: [{ id: a.item.id }] });
    const events = await outbox(w);
    expect(events.map((e) => (e.payload as { sequence: number }).sequence)).toEqual([1, 2, 3, 4]);
    expect(events.every((e) => e.occasionId === raw(w.occasionId))).toBe(true);
    expect(events[2]!.payload).toEqual({
      occasionId: raw(w.occasionId),
      eventId: raw(w.eventIds[0]!),
      sequence: 3,
      changes: [{ kind: 'ITEM', id: raw(a.item.id), change: 'UPDATED', fields: ['title'] }],
    });
    expect(JSON.stringify(events.map((e) => e.payload))).not.toContain('Secret toast');
    // saving the item as it is changes nothing
    const same = (await s.gql(UPDATE, { i: { id: a.item.id, title: 'Wedding ceremony' } }, { token: w.owner.token })).body.data.updateTimelineItem;
    expect(same).toMatchObject({ sequence: 4, item: { sequence: 1 } });
    expect(await outbox(w)).toHaveLength(4);
  });

  it('a change made over a newer sequence is a CONFLICT and writes nothing', async () => {
    const { sequence } = (await timeline(w)).body.data.event.timeline;
    const item = await create(w, { title: 'Speeches', startsAt: at(20) });
    const before = await outbox(w);
    const r = await s.gql(UPDATE, { i: { id: item.item.id, title: 'Toasts', expectedSequence: sequence } }, { token: w.owner.token });
    expect(r.body.data.updateTimelineItem).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
    const again = await s.gql(
      CREATE,
      { i: { eventId: w.eventIds[0], title: 'Late', startsAt: at(23), expectedSequence: sequence } },
      { token: w.owner.token },
    );
    expect(again.body.data.createTimelineItem.code).toBe('CONFLICT');
    const after = (await timeline(w)).body.data.event.timeline;
    expect(after.sequence).toBe(sequence + 1);
    expect(after.items.find((i: { id: string }) => i.id === item.item.id).title).toBe('Speeches');
    expect(await outbox(w)).toHaveLength(before.length);
  });

  it('two concurrent edits from the same sequence: one wins, the other is a CONFLICT (no lost update)', async () => {
    const item = await create(w, { title: 'First dance', startsAt: at(21) });
    const results = await Promise.all(
      ['Dance A', 'Dance B'].map((title) =>
        s.gql(UPDATE, { i: { id: item.item.id, title, expectedSequence: item.sequence } }, { token: w.owner.token }),
      ),
    );
    const kinds = results.map((r) => r.body.data.updateTimelineItem.__typename).sort();
    expect(kinds).toEqual(['ConflictError', 'TimelineItemPayload']);
  });

  it('concurrent writers on an event without a timeline yet each get their own sequence', async () => {
    const fresh = await must(
      s,
      w.owner.token,
      `mutation($i: CreateEventInput!) { createEvent(input: $i) { ... on EventPayload { event { id } } } }`,
      {
        i: { occasionId: w.occasionId, name: 'Rehearsal dinner' },
      },
    );
    const eventId = fresh.createEvent.event.id;
    await must(s, w.owner.token, `mutation($i: EnableModuleInput!) { enableModule(input: $i) { __typename } }`, {
      i: { eventId, moduleKey: 'timeline' },
    });
    const results = await Promise.all(
      [1, 2, 3, 4].map((n) => s.gql(CREATE, { i: { eventId, title: `Course ${n}`, startsAt: at(19, n) } }, { token: w.owner.token })),
    );
    expect(results.map((r) => r.body.data.createTimelineItem.sequence).sort()).toEqual([1, 2, 3, 4]);
    const read = await s.gql(TIMELINE, { id: eventId }, { token: w.owner.token });
    expect(read.body.data.event.timeline.sequence).toBe(4);
  });

  it('refuses an end before the start, and writes nothing', async () => {
    const before = (await timeline(w)).body.data.event.timeline;
    const r = await s.gql(CREATE, { i: { eventId: w.eventIds[0], title: 'Backwards', startsAt: at(12), endsAt: at(11) } }, { token: w.owner.token });
    expect(r.body.data.createTimelineItem).toMatchObject({ __typename: 'ValidationError', fields: [{ path: 'input.endsAt' }] });
    expect((await timeline(w)).body.data.event.timeline).toEqual(before);
  });

  it('items in one room at once: a warning by default, an error when asked or when the event says REJECT', async () => {
    const first = await create(w, { title: 'Cocktails', startsAt: at(17), endsAt: at(18, 30), room: 'terrace' });
    const second = await create(w, { title: 'Photos', startsAt: at(18), endsAt: at(19), room: 'terrace' });
    expect(second.warnings).toEqual([{ code: 'ROOM_OVERLAP', itemIds: [first.item.id] }]);
    // another room, or back to back, is no overlap
    expect((await create(w, { title: 'Kids', startsAt: at(18), endsAt: at(19), room: 'library' })).warnings).toEqual([]);
    expect((await create(w, { title: 'Next', startsAt: at(19), endsAt: at(20), room: 'terrace' })).warnings).toEqual([]);
    const count = (await timeline(w)).body.data.event.timeline.items.length;
    const refused = await s.gql(
      CREATE,
      { i: { eventId: w.eventIds[0], title: 'Band', startsAt: at(18), endsAt: at(19), room: 'terrace', rejectOverlaps: true } },
      { token: w.owner.token },
    );
    expect(refused.body.data.createTimelineItem).toMatchObject({ __typename: 'TimelineOverlapError', code: 'TIMELINE_OVERLAP' });
    expect(refused.body.data.createTimelineItem.itemIds).toEqual(expect.arrayContaining([first.item.id, second.item.id]));
    expect((await timeline(w)).body.data.event.timeline.items).toHaveLength(count);
    // event 2 is configured with overlapPolicy REJECT
    const e2 = (i: Record<string, unknown>) => s.gql(CREATE, { i: { eventId: w.eventIds[1], ...i } }, { token: w.owner.token });
    expect((await e2({ title: 'Brunch', startsAt: at(10), endsAt: at(12), room: 'hall' })).body.data.createTimelineItem.__typename).toBe(
      'TimelineItemPayload',
    );
    expect((await e2({ title: 'Yoga', startsAt: at(11), endsAt: at(12), room: 'hall' })).body.data.createTimelineItem.code).toBe('TIMELINE_OVERLAP');
    // a cancelled item blocks nothing
    expect(
      (await e2({ title: 'Yoga', startsAt: at(11), endsAt: at(12), room: 'hall', status: 'CANCELLED' })).body.data.createTimelineItem.__typename,
    ).toBe('TimelineItemPayload');
  });

  it('refuses dependency cycles and dependencies on another event’s items', async () => {
    const a = await create(w, { title: 'Doors open', startsAt: at(15) });
    const b = await create(w, { title: 'Seating', startsAt: at(15, 30), dependsOnIds: [a.item.id] });
    const c = await create(w, { title: 'Processional', startsAt: at(16), dependsOnIds: [b.item.id] });
    const r = await s.gql(UPDATE, { i: { id: a.item.id, dependsOnIds: [c.item.id] } }, { token: w.owner.token });
    expect(r.body.data.updateTimelineItem).toMatchObject({ __typename: 'DependencyCycleError', code: 'DEPENDENCY_CYCLE' });
    expect(new Set(r.body.data.updateTimelineItem.itemIds)).toEqual(new Set([a.item.id, b.item.id, c.item.id]));
    const self = await s.gql(UPDATE, { i: { id: a.item.id, dependsOnIds: [a.item.id] } }, { token: w.owner.token });
    expect(self.body.data.updateTimelineItem.__typename).toBe('ValidationError');
    const other = await s.gql(
      CREATE,
      { i: { eventId: w.eventIds[1], title: 'X', startsAt: at(9), dependsOnIds: [a.item.id] } },
      { token: w.owner.token },
    );
    expect(other.body.data.createTimelineItem).toMatchObject({ __typename: 'ValidationError', fields: [{ path: 'input.dependsOnIds' }] });
    // deleting an item frees those that waited for it
    await s.gql(DELETE, { i: { id: b.item.id } }, { token: w.owner.token });
    const items = (await timeline(w)).body.data.event.timeline.items;
    expect(items.find((i: { id: string }) => i.id === c.item.id)).toMatchObject({ dependsOnIds: [], sequence: 1 });
  });

  it('reorders the run of show: every item once, else a ValidationError', async () => {
    const tl = (await timeline(w)).body.data.event.timeline;
    const ids: string[] = tl.items.map((i: { id: string }) => i.id);
    const reversed = [...ids].reverse();
    const r = await s.gql(REORDER, { i: { eventId: w.eventIds[0], itemIds: reversed, expectedSequence: tl.sequence } }, { token: w.owner.token });
    expect(r.body.data.reorderTimelineItems).toEqual({ __typename: 'ReorderTimelineItemsPayload', sequence: tl.sequence + 1 });
    expect((await timeline(w)).body.data.event.timeline.items.map((i: { id: string }) => i.id)).toEqual(reversed);
    const partial = await s.gql(REORDER, { i: { eventId: w.eventIds[0], itemIds: reversed.slice(1) } }, { token: w.owner.token });
    expect(partial.body.data.reorderTimelineItems.code).toBe('VALIDATION_FAILED');
  });
});

describe('operational windows', () => {
  let w: TimelineWorld;
  beforeAll(async () => {
    w = await timelineWorld(s);
  }, 60_000);
  const UPDATE_WINDOW = `mutation($i: UpdateOperationalWindowInput!) { updateOperationalWindow(input: $i) {
    __typename ... on OperationalWindowPayload { sequence window { id label endsAt room } } ... on Error { code } ... on ValidationError { fields { path } } } }`;
  const DELETE_WINDOW = `mutation($i: DeleteOperationalWindowInput!) { deleteOperationalWindow(input: $i) { __typename ... on Error { code } } }`;

  it('are created, changed and deleted, each change moving the event’s sequence on', async () => {
    const created = await must(s, w.owner.token, CREATE_WINDOW, {
      i: { eventId: w.eventIds[0], kind: 'SERVICE', label: 'Service', startsAt: at(19, 30), endsAt: at(22) },
    });
    const { window, sequence } = created.createOperationalWindow;
    expect(sequence).toBe(1);
    const moved = await s.gql(
      UPDATE_WINDOW,
      { i: { id: window.id, endsAt: at(22, 30), room: 'hall', expectedSequence: 1 } },
      { token: w.owner.token },
    );
    expect(moved.body.data.updateOperationalWindow).toMatchObject({ sequence: 2, window: { endsAt: at(22, 30), room: 'hall' } });
    const backwards = await s.gql(UPDATE_WINDOW, { i: { id: window.id, endsAt: at(19) } }, { token: w.owner.token });
    expect(backwards.body.data.updateOperationalWindow).toMatchObject({ __typename: 'ValidationError', fields: [{ path: 'input.endsAt' }] });
    const stale = await s.gql(UPDATE_WINDOW, { i: { id: window.id, label: 'Late', expectedSequence: 1 } }, { token: w.owner.token });
    expect(stale.body.data.updateOperationalWindow.code).toBe('CONFLICT');
    // a caterer reads windows but does not change them
    expect(errorCode(await s.gql(DELETE_WINDOW, { i: { id: window.id } }, { token: w.caterer.token }))).toBe('FORBIDDEN');
    const gone = await s.gql(DELETE_WINDOW, { i: { id: window.id, expectedSequence: 2 } }, { token: w.owner.token });
    expect(gone.body.data.deleteOperationalWindow.__typename).toBe('DeleteOperationalWindowPayload');
    expect((await s.gql(WINDOWS, { id: w.eventIds[0] }, { token: w.owner.token })).body.data.event.operationalWindows).toEqual([]);
    const changes = (await outbox(w)).map((e) => (e.payload as { sequence: number; changes: { kind: string; change: string }[] }).changes[0]);
    expect(changes.map((c) => `${c!.kind} ${c!.change}`)).toEqual(['WINDOW CREATED', 'WINDOW UPDATED', 'WINDOW DELETED']);
  });

  it('refused writers change nothing and emit nothing; an event without the timeline says MODULE_NOT_ENABLED', async () => {
    const before = (await outbox(w)).length;
    const input = { eventId: w.eventIds[0], title: 'Sneaky', startsAt: at(9) };
    expect(errorCode(await s.gql(CREATE, { i: input }, { token: w.caterer.token }))).toBe('FORBIDDEN');
    expect(errorCode(await s.gql(CREATE, { i: input }, { token: w.vendor.token }))).toBe('FORBIDDEN');
    expect(errorCode(await s.gql(CREATE, { i: input }, { token: w.guestToken }))).toMatch(/NOT_FOUND|FORBIDDEN/);
    expect(await outbox(w)).toHaveLength(before);
    expect((await timeline(w)).body.data.event.timeline.items).toEqual([]);
    const e3 = await must(s, w.owner.token, `mutation($i: CreateEventInput!) { createEvent(input: $i) { ... on EventPayload { event { id } } } }`, {
      i: { occasionId: w.occasionId, name: 'After-party' },
    });
    const off = await s.gql(CREATE, { i: { ...input, eventId: e3.createEvent.event.id } }, { token: w.owner.token });
    expect(errorCode(off)).toBe('MODULE_NOT_ENABLED');
  });
});

describe('who sees what', () => {
  let w: TimelineWorld;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    w = await timelineWorld(s);
    ids.planners = (await create(w, { title: 'Planner briefing', startsAt: at(12) })).item.id;
    ids.vendors = (await create(w, { title: 'Load-in', startsAt: at(13), audience: ['VENDORS'] })).item.id;
    ids.guests = (await create(w, { title: 'Ceremony', startsAt: at(16), audience: ['GUESTS'] })).item.id;
    ids.responsible = (await create(w, { title: 'Cake delivery', startsAt: at(14), responsibleActorIds: [w.vendor.actorId] })).item.id;
    await s.gql(
      CREATE,
      { i: { eventId: w.eventIds[1], title: 'Brunch', startsAt: at(10), audience: ['GUESTS', 'VENDORS'] } },
      { token: w.owner.token },
    );
    await must(s, w.owner.token, CREATE_WINDOW, {
      i: {
        eventId: w.eventIds[0],
        kind: 'VENUE_ACCESS',
        label: 'Venue access',
        startsAt: at(14),
        endsAt: new Date(Date.UTC(2027, 5, 11, 2)).toISOString(),
      },
    });
  }, 60_000);

  const titles = (r: { body: { data?: any } }) => r.body.data.event.timeline.items.map((i: { title: string }) => i.title).sort();

  it('planners see every item', async () => {
    expect(titles(await timeline(w))).toEqual(['Cake delivery', 'Ceremony', 'Load-in', 'Planner briefing']);
  });

  it('a vendor sees the items for vendors and those it is responsible for, and none of another event', async () => {
    expect(titles(await timeline(w, w.vendor.token))).toEqual(['Cake delivery', 'Load-in']);
    const other = await timeline(w, w.vendor.token, 1);
    expect(['NOT_FOUND', 'FORBIDDEN']).toContain(errorCode(other));
    // and it may not change anything
    const write = await s.gql(UPDATE, { i: { id: ids.vendors, title: 'Mine now' } }, { token: w.vendor.token });
    expect(errorCode(write)).toBe('FORBIDDEN');
  });

  it('a caterer granted read_windows reads the schedule windows but not the run of show', async () => {
    const r = await s.gql(WINDOWS, { id: w.eventIds[0] }, { token: w.caterer.token });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.event.operationalWindows).toMatchObject([{ kind: 'VENUE_ACCESS', label: 'Venue access' }]);
    expect(errorCode(await timeline(w, w.caterer.token))).toBe('FORBIDDEN');
  });

  it('a guest sees the items for guests of the events its link shows', async () => {
    const r = await s.gql(`{ guestTimeline { eventId items { id title } } }`, {}, { token: w.guestToken });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.guestTimeline).toEqual([{ eventId: w.eventIds[0], items: [{ id: ids.guests, title: 'Ceremony' }] }]);
    // planner-side fields refuse it
    expect(errorCode(await timeline(w, w.guestToken))).toMatch(/NOT_FOUND|FORBIDDEN/);
  });

  it('reading a timeline costs the same statements for 4 items as for 40 (no N+1)', async () => {
    const q = `query($id: ID!) { event(id: $id) { timeline { sequence items { id title audience dependsOnIds } } operationalWindows { id label } } }`;
    const count = async (token: string) => {
      await s.gql(q, { id: w.eventIds[0] }, { token });
      const before = s.app.db.statements.count;
      const r = await s.gql(q, { id: w.eventIds[0] }, { token });
      expect(r.body.errors).toBeUndefined();
      return { n: s.app.db.statements.count - before, items: r.body.data.event.timeline.items.length };
    };
    const small = await count(w.owner.token);
    for (let i = 0; i < 36; i++) await create(w, { title: `Item ${i}`, startsAt: at(8, i), audience: ['VENDORS'] });
    const large = await count(w.owner.token);
    expect(large.items).toBe(small.items + 36);
    expect(large.n).toBe(small.n);
    // the token with its grants, the event, its timeline enablement, the timeline (items, windows, sequence)
    expect(large.n).toBe(4);
    const vendor = await count(w.vendor.token);
    expect(vendor.n).toBeLessThanOrEqual(6);
  });
});
