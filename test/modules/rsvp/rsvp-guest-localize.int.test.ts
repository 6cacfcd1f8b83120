import { beforeAll, describe, expect, it } from 'vitest';
import { guestPrincipalFromToken } from '../../../src/domains/guest-access/guest-access.service.js';
import { localizeGuestView } from '../../../src/modules/rsvp/guest/rsvp.guest-localize.js';
import { localeOfAttributes } from '../../../src/capabilities/localization/locales.js';
import { guestLocalePreference, setGuestLocalePreference } from '../../../src/modules/rsvp/guest/rsvp.guest-locale.js';
import { guestView } from '../../../src/modules/rsvp/guest/rsvp.guest-view.js';
import { buildWorld, must, type World } from '../../support/factories.js';
import { errorCode, startServer } from '../../support/harness.js';
import { rawId } from '../../support/rows.js';

/**
 * The guest's invitation in the guest's language: the hosts' translations of
 * the occasion, its events and the linked form's questions, chosen by the
 * `locale` argument, else the language the guest saved, else Accept-Language,
 * falling back he-IL → he → the wording the hosts wrote.
 */

const s = await startServer();
const db = s.app.db.prisma;

const GUEST = `query($locale: String) { guestInvitation(locale: $locale) { occasionName preferredLocale
  events { name description questions { key label options { value label } } } } }`;
const SET_LOCALE = `mutation($i: SetGuestLocaleInput!) { setGuestLocale(input: $i) { __typename
  ... on SetGuestLocalePayload { preferredLocale } ... on ValidationError { code fields { path } } } }`;
const SUBMIT = `mutation($i: SubmitRsvpInput!) { submitRsvp(input: $i) { __typename ... on SubmitRsvpPayload { invitation { occasionName events { name } } } } }`;
const SET = `mutation($i: SetContentTranslationInput!) { setContentTranslation(input: $i) { __typename ... on Error { code message } } }`;

interface Invitation {
  occasionName: string;
  preferredLocale: string | null;
  events: { name: string; description: string | null; questions: { key: string; label: string; options: { value: string; label: string }[] }[] }[];
}

let w: World;
let token: string;
let otherToken: string;
let formId: string;

