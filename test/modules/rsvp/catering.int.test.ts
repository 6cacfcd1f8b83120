import { describe, expect, it } from 'vitest';
import { buildWorld, must } from '../../support/factories.js';
import { errorCode, startServer } from '../../support/harness.js';
import { createDinnerForm } from '../../support/forms.js';

/** The caterer worked example: counts for its dining events only, never a guest's name, contact or note. */

const s = await startServer();

const CATERING = `query($id: ID!) { event(id: $id) { name cateringSummary { headcount children adults pendingUnits questions { key label counts { value count } } } } }`;

async function cateringWorld() {
  // two RSVP events; the caterer's contact is invited to event 0 (the dinner) only
  const w = await buildWorld(s, { events: 2, households: [2, 3], modules: { rsvp: [0, 1] }, collaborators: { vendor: [0] } });
  const t = w.owner.token;
  await must(s, t, `mutation($i: InstallModuleInput!) { installModule(input: $i) { __typename } }`, {
    i: { occasionId: w.occasionId, moduleKey: 'forms' },
  });
  const form = await createDinnerForm(s, t, w.occasionId, { required: false });
  await must(s, t, `mutation($i: EnableModuleInput!) { enableModule(input: $i) { __typename } }`, {
    i: { eventId: w.eventIds[0], moduleKey: 'rsvp', config: { linkedFormId: form.id } },
  });
  const tokens: string[] = [];
  for (const h of w.households) {
    const r = await must(
      s,
      t,
      `mutation($i: CreateRsvpInvitationInput!) { createRsvpInvitation(input: $i) { ... on CreateRsvpInvitationPayload { guestToken } } }`,
      {
        i: { occasionId: w.occasionId, unitId: h.id, eventIds: w.eventIds },
      },
    );
    tokens.push(r.createRsvpInvitation.guestToken);
  }
  const meal = form.fields[0]!.id;
  const SUBMIT = `mutation($i: SubmitRsvpInput!) { submitRsvp(input: $i) { __typename } }`;
  const [h1, h2] = w.households;
  await must(s, tokens[0], SUBMIT, {
    i: {
      responses: [
        {
          eventId: w.eventIds[0],
          status: 'ATTENDING',
          answers: h1!.memberIds.map((id) => ({ fieldId: meal, actorId: id, value: 'fish' })),
          notes: 'Secret note',
        },
      ],
    },
  });
  await must(s, tokens[1], SUBMIT, {
    i: {
      responses: [
        {
          eventId: w.eventIds[0],
          status: 'ATTENDING',
          participantIds: h2!.memberIds.slice(0, 2),
          answers: h2!.memberIds.slice(0, 2).map((id) => ({ fieldId: meal, actorId: id, value: 'vegan' })),
        },
      ],
    },
  });
  // the caterer's contact may read catering summaries of the dinner only
  await must(s, t, `mutation($i: GrantAccessInput!) { grantAccess(input: $i) { __typename } }`, {
    i: {
      occasionId: w.occasionId,
      subjectId: w.people.vendor!.actorId,
      actions: ['rsvp:read_catering'],
      scope: { type: 'EVENT', eventId: w.eventIds[0] },
    },
  });
  return w;
}

describe('catering summary', () => {
  it('the caterer reads plates and meal counts for its dining event, and nothing that names a guest', async () => {
    const w = await cateringWorld();
    const r = await s.gql(CATERING, { id: w.eventIds[0] }, { token: w.people.vendor!.token });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data.event.cateringSummary).toEqual({
      headcount: 4,
      children: 0,
      adults: 4,
      pendingUnits: 0,
      questions: [
        {
          key: 'meal',
          label: 'Main course',
          counts: [
            { value: 'fish', count: 2 },
            { value: 'vegan', count: 2 },
          ],
        },
      ],
    });
    const body = JSON.stringify(r.body);
    for (const name of ['Guest', 'Household', 'Secret note', '@example.com']) expect(body).not.toContain(name);
  });

  it('other events, the responses themselves and guest details stay out of reach', async () => {
    const w = await cateringWorld();
    const token = w.people.vendor!.token;
    expect(errorCode(await s.gql(CATERING, { id: w.eventIds[1] }, { token }))).toBe('FORBIDDEN');
    expect(errorCode(await s.gql(`query($id: ID!) { event(id: $id) { rsvpSummary { headcount } } }`, { id: w.eventIds[0] }, { token }))).toBe(
      'FORBIDDEN',
    );
    expect(
      errorCode(await s.gql(`query($id: ID!) { event(id: $id) { rsvpResponses(first: 5) { totalCount } } }`, { id: w.eventIds[0] }, { token })),
    ).toBe('FORBIDDEN');
    expect(errorCode(await s.gql(`query($id: ID!) { actor(id: $id) { displayName } }`, { id: w.households[0]!.id }, { token }))).toBe('FORBIDDEN');
    const other = await buildWorld(s, { events: 1, households: [], modules: { rsvp: [0] } });
    expect(errorCode(await s.gql(CATERING, { id: other.eventIds[0] }, { token }))).toBe('NOT_FOUND');
  });
});
