import { buildWorld, must, type World } from '../../support/factories.js';
import type { TestServer } from '../../support/harness.js';
import { createDinnerForm } from '../../support/forms.js';

/* Shared by the seating suites: a wedding with a dinner plan, and the operations the tests send. */

export const ERR = `... on Error { __typename code message }`;
export const CREATE_TABLE = `mutation($i: CreateSeatingTableInput!) { createSeatingTable(input: $i) { __typename
  ... on CreateSeatingTablePayload { table { id label capacity } } ${ERR} } }`;
export const ASSIGN = `mutation($i: AssignSeatingGuestsInput!) { assignSeatingGuests(input: $i) { __typename
  ... on AssignSeatingGuestsPayload { plan { revision seatedCount } }
  ... on TableFullError { capacity requested } ... on GuestNotAttendingError { guestIds } ... on SeatUnavailableError { seatNumber } ${ERR} } }`;
export const UNASSIGN = `mutation($i: UnassignSeatingGuestsInput!) { unassignSeatingGuests(input: $i) { __typename
  ... on UnassignSeatingGuestsPayload { plan { revision seatedCount } } ${ERR} } }`;
export const CONSTRAIN = `mutation($i: AddSeatingConstraintInput!) { addSeatingConstraint(input: $i) { __typename
  ... on AddSeatingConstraintPayload { constraint { id kind guestAName guestBName } }
  ... on SeatingConstraintConflictError { conflicts { kind constraintIds guestIds message } } ${ERR} } }`;
export const PUBLISH = `mutation($i: PublishSeatingPlanInput!) { publishSeatingPlan(input: $i) { __typename
  ... on PublishSeatingPlanPayload { version { id number tableCount seatedCount } } ${ERR} } }`;
export const PLAN = `query($id: ID!) { event(id: $id) { seatingPlan { id revision seatedCount
  tables { id label capacity freeSeats occupants { guestId name seatNumber seatLabel meal pinned } }
  unseated { guestId name householdId meal }
  constraints { kind guestAName guestBName }
  notices { kind guestId guestName tableLabel } } } }`;
export const PUBLISHED = `query($id: ID!) { event(id: $id) { publishedSeatingPlan { number tableCount seatCount seatedCount
  rooms { name externalId } tables { label capacity externalId occupiedCount room { externalId } seats { number label occupied } } } } }`;
export const PUBLISHED_NAMES = `query($id: ID!) { event(id: $id) { publishedSeatingPlan { tables { label guests { name seatLabel } } } } }`;
export const SUBMIT = `mutation($i: SubmitRsvpInput!) { submitRsvp(input: $i) { __typename ${ERR} } }`;

export interface SeatingWorld extends World {
  planId: string;
  tokens: string[];
  meal: string;
}

/**
 * A wedding: dinner (event 0) and brunch (event 1), RSVP and seating on both,
 * a PERSON form with a meal question linked to the dinner, and three
 * households (2, 3, 2 people). Households 1 and 2 attend the dinner (fish and
 * vegan); household 3 has not answered. The dinner has a seating plan.
 */
export async function seatingWorld(s: TestServer, collaborators: Record<string, number[] | undefined> = {}): Promise<SeatingWorld> {
  const w = await buildWorld(s, { events: 2, households: [2, 3, 2], modules: { rsvp: [0, 1] }, collaborators });
  const t = w.owner.token;
  for (const moduleKey of ['forms', 'seating'])
    await must(s, t, `mutation($i: InstallModuleInput!) { installModule(input: $i) { __typename } }`, { i: { occasionId: w.occasionId, moduleKey } });
  const form = await createDinnerForm(s, t, w.occasionId, { required: false });
  const ENABLE = `mutation($i: EnableModuleInput!) { enableModule(input: $i) { __typename } }`;
  await must(s, t, ENABLE, { i: { eventId: w.eventIds[0], moduleKey: 'rsvp', config: { linkedFormId: form.id } } });
  for (const eventId of w.eventIds) await must(s, t, ENABLE, { i: { eventId, moduleKey: 'seating' } });
  const tokens: string[] = [];
  for (const h of w.households) {
    const r = await must(
      s,
      t,
      `mutation($i: CreateRsvpInvitationInput!) { createRsvpInvitation(input: $i) { ... on CreateRsvpInvitationPayload { guestToken } } }`,
      { i: { occasionId: w.occasionId, unitId: h.id, eventIds: w.eventIds } },
    );
    tokens.push(r.createRsvpInvitation.guestToken);
  }
  const meal = form.fields[0]!.id;
  for (const [i, value] of ['fish', 'vegan'].entries())
    await must(s, tokens[i], SUBMIT, {
      i: {
        responses: [
          { eventId: w.eventIds[0], status: 'ATTENDING', answers: w.households[i]!.memberIds.map((id) => ({ fieldId: meal, actorId: id, value })) },
        ],
      },
    });
  const plan = await must(
    s,
    t,
    `mutation($i: CreateSeatingPlanInput!) { createSeatingPlan(input: $i) { ... on CreateSeatingPlanPayload { plan { id } } } }`,
    {
      i: { eventId: w.eventIds[0] },
    },
  );
  return { ...w, planId: plan.createSeatingPlan.plan.id, tokens, meal };
}

export async function table(s: TestServer, w: SeatingWorld, label: string, capacity: number, extra: Record<string, unknown> = {}) {
  const r = await must(s, w.owner.token, CREATE_TABLE, { i: { planId: w.planId, label, capacity, ...extra } });
  return r.createSeatingTable.table.id as string;
}

export const assign = (s: TestServer, w: SeatingWorld, i: Record<string, unknown>, token = w.owner.token) =>
  s.gql(ASSIGN, { i: { planId: w.planId, ...i } }, { token });
export const readPlan = async (s: TestServer, w: SeatingWorld, token = w.owner.token) => {
  const r = await s.gql(PLAN, { id: w.eventIds[0] }, { token });
  if (r.body.errors) throw new Error(JSON.stringify(r.body.errors));
  return r.body.data.event.seatingPlan;
};
export const names = (rows: { name: string }[]) => rows.map((r) => r.name).sort();
