import { describe, expect, it } from 'vitest';
import { buildWorld } from '../../support/factories.js';
import { errorCode, startServer } from '../../support/harness.js';
import { newRequestId, rawId, rowsOfRequest, watchOccasion } from '../../support/rows.js';

const s = await startServer();

const CREATE_EVENT = `mutation($i: CreateEventInput!) { createEvent(input: $i) { __typename ... on Error { code message } } }`;

describe('refused mutations are audited too', () => {
  it('a forbidden mutation leaves one DENIED row in its occasion, naming the missing action, and changes nothing', async () => {
    // given a viewer of an occasion
    const w = await buildWorld(s, { events: 1, households: [1], collaborators: { viewer: undefined } });
    const watch = await watchOccasion(s, w.occasionId);
    const requestId = newRequestId('denied');

    // when the viewer tries to create an event
    const r = await s.gql(
      CREATE_EVENT,
      { i: { occasionId: w.occasionId, name: 'Sneaky' } },
      { token: w.people.viewer!.token, headers: { 'x-request-id': requestId } },
    );

    // then FORBIDDEN, nothing changed, and the attempt is on record
    expect(errorCode(r)).toBe('FORBIDDEN');
    await watch.expectUnchanged();
    const refusals = await watch.refusals();
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({
      outcome: 'DENIED',
      action: 'event:create',
      principalType: 'user',
      userId: w.people.viewer!.userId,
      actorId: rawId(w.people.viewer!.actorId),
      requestId,
    });
    expect(refusals[0]!.reason).toContain('createEvent');
  });

  it('a stranger probing another occasion is recorded without that occasion', async () => {
    const a = await buildWorld(s, { events: 1, households: [1] });
    const b = await buildWorld(s, { events: 1, households: [1] });
    const watchB = await watchOccasion(s, b.occasionId);
    const requestId = newRequestId('probe');

    const r = await s.gql(
      CREATE_EVENT,
      { i: { occasionId: b.occasionId, name: 'Probe' } },
      { token: a.owner.token, headers: { 'x-request-id': requestId } },
    );

    expect(errorCode(r)).toBe('NOT_FOUND');
    await watchB.expectUnchanged();
    expect(await watchB.refusals()).toHaveLength(0);
    const { audit, refusals } = await rowsOfRequest(s, requestId);
    expect(audit).toHaveLength(0);
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({ outcome: 'DENIED', occasionId: null, action: 'event:create', userId: a.owner.userId });
  });

  it('a mutation returning a typed error leaves one FAILED row and nothing else', async () => {
    const w = await buildWorld(s, { events: 1, households: [1] });
    const watch = await watchOccasion(s, w.occasionId);
    const requestId = newRequestId('failed');

    const r = await s.gql(
      CREATE_EVENT,
      { i: { occasionId: w.occasionId, name: 'Backwards', startsAt: '2027-06-02T10:00:00Z', endsAt: '2027-06-01T10:00:00Z' } },
      { token: w.owner.token, headers: { 'x-request-id': requestId } },
    );

    expect(r.body.data.createEvent).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED' });
    await watch.expectUnchanged();
    const { audit, refusals, outbox } = await rowsOfRequest(s, requestId);
    expect(outbox).toHaveLength(0);
    expect(audit).toHaveLength(0);
    expect(refusals).toHaveLength(1);
    // named by the mutation's own rule and filed in its occasion, where the owner's audit log shows it
    expect(refusals[0]).toMatchObject({ outcome: 'FAILED', action: 'event:create', occasionId: rawId(w.occasionId), userId: w.owner.userId });
    expect(refusals[0]!.reason).toMatch(/^createEvent: VALIDATION_FAILED: /);
    expect(await watch.refusals()).toHaveLength(1);
  });
});
