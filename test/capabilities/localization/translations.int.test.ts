import { beforeAll, describe, expect, it } from 'vitest';
import { buildWorld, must, type World } from '../../support/factories.js';
import { errorCode, startServer } from '../../support/harness.js';
import { rawId } from '../../support/rows.js';

const s = await startServer();
const db = s.app.db.prisma;

const ERR = `... on Error { code message } ... on ValidationError { fields { path message } } ... on TranslationSyntaxError { position line column }`;
const SET = `mutation($i: SetContentTranslationInput!) { setContentTranslation(input: $i) { __typename
  ... on ContentTranslationPayload { translation { id resourceType resourceId field locale direction value } } ${ERR} } }`;
const DELETE = `mutation($i: DeleteContentTranslationInput!) { deleteContentTranslation(input: $i) { __typename
  ... on DeleteContentTranslationPayload { deletedId } ... on Error { code message } } }`;
const EVENT = `query($id: ID!, $locale: String) { event(id: $id) { name localizedName(locale: $locale) description localizedDescription(locale: $locale) } }`;
const OCCASION = `query($id: ID!, $locale: String) { occasion(id: $id) { name localizedName(locale: $locale) } }`;
const TRANSLATIONS = `query($id: ID!, $locale: String) { occasion(id: $id) { translations(locale: $locale) { resourceType resourceId field locale value } } }`;
const MISSING = `query($id: ID!, $locale: String!) { occasion(id: $id) { missingTranslations(locale: $locale) { resourceType resourceId field sourceText } } }`;
const UPDATE_EVENT = `mutation($i: UpdateEventInput!) { updateEvent(input: $i) { __typename } }`;
const UPDATE_OCCASION = `mutation($i: UpdateOccasionInput!) { updateOccasion(input: $i) { __typename } }`;

let w: World;
let other: World;
const set = (token: string, i: Record<string, unknown>) => s.gql(SET, { i }, { token });
const setOk = async (i: Record<string, unknown>) => {
  const r = await set(w.owner.token, { occasionId: w.occasionId, ...i });
  expect(r.body.data?.setContentTranslation.__typename, JSON.stringify(r.body)).toBe('ContentTranslationPayload');
  return r.body.data.setContentTranslation.translation;
};
const rowsOf = (occasionId: string) => db.contentTranslation.findMany({ where: { occasionId: rawId(occasionId) } });
const auditCount = (occasionId: string) =>
  db.auditLog.count({ where: { occasionId: rawId(occasionId), action: 'translations:manage', outcome: 'SUCCESS' } });
const eventText = async (id: string, locale?: string, headers: Record<string, string> = {}) => {
  const r = await s.gql(EVENT, { id, locale }, { token: w.owner.token, headers });
  expect(r.body.errors, JSON.stringify(r.body.errors)).toBeUndefined();
  return r.body.data.event as { name: string; localizedName: string; description: string | null; localizedDescription: string | null };
};

beforeAll(async () => {
  w = await buildWorld(s, { events: 4, households: [], collaborators: { helper: undefined, planner: undefined } });
  other = await buildWorld(s, { events: 1, households: [] });
  await must(s, w.owner.token, UPDATE_EVENT, { i: { id: w.eventIds[0], name: 'Dinner', description: 'Three courses' } });
});

