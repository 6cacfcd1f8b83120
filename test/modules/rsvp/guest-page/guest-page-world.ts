import { printCodesFor } from '../../../../src/domains/guest-access/print-codes.js';
import { resolveAppKey } from '../../../../src/platform/app-key.js';
import { buildWorld, must, type World } from '../../../support/factories.js';
import type { TestServer } from '../../../support/harness.js';
import { rawId } from '../../../support/rows.js';
import { createDinnerForm } from '../../../support/forms.js';

/*
 * The occasion the guest page's tests (HTTP and browser) open: a wedding in
 * Jerusalem time with a branding colour, three RSVP events — the first asks
 * each attending person for a meal (required) and dietary needs, the third
 * closed since yesterday — one household of two invited to all three with a
 * plus-one, and a second household (never to be seen by the first) invited
 * to the first event only. Built through the API, as a planner would.
 */

export const EVIL_EVENT_NAME = '<script>alert(1)</script> Dinner & "dance"';

const INSTALL = `mutation($i: InstallModuleInput!) { installModule(input: $i) { __typename } }`;
const ENABLE = `mutation($i: EnableModuleInput!) { enableModule(input: $i) { __typename ... on Error { code message } } }`;
const UPDATE_OCCASION = `mutation($i: UpdateOccasionInput!) { updateOccasion(input: $i) { __typename ... on Error { code message } } }`;
const UPDATE_EVENT = `mutation($i: UpdateEventInput!) { updateEvent(input: $i) { __typename ... on Error { code message } } }`;
const INVITE = `mutation($i: CreateRsvpInvitationInput!) { createRsvpInvitation(input: $i) { __typename
  ... on CreateRsvpInvitationPayload { guestToken guestLink invitation { id } } ... on Error { code message } } }`;

export interface GuestPageWorld {
  w: World;
  occasionName: string;
  /** The two-person household's link (all three events, one plus-one). */
  link: string;
  token: string;
  invitationId: string;
  people: { id: string; name: string }[];
  /** The other household's link and people (event 1 only). */
  otherToken: string;
  otherNames: string[];
  events: { id: string; name: string }[];
  /** The Dinner form's global id (translations of its questions name it). */
  formId: string;
  mealFieldId: string;
  dietaryFieldId: string;
  /** The two-person household's printed-invitation code (tovp_…). */
  printCode(): Promise<string>;
}

export async function guestPageWorld(s: TestServer, opts: { defaultLocale?: string; mealRequired?: boolean } = {}): Promise<GuestPageWorld> {
  const w = await buildWorld(s, { events: 3, households: [2, 3] });
  const t = w.owner.token;
  const occasionName = `Noa & Dan ${rawId(w.occasionId).slice(-4)}`;
  await must(s, t, UPDATE_OCCASION, {
    i: {
      id: w.occasionId,
      name: occasionName,
      timezone: 'Asia/Jerusalem',
      branding: { primaryColor: '#1f5f4a' },
      defaultLocale: opts.defaultLocale ?? 'en',
    },
  });
  const names = ['Henna night', 'Ceremony', EVIL_EVENT_NAME];
  for (const [i, name] of names.entries())
    await must(s, t, UPDATE_EVENT, {
      i: {
        id: w.eventIds[i],
        name,
        location: i === 0 ? 'Family home, Haifa' : 'Olive Grove Estate',
        description: i === 1 ? 'Under the old olive tree.' : null,
      },
    });
  await must(s, t, INSTALL, { i: { occasionId: w.occasionId, moduleKey: 'rsvp' } });
  await must(s, t, INSTALL, { i: { occasionId: w.occasionId, moduleKey: 'forms' } });
  const form = await createDinnerForm(s, t, w.occasionId, { dietary: true, required: opts.mealRequired ?? true });
  const field = (key: string) => rawId(form.fields.find((f) => f.key === key)!.id);
  const deadline = new Date(Date.now() + 30 * 86_400_000).toISOString();
  await must(s, t, ENABLE, { i: { eventId: w.eventIds[0], moduleKey: 'rsvp', config: { linkedFormId: rawId(form.id), deadline } } });
  await must(s, t, ENABLE, { i: { eventId: w.eventIds[1], moduleKey: 'rsvp', config: { deadline } } });
  await must(s, t, ENABLE, {
    i: { eventId: w.eventIds[2], moduleKey: 'rsvp', config: { deadline: new Date(Date.now() - 86_400_000).toISOString() } },
  });
  const invite = async (unit: string, events: number[], extra: Record<string, unknown> = {}) =>
    (await must(s, t, INVITE, { i: { occasionId: w.occasionId, unitId: unit, eventIds: events.map((i) => w.eventIds[i]), ...extra } }))
      .createRsvpInvitation;
  const mine = await invite(w.households[0]!.id, [0, 1, 2], { plusOnesAllowed: 1 });
  const other = await invite(w.households[1]!.id, [0]);
  const actors = await s.app.db.prisma.actor.findMany({
    where: { id: { in: [...w.households[0]!.memberIds, ...w.households[1]!.memberIds].map(rawId) } },
    select: { id: true, displayName: true },
  });
  const nameOf = (id: string) => actors.find((a) => a.id === rawId(id))!.displayName;
  return {
    w,
    occasionName,
    link: mine.guestLink,
    token: mine.guestToken,
    invitationId: rawId(mine.invitation.id),
    people: w.households[0]!.memberIds.map((id) => ({ id: rawId(id), name: nameOf(id) })),
    otherToken: other.guestToken,
    otherNames: w.households[1]!.memberIds.map(nameOf),
    events: w.eventIds.map((id, i) => ({ id: rawId(id), name: names[i]! })),
    formId: form.id,
    mealFieldId: field('meal'),
    dietaryFieldId: field('dietary'),
    printCode: async () => {
      const unit = rawId(w.households[0]!.id);
      const codes = await s.app.db.prisma.$transaction((tx) =>
        printCodesFor(
          tx,
          { principal: { kind: 'system', reason: 'test', actions: [] }, requestId: 'test' },
          rawId(w.occasionId),
          [unit],
          resolveAppKey(s.app.config),
        ),
      );
      return codes.get(unit)!;
    },
  };
}