/** Waits until no statement has run for 50 ms (live summaries recompute in the background after commits). */
async function quiet() {
  let last = -1;
  while (last !== s.app.db.statements.count) {
    last = s.app.db.statements.count;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const guest = async (t: string, locale?: string, headers: Record<string, string> = {}) => {
  const r = await s.gql(GUEST, { locale }, { token: t, headers });
  expect(r.body.errors, JSON.stringify(r.body.errors)).toBeUndefined();
  return r.body.data.guestInvitation as Invitation;
};
const translate = (i: Record<string, unknown>) => must(s, w.owner.token, SET, { i: { occasionId: w.occasionId, locale: 'he', ...i } });
const setLocale = (t: string, locale: string | null) => s.gql(SET_LOCALE, { i: { locale } }, { token: t });

beforeAll(async () => {
  // given a wedding with two RSVP events, the first asking a meal question, all translated into Hebrew
  w = await buildWorld(s, { events: 2, households: [2, 1], modules: { rsvp: [0, 1] } });
  const t = w.owner.token;
  await must(s, t, `mutation($i: UpdateOccasionInput!) { updateOccasion(input: $i) { __typename } }`, {
    i: { id: w.occasionId, name: 'The wedding' },
  });
  await must(s, t, `mutation($i: UpdateEventInput!) { updateEvent(input: $i) { __typename } }`, {
    i: { id: w.eventIds[0], name: 'Dinner', description: 'Three courses' },
  });
  await must(s, t, `mutation($i: UpdateEventInput!) { updateEvent(input: $i) { __typename } }`, { i: { id: w.eventIds[1], name: 'Brunch' } });
  await must(s, t, `mutation($i: InstallModuleInput!) { installModule(input: $i) { __typename } }`, {
    i: { occasionId: w.occasionId, moduleKey: 'forms' },
  });
  const form = await must(s, t, `mutation($i: CreateFormInput!) { createForm(input: $i) { ... on FormPayload { form { id } } } }`, {
    i: {
      occasionId: w.occasionId,
      title: 'Dinner',
      appliesTo: 'HOUSEHOLD',
      fields: [
        {
          key: 'meal',
          label: 'Main course',
          type: 'SINGLE_CHOICE',
          options: [
            { value: 'fish', label: 'Fish' },
            { value: 'veg', label: 'Vegetarian' },
          ],
        },
      ],
    },
  });
  formId = form.createForm.form.id;
  await must(s, t, `mutation($i: EnableModuleInput!) { enableModule(input: $i) { __typename } }`, {
    i: { eventId: w.eventIds[0], moduleKey: 'rsvp', config: { linkedFormId: rawId(formId) } },
  });
  const invite = async (unitId: string) =>
    (
      await must(
        s,
        t,
        `mutation($i: CreateRsvpInvitationInput!) { createRsvpInvitation(input: $i) { ... on CreateRsvpInvitationPayload { guestToken } } }`,
        {
          i: { occasionId: w.occasionId, unitId, eventIds: w.eventIds },
        },
      )
    ).createRsvpInvitation.guestToken as string;
  token = await invite(w.households[0]!.id);
  otherToken = await invite(w.households[1]!.id);
  await translate({ field: 'NAME', value: 'החתונה' });
  await translate({ eventId: w.eventIds[0], field: 'NAME', value: 'ארוחת ערב' });
  await translate({ eventId: w.eventIds[0], field: 'DESCRIPTION', value: 'שלוש מנות' });
  await translate({ eventId: w.eventIds[1], field: 'NAME', locale: 'he-IL', value: 'בראנץ׳' });
  await translate({ resourceId: formId, resourceKey: 'meal', field: 'LABEL', value: 'מנה עיקרית' });
  await translate({ resourceId: formId, resourceKey: 'meal', field: 'CHOICE_LABEL', choiceValue: 'fish', value: 'דג' });
});

const HEBREW_DINNER = {
  name: 'ארוחת ערב',
  description: 'שלוש מנות',
  questions: [
    {
      key: 'meal',
      label: 'מנה עיקרית',
      options: [
        { value: 'fish', label: 'דג' },
        { value: 'veg', label: 'Vegetarian' },
      ],
    },
  ],
};

describe('guestInvitation in the guest’s language', () => {
  it('answers in Hebrew with Accept-Language: he, and as the hosts wrote it without one', async () => {
    const he = await guest(token, undefined, { 'accept-language': 'he' });
    expect(he.occasionName).toBe('החתונה');
    expect(he.events).toEqual([HEBREW_DINNER, { name: 'Brunch', description: null, questions: [] }]);
    // he-IL finds the he-IL translation first, and the he ones behind it.
    const heIL = await guest(token, undefined, { 'accept-language': 'he-IL,he;q=0.9' });
    expect(heIL.events.map((e) => e.name)).toEqual(['ארוחת ערב', 'בראנץ׳']);
    const plain = await guest(token);
    expect(plain.occasionName).toBe('The wedding');
    expect(plain.events[0]).toEqual({
      name: 'Dinner',
      description: 'Three courses',
      questions: [
        {
          key: 'meal',
          label: 'Main course',
          options: [
            { value: 'fish', label: 'Fish' },
            { value: 'veg', label: 'Vegetarian' },
          ],
        },
      ],
    });
  });

  it('takes an explicit locale over Accept-Language, and refuses one that is not a locale', async () => {
    expect((await guest(token, 'he', { 'accept-language': 'en' })).events[0]).toEqual(HEBREW_DINNER);
    expect((await guest(token, 'en', { 'accept-language': 'he' })).occasionName).toBe('The wedding');
    const bad = await s.gql(GUEST, { locale: 'not a locale' }, { token });
    expect(errorCode(bad)).toBe('VALIDATION_FAILED');
  });

  it('answers submitRsvp in the guest’s language too', async () => {
    const r = await s.gql(
      SUBMIT,
      { i: { responses: [{ eventId: w.eventIds[1], status: 'DECLINED' }] } },
      { token, headers: { 'accept-language': 'he' } },
    );
    expect(r.body.data.submitRsvp).toMatchObject({ __typename: 'SubmitRsvpPayload', invitation: { occasionName: 'החתונה' } });
  });
});

describe('a guest’s saved language', () => {
  it('is saved on the invitation’s primary person, wins over Accept-Language, and is audited', async () => {
    // given a person whose hosts noted other attributes
    const inv = await db.rsvpInvitation.findFirstOrThrow({ where: { invitationUnitActorId: rawId(w.households[0]!.id) } });
    await db.actor.update({ where: { id: inv.primaryActorId }, data: { attributes: { diet: 'kosher' } } });
    expect((await guest(token, undefined, { 'accept-language': 'fr' })).preferredLocale).toBeNull();
    // when the guest chooses Hebrew
    const r = await setLocale(token, 'HE');
    // then
    expect(r.body.data.setGuestLocale).toEqual({ __typename: 'SetGuestLocalePayload', preferredLocale: 'he' });
    const person = await db.actor.findUniqueOrThrow({ where: { id: inv.primaryActorId } });
    expect(person.attributes).toEqual({ diet: 'kosher', locale: 'he' });
    const v = await guest(token, undefined, { 'accept-language': 'fr, en;q=0.5' });
    expect(v).toMatchObject({ preferredLocale: 'he', occasionName: 'החתונה' });
    expect(v.events[0]).toEqual(HEBREW_DINNER);
    // An explicit locale still wins over the saved one.
    expect((await guest(token, 'en')).occasionName).toBe('The wedding');
    // The other household is untouched.
    expect((await guest(otherToken, undefined, { 'accept-language': 'fr' })).occasionName).toBe('The wedding');
    const audit = await db.auditLog.findFirst({
      where: { occasionId: rawId(w.occasionId), action: 'actor:update', targetId: inv.primaryActorId },
      orderBy: { id: 'desc' },
    });
    expect(audit).toMatchObject({ principalType: 'guest', outcome: 'SUCCESS', after: { locale: 'he' } });
    expect(await guestLocalePreference(db, rawId(w.occasionId), rawId(w.households[0]!.id))).toBe('he');

    // when the guest clears it, Accept-Language answers again and the other attributes stay
    expect((await setLocale(token, null)).body.data.setGuestLocale.preferredLocale).toBeNull();
    expect((await db.actor.findUniqueOrThrow({ where: { id: inv.primaryActorId } })).attributes).toEqual({ diet: 'kosher' });
    expect((await guest(token, undefined, { 'accept-language': 'fr' })).occasionName).toBe('The wedding');
  });

  it('refuses a locale that is not one, and changes nothing', async () => {
    const inv = await db.rsvpInvitation.findFirstOrThrow({ where: { invitationUnitActorId: rawId(w.households[0]!.id) } });
    const before = await db.actor.findUniqueOrThrow({ where: { id: inv.primaryActorId } });
    const r = await setLocale(token, 'klingon!!');
    expect(r.body.data.setGuestLocale).toMatchObject({
      __typename: 'ValidationError',
      code: 'VALIDATION_FAILED',
      fields: [{ path: 'input.locale' }],
    });
    expect(await db.actor.findUniqueOrThrow({ where: { id: inv.primaryActorId } })).toEqual(before);
  });

  it('is refused to planners (guests only) and, for another unit, NOT_FOUND', async () => {
    expect(errorCode(await setLocale(w.owner.token, 'he'))).toBe('FORBIDDEN');
    const principal = await guestPrincipalFromToken(db, token);
    if (typeof principal === 'string') throw new Error(principal);
    const caller = { principal, requestId: 'guest-locale-other-unit' };
    await expect(db.$transaction((tx) => setGuestLocalePreference(tx, caller, rawId(w.households[1]!.id), 'he'))).rejects.toMatchObject({
      extensions: { code: 'NOT_FOUND' },
    });
  });

  it('reads a locale the hosts noted in any spelling, and ignores what is not one', () => {
    expect(localeOfAttributes({ locale: 'HE-il' })).toBe('he-IL');
    expect(localeOfAttributes({ locale: 'xx' })).toBeNull();
    expect(localeOfAttributes({ locale: 7 })).toBeNull();
    expect(localeOfAttributes(null)).toBeNull();
  });
});

describe('localizeGuestView', () => {
  it('reads every translation of a view in one statement, whatever its size, and none without a locale', async () => {
    const principal = await guestPrincipalFromToken(db, token);
    if (typeof principal === 'string') throw new Error(principal);
    const full = await guestView(db, principal);
    const oneEvent = { ...full, events: full.events.slice(0, 1) };
    expect(full.events).toHaveLength(2);
    const statements = async (view: typeof full, chain: string[]) => {
      await quiet();
      const before = s.app.db.statements.count;
      const localized = await localizeGuestView(db, view, chain);
      return { count: s.app.db.statements.count - before, localized };
    };
    const small = await statements(oneEvent, ['he-IL', 'he']);
    const large = await statements(full, ['he-IL', 'he']);
    expect(small.count).toBe(1);
    expect(large.count).toBe(1);
    expect(large.localized.occasion.name).toBe('החתונה');
    expect(large.localized.events.map((e) => e.event.name)).toEqual(['ארוחת ערב', 'בראנץ׳']);
    expect(large.localized.events[0]!.form!.questions[0]!.options).toEqual([
      { value: 'fish', label: 'דג' },
      { value: 'veg', label: 'Vegetarian' },
    ]);
    // The view it was given is left as it was.
    expect(full.occasion.name).toBe('The wedding');
    const none = await statements(full, []);
    expect(none).toEqual({ count: 0, localized: full });
  });
});