describe('setContentTranslation', () => {
  it('stores a translation, reads it back in that locale, and audits it', async () => {
    // given an event "Dinner" in an English occasion
    const audits = await auditCount(w.occasionId);
    // when the planner translates its name into Hebrew
    const t = await setOk({ eventId: w.eventIds[0], field: 'NAME', locale: 'HE', value: 'ארוחת ערב' });
    // then
    expect(t).toMatchObject({ resourceType: 'Event', resourceId: w.eventIds[0], field: 'NAME', locale: 'he', direction: 'rtl', value: 'ארוחת ערב' });
    expect(await eventText(w.eventIds[0]!, 'he')).toMatchObject({ name: 'Dinner', localizedName: 'ארוחת ערב' });
    expect(await eventText(w.eventIds[0]!, 'en')).toMatchObject({ localizedName: 'Dinner' });
    const list = await must(s, w.owner.token, TRANSLATIONS, { id: w.occasionId, locale: 'he' });
    expect(list.occasion.translations).toContainEqual({
      resourceType: 'Event',
      resourceId: w.eventIds[0],
      field: 'NAME',
      locale: 'he',
      value: 'ארוחת ערב',
    });
    expect(await auditCount(w.occasionId)).toBe(audits + 1);
  });

  it('falls back he-IL → he → the occasion default (the stored text)', async () => {
    await setOk({ eventId: w.eventIds[0], field: 'DESCRIPTION', locale: 'he', value: 'שלוש מנות' });
    expect(await eventText(w.eventIds[0]!, 'he-IL')).toMatchObject({ localizedName: 'ארוחת ערב', localizedDescription: 'שלוש מנות' });
    await setOk({ eventId: w.eventIds[0], field: 'NAME', locale: 'he-IL', value: 'ארוחת ערב (IL)' });
    expect(await eventText(w.eventIds[0]!, 'he-IL')).toMatchObject({ localizedName: 'ארוחת ערב (IL)', localizedDescription: 'שלוש מנות' });
    expect(await eventText(w.eventIds[0]!, 'fr')).toMatchObject({ localizedName: 'Dinner', localizedDescription: 'Three courses' });
    // and deleting the he-IL one falls back to he again
    const del = await s.gql(
      DELETE,
      { i: { occasionId: w.occasionId, eventId: w.eventIds[0], field: 'NAME', locale: 'he-IL' } },
      { token: w.owner.token },
    );
    expect(del.body.data?.deleteContentTranslation.__typename).toBe('DeleteContentTranslationPayload');
    expect(await eventText(w.eventIds[0]!, 'he-IL')).toMatchObject({ localizedName: 'ארוחת ערב' });
  });

  it('negotiates from Accept-Language without an argument, and ignores a malformed header', async () => {
    expect(await eventText(w.eventIds[0]!, undefined, { 'accept-language': 'fr;q=0.9, he-IL;q=0.95, en;q=0.1' })).toMatchObject({
      localizedName: 'ארוחת ערב',
    });
    expect(await eventText(w.eventIds[0]!, undefined, { 'accept-language': 'en-GB, he;q=0.5' })).toMatchObject({ localizedName: 'Dinner' });
    for (const header of [';;;q=x,,,*', 'he;q=banana', '\u00ff\u00fe', 'x'.repeat(2000)]) {
      expect(await eventText(w.eventIds[0]!, undefined, { 'accept-language': header })).toMatchObject({ localizedName: 'Dinner' });
    }
    expect(await eventText(w.eventIds[0]!)).toMatchObject({ localizedName: 'Dinner' });
    // An explicit argument is the caller's own input: a bad one is a ValidationError, never a 500.
    for (const locale of ['!!', 'xx', 'x'.repeat(5000)]) {
      const r = await s.gql(EVENT, { id: w.eventIds[0], locale }, { token: w.owner.token });
      expect(errorCode(r)).toBe('VALIDATION_FAILED');
    }
  });

  it('answers with the stored text once the chain reaches the occasion’s own default locale', async () => {
    // given a Hebrew occasion with an English translation of its name
    const heb = await buildWorld(s, { events: 0, households: [] });
    await must(s, heb.owner.token, UPDATE_OCCASION, { i: { id: heb.occasionId, name: 'החתונה', defaultLocale: 'he' } });
    const r = await set(heb.owner.token, { occasionId: heb.occasionId, field: 'NAME', locale: 'en', value: 'The wedding' });
    expect(r.body.data.setContentTranslation.__typename).toBe('ContentTranslationPayload');
    const read = async (headers: Record<string, string>, locale?: string) =>
      (
        await must(s, heb.owner.token, OCCASION, { id: heb.occasionId, locale }).then(() =>
          s.gql(OCCASION, { id: heb.occasionId, locale }, { token: heb.owner.token, headers }),
        )
      ).body.data.occasion.localizedName as string;
    expect(await read({ 'accept-language': 'he-IL, en;q=0.8' })).toBe('החתונה');
    expect(await read({ 'accept-language': 'en-US, he;q=0.8' })).toBe('The wedding');
    expect(await read({ 'accept-language': 'fr' })).toBe('החתונה');
    expect(await read({}, 'en')).toBe('The wedding');
  });

  it('stores HTML verbatim (escaping is the renderer’s job)', async () => {
    const html = '<b>Dinner</b> & <script>alert(1)</script>';
    const t = await setOk({ eventId: w.eventIds[1], field: 'DESCRIPTION', locale: 'ar', value: html });
    expect(t).toMatchObject({ value: html, direction: 'rtl' });
    expect((await eventText(w.eventIds[1]!, 'ar')).localizedDescription).toBe(html);
  });

  it('refuses broken ICU syntax with its position, and writes nothing', async () => {
    const [rows, audits] = [await rowsOf(w.occasionId), await auditCount(w.occasionId)];
    const r = await set(w.owner.token, {
      occasionId: w.occasionId,
      eventId: w.eventIds[2],
      field: 'NAME',
      locale: 'he',
      value: 'ארוחה {count, plural, one {x}}',
    });
    const e = r.body.data.setContentTranslation;
    expect(e).toMatchObject({ __typename: 'TranslationSyntaxError', code: 'TRANSLATION_SYNTAX', line: 1 });
    expect(e.position).toBeGreaterThan(0);
    expect(e.message).toMatch(/MISSING_OTHER_CLAUSE/);
    expect(await rowsOf(w.occasionId)).toEqual(rows);
    expect(await auditCount(w.occasionId)).toBe(audits);
  });

  it.each(['klingon!!', 'xx', 'en_US', ''])('refuses the unknown locale %j with a ValidationError, and writes nothing', async (locale) => {
    const rows = await rowsOf(w.occasionId);
    const r = await set(w.owner.token, { occasionId: w.occasionId, field: 'NAME', locale, value: 'Hi' });
    expect(r.body.data.setContentTranslation).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED' });
    expect(await rowsOf(w.occasionId)).toEqual(rows);
  });

  it('refuses a field the resource does not have, and an empty value', async () => {
    const noDescription = await set(w.owner.token, { occasionId: w.occasionId, field: 'DESCRIPTION', locale: 'he', value: 'x' });
    expect(noDescription.body.data.setContentTranslation.__typename).toBe('ValidationError');
    const empty = await set(w.owner.token, { occasionId: w.occasionId, field: 'NAME', locale: 'he', value: '   ' });
    expect(empty.body.data.setContentTranslation.__typename).toBe('ValidationError');
  });

  it('refuses a helper (no translations:manage) with FORBIDDEN, and writes nothing', async () => {
    const rows = await rowsOf(w.occasionId);
    const r = await set(w.people.helper!.token, { occasionId: w.occasionId, eventId: w.eventIds[2], field: 'NAME', locale: 'he', value: 'x' });
    expect(errorCode(r)).toBe('FORBIDDEN');
    const missing = await s.gql(MISSING, { id: w.occasionId, locale: 'he' }, { token: w.people.helper!.token });
    expect(errorCode(missing)).toBe('FORBIDDEN');
    expect(await rowsOf(w.occasionId)).toEqual(rows);
  });

  it('lets a planner (not only the owner) translate', async () => {
    const r = await set(w.people.planner!.token, { occasionId: w.occasionId, eventId: w.eventIds[2], field: 'NAME', locale: 'fr', value: 'Dîner' });
    expect(r.body.data?.setContentTranslation.__typename, JSON.stringify(r.body)).toBe('ContentTranslationPayload');
  });

  it('deletes an event’s translations with the event', async () => {
    await setOk({ eventId: w.eventIds[3], field: 'NAME', locale: 'he', value: 'נמחק' });
    expect(await db.contentTranslation.count({ where: { eventId: rawId(w.eventIds[3]!) } })).toBe(1);
    await must(s, w.owner.token, `mutation($i: DeleteEventInput!) { deleteEvent(input: $i) { __typename } }`, { i: { id: w.eventIds[3] } });
    expect(await db.contentTranslation.count({ where: { resourceId: rawId(w.eventIds[3]!) } })).toBe(0);
  });

  it('answers NOT_FOUND for another occasion’s event or occasion', async () => {
    const rows = await rowsOf(other.occasionId);
    const foreignEvent = await set(w.owner.token, { occasionId: w.occasionId, eventId: other.eventIds[0], field: 'NAME', locale: 'he', value: 'x' });
    expect(errorCode(foreignEvent)).toBe('NOT_FOUND');
    const foreignOccasion = await set(w.owner.token, { occasionId: other.occasionId, field: 'NAME', locale: 'he', value: 'x' });
    expect(errorCode(foreignOccasion)).toBe('NOT_FOUND');
    const foreignDelete = await s.gql(
      DELETE,
      { i: { occasionId: w.occasionId, eventId: other.eventIds[0], field: 'NAME', locale: 'he' } },
      { token: w.owner.token },
    );
    expect(errorCode(foreignDelete)).toBe('NOT_FOUND');
    expect(await rowsOf(other.occasionId)).toEqual(rows);
  });
});

