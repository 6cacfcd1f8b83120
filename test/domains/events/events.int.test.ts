import { beforeAll, describe, expect, it } from 'vitest';
import { buildWorld, must, type World } from '../../support/factories.js';
import { errorCode, startServer } from '../../support/harness.js';
import { newRequestId, rawId, watchOccasion } from '../../support/rows.js';

const s = await startServer();
const call = (token: string | undefined, query: string, variables?: Record<string, unknown>, requestId?: string) =>
  s.gql(query, variables, { token, headers: requestId ? { 'x-request-id': requestId } : {} });

const EVENT_FIELDS = `id name description startsAt endsAt location visibility settings`;
const CREATE = `mutation($i: CreateEventInput!) { createEvent(input: $i) { __typename
  ... on EventPayload { event { ${EVENT_FIELDS} } }
  ... on ValidationError { code message fields { path message } } } }`;
const UPDATE = `mutation($i: UpdateEventInput!) { updateEvent(input: $i) { __typename
  ... on EventPayload { event { ${EVENT_FIELDS} } }
  ... on ValidationError { code message fields { path message } } } }`;
const DELETE = `mutation($i: DeleteEventInput!) { deleteEvent(input: $i) { deletedId } }`;
const LIST = `query($id: ID!, $filter: EventFilter) { occasion(id: $id) { events(first: 20, filter: $filter) { totalCount edges { node { id name } } } } }`;

let w: World;
let other: World;
beforeAll(async () => {
  w = await buildWorld(s, {
    events: 2,
    households: [1],
    collaborators: { planner: undefined, co_planner: undefined, viewer: undefined, vendor: [0] },
  });
  other = await buildWorld(s, { events: 1, households: [] });
});

const eventRow = (globalId: string) => s.app.db.prisma.event.findUnique({ where: { id: rawId(globalId) } });

describe('createEvent', () => {
  it('creates an event with defaults; one audit row and an event.created event for that event', async () => {
    const watch = await watchOccasion(s, w.occasionId);
    const requestId = newRequestId('ev-create');
    const r = await call(
      w.people.co_planner!.token,
      CREATE,
      {
        i: {
          occasionId: w.occasionId,
          name: ' Welcome drinks ',
          startsAt: '2027-06-09T18:00:00Z',
          endsAt: '2027-06-09T21:00:00+02:00',
          location: 'Terrace',
          settings: { dressCode: 'smart' },
        },
      },
      requestId,
    );
    expect(r.body.errors).toBeUndefined();
    const e = r.body.data.createEvent.event;
    expect(e).toMatchObject({
      name: 'Welcome drinks',
      visibility: 'PUBLIC',
      startsAt: '2027-06-09T18:00:00.000Z',
      endsAt: '2027-06-09T19:00:00.000Z',
      location: 'Terrace',
      settings: { dressCode: 'smart' },
      description: null,
    });

    await watch.expectDelta({ events: 1, audit: 1, outbox: 1 });
    const id = rawId(e.id);
    const [audit] = await watch.audit();
    expect(audit).toMatchObject({
      action: 'event:create',
      outcome: 'SUCCESS',
      userId: w.people.co_planner!.userId,
      actorId: rawId(w.people.co_planner!.actorId),
      targetType: 'Event',
      targetId: id,
      scope: { eventId: id },
      requestId,
    });
    expect(audit!.after).toMatchObject({ id, name: 'Welcome drinks' });
    const [event] = await watch.outbox();
    expect(event).toMatchObject({
      type: 'event.created',
      eventId: id,
      requestId,
      payload: { occasionId: watch.occasionId, eventId: id, name: 'Welcome drinks' },
    });
  });

  it.each(['viewer', 'vendor'])('is FORBIDDEN for a %s, and nothing is written', async (role) => {
    const watch = await watchOccasion(s, w.occasionId);
    const r = await call(w.people[role]!.token, CREATE, { i: { occasionId: w.occasionId, name: 'Sneaky' } });
    expect(errorCode(r)).toBe('FORBIDDEN');
    await watch.expectUnchanged();
  });

  it('is NOT_FOUND in another occasion', async () => {
    const watch = await watchOccasion(s, w.occasionId);
    const r = await call(other.owner.token, CREATE, { i: { occasionId: w.occasionId, name: 'Sneaky' } });
    expect(errorCode(r)).toBe('NOT_FOUND');
    await watch.expectUnchanged();
  });

  it('refuses bad input (blank name, end before start, too-large settings) and writes nothing', async () => {
    const watch = await watchOccasion(s, w.occasionId);
    const order = await call(w.owner.token, CREATE, {
      i: { occasionId: w.occasionId, name: 'Backwards', startsAt: '2027-06-10T18:00:00Z', endsAt: '2027-06-10T17:00:00Z' },
    });
    expect(order.body.data.createEvent).toMatchObject({
      __typename: 'ValidationError',
      code: 'VALIDATION_FAILED',
      fields: [{ path: 'input.endsAt', message: 'endsAt must not be before startsAt.' }],
    });
    const blank = await call(w.owner.token, CREATE, { i: { occasionId: w.occasionId, name: '  ' } });
    expect(blank.body.data.createEvent.fields).toEqual([{ path: 'input.name', message: 'Give the event a name.' }]);
    const big = await call(w.owner.token, CREATE, { i: { occasionId: w.occasionId, name: 'Big', settings: { blob: 'x'.repeat(11_000) } } });
    expect(big.body.data.createEvent.fields[0].path).toBe('input.settings');
    const date = await call(w.owner.token, CREATE, { i: { occasionId: w.occasionId, name: 'Bad date', startsAt: 'next tuesday' } });
    expect(errorCode(date)).toBe('BAD_USER_INPUT');
    await watch.expectUnchanged();
  });
});

