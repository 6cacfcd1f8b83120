import { beforeAll, describe, expect, it } from 'vitest';
import { buildWorld, must, type World } from '../../support/factories.js';
import { errorCode, startServer } from '../../support/harness.js';

/**
 * A user's saved language: setMyLocale stores it on the account, and requests
 * without a `locale` argument answer in it before Accept-Language.
 */

const s = await startServer();
const db = s.app.db.prisma;

const SET_MY_LOCALE = `mutation($i: SetMyLocaleInput!) { setMyLocale(input: $i) { __typename
  ... on SetMyLocalePayload { user { id locale } } ... on ValidationError { code fields { path } } } }`;
const EVENT = `query($id: ID!, $locale: String) { event(id: $id) { localizedName(locale: $locale) } }`;
const SET = `mutation($i: SetContentTranslationInput!) { setContentTranslation(input: $i) { __typename } }`;

let w: World;

/** Waits until no statement has run for 50 ms, so a count sees one request's statements only. */
async function quiet() {
  let last = -1;
  while (last !== s.app.db.statements.count) {
    last = s.app.db.statements.count;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const setMine = (token: string | undefined, locale: string | null) => s.gql(SET_MY_LOCALE, { i: { locale } }, { token });
const nameOf = async (token: string, headers: Record<string, string>, locale?: string) => {
  const r = await s.gql(EVENT, { id: w.eventIds[0], locale }, { token, headers });
  expect(r.body.errors, JSON.stringify(r.body.errors)).toBeUndefined();
  return r.body.data.event.localizedName as string;
};

beforeAll(async () => {
  // given an event "Dinner" translated into Hebrew and French
  w = await buildWorld(s, { events: 1, households: [], collaborators: { planner: undefined } });
  await must(s, w.owner.token, `mutation($i: UpdateEventInput!) { updateEvent(input: $i) { __typename } }`, {
    i: { id: w.eventIds[0], name: 'Dinner' },
  });
  for (const [locale, value] of [
    ['he', 'ארוחת ערב'],
    ['fr', 'Dîner'],
  ])
    await must(s, w.owner.token, SET, { i: { occasionId: w.occasionId, eventId: w.eventIds[0], field: 'NAME', locale, value } });
});

describe('setMyLocale', () => {
  it('saves the locale canonically, and a saved locale wins over Accept-Language until it is cleared', async () => {
    const planner = w.people.planner!;
    expect(await nameOf(planner.token, { 'accept-language': 'fr' })).toBe('Dîner');
    // when the planner saves Hebrew
    const r = await setMine(planner.token, 'HE-il');
    // then
    expect(r.body.data.setMyLocale).toEqual({ __typename: 'SetMyLocalePayload', user: { id: planner.userId, locale: 'he-IL' } });
    expect((await db.user.findUniqueOrThrow({ where: { id: planner.userId } })).locale).toBe('he-IL');
    expect(await nameOf(planner.token, { 'accept-language': 'fr' })).toBe('ארוחת ערב');
    expect(await nameOf(planner.token, {})).toBe('ארוחת ערב');
    // An explicit argument still wins, and other users are not affected.
    expect(await nameOf(planner.token, { 'accept-language': 'he' }, 'fr')).toBe('Dîner');
    expect(await nameOf(w.owner.token, { 'accept-language': 'fr' })).toBe('Dîner');
    const audit = await db.auditLog.findFirst({ where: { userId: planner.userId, action: 'identity:set_locale' }, orderBy: { id: 'desc' } });
    expect(audit).toMatchObject({ outcome: 'SUCCESS', before: { locale: null }, after: { locale: 'he-IL' }, targetId: planner.userId });
    // when it is cleared, Accept-Language answers again
    expect((await setMine(planner.token, null)).body.data.setMyLocale.user.locale).toBeNull();
    expect(await nameOf(planner.token, { 'accept-language': 'fr' })).toBe('Dîner');
  });

  it.each(['klingon!!', 'xx', ''])('refuses %j with a ValidationError, and changes nothing', async (locale) => {
    const owner = w.owner;
    await setMine(owner.token, 'fr');
    const r = await setMine(owner.token, locale);
    expect(r.body.data.setMyLocale).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED', fields: [{ path: 'input.locale' }] });
    expect((await db.user.findUniqueOrThrow({ where: { id: owner.userId } })).locale).toBe('fr');
  });

  it('needs a signed-in user: anonymous callers are UNAUTHENTICATED', async () => {
    expect(errorCode(await setMine(undefined, 'he'))).toBe('UNAUTHENTICATED');
  });

  it('costs no statement to read: the saved locale comes with the account', async () => {
    const planner = w.people.planner!;
    const count = async () => {
      await quiet();
      const before = s.app.db.statements.count;
      await nameOf(planner.token, { 'accept-language': 'fr' });
      return s.app.db.statements.count - before;
    };
    await setMine(planner.token, null);
    const without = await count();
    await setMine(planner.token, 'he');
    const withSaved = await count();
    expect(withSaved).toBe(without);
  });
});