describe('Occasion.missingTranslations', () => {
  it('lists the texts without a translation in the locale (a he one counts for he-IL), none for the default locale', async () => {
    const m = await buildWorld(s, { events: 2, households: [] });
    await must(s, m.owner.token, UPDATE_EVENT, { i: { id: m.eventIds[0], description: 'Bring a hat' } });
    const missing = async (locale: string) =>
      (
        (await must(s, m.owner.token, MISSING, { id: m.occasionId, locale })).occasion.missingTranslations as { resourceId: string; field: string }[]
      ).map((x) => `${x.resourceId === m.occasionId ? 'occasion' : `event${m.eventIds.indexOf(x.resourceId)}`}.${x.field}`);
    expect(await missing('he')).toEqual(['occasion.NAME', 'event0.NAME', 'event0.DESCRIPTION', 'event1.NAME']);
    await set(m.owner.token, { occasionId: m.occasionId, field: 'NAME', locale: 'he', value: 'חתונה' });
    await set(m.owner.token, { occasionId: m.occasionId, eventId: m.eventIds[0], field: 'DESCRIPTION', locale: 'he', value: 'כובע' });
    expect(await missing('he')).toEqual(['event0.NAME', 'event1.NAME']);
    expect(await missing('he-IL')).toEqual(['event0.NAME', 'event1.NAME']);
    expect(await missing('fr')).toHaveLength(4);
    expect(await missing('en-GB')).toEqual([]);
    const bad = await s.gql(MISSING, { id: m.occasionId, locale: 'not a locale' }, { token: m.owner.token });
    expect(errorCode(bad)).toBe('VALIDATION_FAILED');
  });
});