describe('updateEvent', () => {
  it('changes only the given fields; audit has before and after; event.updated lists the change', async () => {
    const eventId = w.eventIds[1]!;
    const before = await eventRow(eventId);
    const watch = await watchOccasion(s, w.occasionId);
    const requestId = newRequestId('ev-update');
    const r = await call(w.people.planner!.token, UPDATE, { i: { id: eventId, location: 'Barn', visibility: 'PRIVATE', name: null } }, requestId);
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.updateEvent.event).toMatchObject({ id: eventId, name: before!.name, location: 'Barn', visibility: 'PRIVATE' });

    await watch.expectDelta({ audit: 1, outbox: 1 });
    const [audit] = await watch.audit();
    expect(audit).toMatchObject({
      action: 'event:update',
      targetType: 'Event',
      targetId: rawId(eventId),
      requestId,
      userId: w.people.planner!.userId,
      actorId: rawId(w.people.planner!.actorId),
    });
    expect(audit!.before).toMatchObject({ location: null, visibility: 'PUBLIC' });
    expect(audit!.after).toMatchObject({ location: 'Barn', visibility: 'PRIVATE' });
    const [event] = await watch.outbox();
    expect(event).toMatchObject({
      type: 'event.updated',
      eventId: rawId(eventId),
      payload: { occasionId: watch.occasionId, eventId: rawId(eventId), changed: ['location', 'visibility'] },
    });
  });

  it('refuses an end before the stored start and writes nothing', async () => {
    const eventId = w.eventIds[0]!;
    const before = await eventRow(eventId);
    const watch = await watchOccasion(s, w.occasionId);
    // buildWorld starts event 1 on 2027-06-10T17:00Z
    const r = await call(w.owner.token, UPDATE, { i: { id: eventId, endsAt: '2027-06-10T16:00:00Z' } });
    expect(r.body.data.updateEvent).toMatchObject({
      __typename: 'ValidationError',
      code: 'VALIDATION_FAILED',
      fields: [{ path: 'input.endsAt', message: 'endsAt must not be before startsAt.' }],
    });
    expect(r.body.data.updateEvent.message).toBe('endsAt must not be before startsAt.');
    const blank = await call(w.owner.token, UPDATE, { i: { id: eventId, name: '' } });
    expect(blank.body.data.updateEvent.fields[0].path).toBe('input.name');
    await watch.expectUnchanged();
    expect(await eventRow(eventId)).toEqual(before);
  });

  it.each(['viewer', 'vendor'])('is FORBIDDEN for a %s (even on the vendor’s own event), nothing changes', async (role) => {
    const eventId = w.eventIds[0]!;
    const before = await eventRow(eventId);
    const watch = await watchOccasion(s, w.occasionId);
    const r = await call(w.people[role]!.token, UPDATE, { i: { id: eventId, name: 'Hijacked' } });
    expect(errorCode(r)).toBe('FORBIDDEN');
    await watch.expectUnchanged();
    expect(await eventRow(eventId)).toEqual(before);
  });

  it('is NOT_FOUND for an event of another occasion', async () => {
    const before = await eventRow(other.eventIds[0]!);
    const r = await call(w.owner.token, UPDATE, { i: { id: other.eventIds[0], name: 'Hijacked' } });
    expect(errorCode(r)).toBe('NOT_FOUND');
    expect(await eventRow(other.eventIds[0]!)).toEqual(before);
  });
});