describe('reading a list of events in a locale', () => {
  const LIST = `query($id: ID!) { occasion(id: $id) { localizedName(locale: "he") events(first: 50) { totalCount edges { node { localizedName(locale: "he") localizedDescription } } } } }`;

  async function translatedWorld(events: number) {
    const x = await buildWorld(s, { events, households: [] });
    await db.contentTranslation.createMany({
      data: x.eventIds.flatMap((id, i) =>
        ['he', 'he-IL', 'fr'].map((locale) => ({
          occasionId: rawId(x.occasionId),
          resourceType: 'Event',
          resourceId: rawId(id),
          eventId: rawId(id),
          field: 'name',
          locale,
          value: `${locale} ${i}`,
        })),
      ),
    });
    return x;
  }
  const statements = async (x: World) => {
    const before = s.app.db.statements.count;
    const r = await s.gql(LIST, { id: x.occasionId }, { token: x.owner.token, headers: { 'accept-language': 'he-IL' } });
    expect(r.body.errors).toBeUndefined();
    const names = (r.body.data.occasion.events.edges as { node: { localizedName: string } }[]).map((e) => e.node.localizedName);
    return { count: s.app.db.statements.count - before, names };
  };

  it('loads the translations of 20 events in as many statements as of 2', async () => {
    const few = await statements(await translatedWorld(2));
    const many = await statements(await translatedWorld(20));
    expect(few.names).toEqual(['he 0', 'he 1']);
    expect(many.names).toHaveLength(20);
    expect(many.names.every((n, i) => n === `he ${i}`)).toBe(true);
    expect(many.count).toBe(few.count);
  });
});