describe('deleteEvent', () => {
  it.each(['viewer', 'vendor'])('is FORBIDDEN for a %s, nothing deleted', async (role) => {
    const watch = await watchOccasion(s, w.occasionId);
    const r = await call(w.people[role]!.token, DELETE, { i: { id: w.eventIds[0] } });
    expect(errorCode(r)).toBe('FORBIDDEN');
    await watch.expectUnchanged();
  });

  it('is allowed for a co-planner (event:delete is not owner-only)', async () => {
    const made = await must(s, w.owner.token, CREATE, { i: { occasionId: w.occasionId, name: 'Throwaway' } });
    const id = made.createEvent.event.id;
    const r = await call(w.people.co_planner!.token, DELETE, { i: { id } });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.deleteEvent.deletedId).toBe(id);
    expect(await eventRow(id)).toBeNull();
  });

  it('is NOT_FOUND for an event of another occasion', async () => {
    const r = await call(w.owner.token, DELETE, { i: { id: other.eventIds[0] } });
    expect(errorCode(r)).toBe('NOT_FOUND');
    expect(await eventRow(other.eventIds[0]!)).not.toBeNull();
  });

  it('deletes the event and its module enablements; audit and event.deleted are written', async () => {
    // given an event with RSVP enabled on it
    const x = await buildWorld(s, { events: 2, households: [], modules: { rsvp: [0, 1] } });
    const watch = await watchOccasion(s, x.occasionId);
    const requestId = newRequestId('ev-delete');

    // when the owner deletes it
    const r = await call(x.owner.token, DELETE, { i: { id: x.eventIds[0] } }, requestId);

    // then the event and its enablement are gone, the other event keeps its enablement
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.deleteEvent.deletedId).toBe(x.eventIds[0]);
    await watch.expectDelta({ events: -1, enablements: -1, audit: 1, outbox: 1 });
    expect(await eventRow(x.eventIds[0]!)).toBeNull();
    const [audit] = await watch.audit();
    expect(audit).toMatchObject({ action: 'event:delete', targetType: 'Event', targetId: rawId(x.eventIds[0]!), requestId, after: null });
    expect(audit!.before).toMatchObject({ id: rawId(x.eventIds[0]!), name: 'Event 1' });
    const [event] = await watch.outbox();
    expect(event).toMatchObject({
      type: 'event.deleted',
      eventId: rawId(x.eventIds[0]!),
      payload: { occasionId: watch.occasionId, eventId: rawId(x.eventIds[0]!) },
    });
    const again = await call(x.owner.token, DELETE, { i: { id: x.eventIds[0] } });
    expect(errorCode(again)).toBe('NOT_FOUND');
  });
});

describe('Occasion.events', () => {
  it('lists events earliest first, filters by name, time and visibility, and shows a vendor only theirs', async () => {
    const x = await buildWorld(s, { events: 3, households: [], collaborators: { vendor: [1] } });
    await must(s, x.owner.token, UPDATE, { i: { id: x.eventIds[2], visibility: 'PRIVATE', name: 'Brunch' } });
    const names = async (token: string, filter?: object) => {
      const r = await call(token, LIST, { id: x.occasionId, filter });
      expect(r.body.errors).toBeUndefined();
      const c = r.body.data.occasion.events;
      expect(c.totalCount).toBe(c.edges.length);
      return c.edges.map((e: { node: { name: string } }) => e.node.name);
    };
    expect(await names(x.owner.token)).toEqual(['Event 1', 'Event 2', 'Brunch']);
    expect(await names(x.owner.token, { search: 'bRuNcH' })).toEqual(['Brunch']);
    expect(await names(x.owner.token, { visibility: 'PUBLIC' })).toEqual(['Event 1', 'Event 2']);
    expect(await names(x.owner.token, { startsAfter: '2027-06-11T00:00:00Z' })).toEqual(['Event 2', 'Brunch']);
    expect(await names(x.owner.token, { startsBefore: '2027-06-11T17:00:00Z' })).toEqual(['Event 1']);
    expect(await names(x.people.vendor!.token)).toEqual(['Event 2']);
    const forbiddenEvent = await call(x.people.vendor!.token, `query($id: ID!) { event(id: $id) { name } }`, { id: x.eventIds[0] });
    expect(errorCode(forbiddenEvent)).toBe('FORBIDDEN');
  });
});
