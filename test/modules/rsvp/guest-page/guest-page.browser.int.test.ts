import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { expectAccessible, navigates, openPage, screenshot, tabTo, throttle3G } from '../../../support/browser.js';
import { must } from '../../../support/factories.js';
import { startServer } from '../../../support/harness.js';
import { rawId } from '../../../support/rows.js';
import { guestPageWorld, type GuestPageWorld } from './guest-page-world.js';

/**
 * The guest's RSVP page in a real browser (Debian's Chromium, as a phone), in
 * English and in Hebrew (right to left, with the planners' Hebrew texts): a
 * household answers every event at once with taps and the keyboard, corrects
 * a mistake the page points at, changes its mind; the same with JavaScript
 * off and on a slow 3G connection; links that do not work, the printed code;
 * and the page never shows or takes another household's people.
 * Screenshots: docs/screenshots/guest-*.png (UPDATE_SCREENSHOTS=1).
 */

const s = await startServer();

/** What a guest reads, written out here (not imported from the catalogs), per language. */
const TEXT = {
  en: {
    henna: 'Henna night',
    ceremony: 'Ceremony',
    yes: 'Yes, we will be there',
    no: 'No, we can’t come',
    forGuest: 'For your guest 1',
    plusOneName: 'Guest 1’s name',
    seaBass: 'Sea bass',
    vegetables: 'Roasted vegetables',
    submit: 'Send my answers',
    saved: 'Thank you! Your answers are saved.',
    savedHenna: 'Your answer: coming (2 people).',
    savedCeremony: 'Your answer: not coming.',
    threeProblems: 'Please check 3 answers:',
    mealForDana: 'Answer “Main course” for Dana Cohen.',
    closed: 'Replies closed on',
    invalid: 'This link does not work',
    revoked: 'This link is no longer valid',
    codeLabel: 'Code from your printed invitation',
    openCode: 'Open my invitation',
    greeting: 'Dear Household 1,',
  },
  he: {
    henna: 'ליל חינה',
    ceremony: 'חופה',
    yes: 'כן, נגיע',
    no: 'לא נוכל להגיע',
    forGuest: 'עבור האורח 1',
    plusOneName: 'שם האורח 1',
    seaBass: 'לברק',
    vegetables: 'ירקות קלויים',
    submit: 'שליחת התשובות',
    saved: 'תודה! התשובות נשמרו.',
    savedHenna: 'התשובה שלכם: מגיעים (שני אנשים).',
    savedCeremony: 'התשובה שלכם: לא מגיעים.',
    threeProblems: 'נא לבדוק 3 תשובות:',
    mealForDana: 'נא לענות על „מנה עיקרית” עבור Dana Cohen.',
    closed: 'המענה נסגר ב־',
    invalid: 'הקישור אינו פועל',
    revoked: 'הקישור כבר אינו בתוקף',
    codeLabel: 'הקוד מההזמנה המודפסת',
    openCode: 'פתיחת ההזמנה',
    greeting: 'Household 1 היקרים,',
  },
} as const;
type Lang = keyof typeof TEXT;

const SET = `mutation($i: SetContentTranslationInput!) { setContentTranslation(input: $i) { __typename ... on Error { message } } }`;

/** The fixture's occasion, with the planners' Hebrew for its Hebrew guests. */
async function world(lang: Lang): Promise<GuestPageWorld> {
  const g = await guestPageWorld(s, { defaultLocale: 'en' });
  if (lang === 'he') {
    const he = { occasionId: g.w.occasionId, locale: 'he' };
    const meal = { ...he, resourceId: g.formId, resourceKey: 'meal' };
    const dietary = { ...he, resourceId: g.formId, resourceKey: 'dietary' };
    for (const i of [
      { ...he, field: 'NAME', value: 'החתונה של נועה ודן' },
      { ...he, eventId: g.w.eventIds[0], field: 'NAME', value: 'ליל חינה' },
      { ...he, eventId: g.w.eventIds[1], field: 'NAME', value: 'חופה' },
      { ...he, eventId: g.w.eventIds[1], field: 'DESCRIPTION', value: 'מתחת לעץ הזית הישן.' },
      { ...meal, field: 'LABEL', value: 'מנה עיקרית' },
      { ...meal, field: 'CHOICE_LABEL', choiceValue: 'fish', value: 'לברק' },
      { ...meal, field: 'CHOICE_LABEL', choiceValue: 'vegan', value: 'ירקות קלויים' },
      { ...dietary, field: 'LABEL', value: 'הגבלות תזונה' },
      { ...dietary, field: 'CHOICE_LABEL', choiceValue: 'gluten_free', value: 'ללא גלוטן' },
      { ...dietary, field: 'CHOICE_LABEL', choiceValue: 'nuts', value: 'אלרגיה לאגוזים' },
    ])
      expect((await must(s, g.w.owner.token, SET, { i })).setContentTranslation.__typename).toBe('ContentTranslationPayload');
  }
  return g;
}

/** A link the server handed out (on PUBLIC_URL), opened on this test's server. */
const here = (link: string) => `${s.url}${new URL(link).pathname}`;

const event = (page: Page, name: string) => page.getByRole('group', { name, exact: true });
const person = (page: Page, name: string) => page.getByRole('group', { name, exact: true });
const responses = (g: GuestPageWorld) =>
  s.app.db.prisma.rsvpResponse.findMany({ where: { invitationId: g.invitationId }, select: { eventId: true, status: true, headcount: true } });
const statusOf = async (g: GuestPageWorld, i: number) => (await responses(g)).find((r) => r.eventId === g.events[i]!.id);

describe.each(['en', 'he'] as const)('the guest page in %s', (lang) => {
  const t = TEXT[lang];
  const forPerson = (name: string) => (lang === 'he' ? `עבור ${name}` : `For ${name}`);

  it('a household answers every event at once with taps and the keyboard, then sees what was saved', async (ctx) => {
    const g = await world(lang);
    const page = await openPage(ctx, { locale: lang });
    const res = await page.goto(here(g.link));
    expect(res!.status()).toBe(200);
    // The token left the address bar: the page lives at /guest, the session in a cookie.
    expect(new URL(page.url()).pathname).toBe('/guest');
    expect(page.url()).not.toContain(g.token);
    expect(await page.locator('h1').textContent()).toBe(t.greeting);
    await expectAccessible(page, { lang });
    await screenshot(page, `guest-page-${lang}`);

    const [a, b] = g.people;
    const henna = event(page, t.henna);
    await henna.getByRole('radio', { name: t.yes }).tap();
    // The second person stays home; a plus-one comes, with a meal of their own.
    await henna.getByRole('checkbox', { name: b!.name }).tap();
    // Their questions go away with them (CSS only), and come back when ticked again.
    await expect.poll(() => person(page, forPerson(b!.name)).isVisible()).toBe(false);
    expect(await person(page, forPerson(a!.name)).isVisible()).toBe(true);
    await henna.getByRole('textbox', { name: t.plusOneName }).fill('Dana Cohen');
    await person(page, forPerson(a!.name)).getByRole('radio', { name: t.seaBass }).tap();
    await person(page, t.forGuest).getByRole('radio', { name: t.vegetables }).tap();
    await event(page, t.ceremony).getByRole('radio', { name: t.no }).tap();
    // Sent from the keyboard.
    await tabTo(page, page.getByRole('button', { name: t.submit }));
    await navigates(page, () => page.keyboard.press('Enter'));

    expect(await page.getByRole('status').textContent()).toBe(t.saved);
    expect(await event(page, t.henna).locator('.saved').textContent()).toBe(t.savedHenna);
    expect(await event(page, t.ceremony).locator('.saved').textContent()).toBe(t.savedCeremony);
    expect(await event(page, t.henna).getByRole('radio', { name: t.yes }).isChecked()).toBe(true);
    await expectAccessible(page, { lang });
    await screenshot(page, `guest-page-saved-${lang}`);
    expect(await statusOf(g, 0)).toMatchObject({ status: 'ATTENDING', headcount: 2 });
    expect(await statusOf(g, 1)).toMatchObject({ status: 'DECLINED', headcount: 0 });
    expect(await statusOf(g, 2)).toMatchObject({ status: 'PENDING' });
  });

  it('a mistake is pointed at on the page, what was typed is kept, and the corrected answer saves', async (ctx) => {
    const g = await world(lang);
    const page = await openPage(ctx, { locale: lang });
    await page.goto(here(g.link));
    const henna = event(page, t.henna);
    await henna.getByRole('radio', { name: t.yes }).tap();
    await henna.getByRole('textbox', { name: t.plusOneName }).fill('Dana Cohen');
    // No meal chosen: the form's required question.
    const answer = await navigates(page, () => page.getByRole('button', { name: t.submit }).tap());
    expect(answer.status()).toBe(422);
    const alert = page.getByRole('alert');
    // The meal, for each of the two people and the plus-one, named in the guest's language.
    expect(await alert.locator('h2').textContent()).toBe(t.threeProblems);
    expect(await alert.textContent()).toContain(t.mealForDana);
    expect(await henna.getByRole('textbox', { name: t.plusOneName }).inputValue()).toBe('Dana Cohen');
    expect(await henna.getByRole('radio', { name: t.yes }).isChecked()).toBe(true);
    await expectAccessible(page, { lang });
    await screenshot(page, `guest-page-errors-${lang}`);
    expect((await statusOf(g, 0))!.status).toBe('PENDING');

    // The summary's link leads to the event; every meal chosen, it saves.
    await alert.getByRole('link').first().tap();
    for (const name of [forPerson(g.people[0]!.name), forPerson(g.people[1]!.name), t.forGuest])
      await person(page, name).getByRole('radio', { name: t.seaBass }).tap();
    await navigates(page, () => page.getByRole('button', { name: t.submit }).tap());
    expect(await page.getByRole('status').textContent()).toBe(t.saved);
    expect(await statusOf(g, 0)).toMatchObject({ status: 'ATTENDING', headcount: 3 });
  });

  it('links that do not work get a page that says what to do; a closed event shows as closed', async (ctx) => {
    const g = await world(lang);
    const page = await openPage(ctx, { locale: lang });
    const tampered = await page.goto(`${s.url}/guest/${g.token.slice(0, -3)}abc`);
    expect(tampered!.status()).toBe(404);
    expect(await page.locator('h1').textContent()).toBe(t.invalid);
    await expectAccessible(page, { lang });
    await screenshot(page, `guest-link-invalid-${lang}`);

    await page.goto(here(g.link));
    expect(await page.locator('main').textContent()).toContain(t.closed);
    await s.app.db.prisma.guestAccess.updateMany({ where: { unitActorId: rawId(g.w.households[0]!.id) }, data: { revokedAt: new Date() } });
    const revoked = await page.reload();
    expect(revoked!.status()).toBe(410);
    expect(await page.locator('h1').textContent()).toBe(t.revoked);
    await screenshot(page, `guest-link-revoked-${lang}`);
  });

  it('the code printed on a paper invitation, typed with the keyboard, opens the invitation', async (ctx) => {
    const g = await world(lang);
    const code = await g.printCode();
    const page = await openPage(ctx, { locale: lang });
    await page.goto(`${s.url}/r/`);
    await expectAccessible(page, { lang });
    await screenshot(page, `guest-code-${lang}`);
    await tabTo(page, page.getByRole('textbox', { name: t.codeLabel }));
    // As printed under the QR: upper case, in groups of four.
    await page.keyboard.type(
      `TOVP-${code
        .slice(5)
        .match(/.{1,4}/g)!
        .join('-')}`,
    );
    await navigates(page, () => page.keyboard.press('Enter'));
    expect(new URL(page.url()).pathname).toBe('/guest');
    expect(await page.locator('h1').textContent()).toBe(t.greeting);
  });
});

describe('the guest page without JavaScript, on a slow network, and with another household’s ids', () => {
  it('works with JavaScript off: plain forms answer and save', async (ctx) => {
    const g = await world('en');
    const page = await openPage(ctx, { locale: 'en', javaScript: false });
    await page.goto(here(g.link));
    expect(await page.evaluate(() => (globalThis as any).document.scripts.length)).toBe(0);
    await event(page, TEXT.en.ceremony).getByRole('radio', { name: TEXT.en.yes }).tap();
    await navigates(page, () => page.getByRole('button', { name: TEXT.en.submit }).tap());
    expect(await page.getByRole('status').textContent()).toBe(TEXT.en.saved);
    expect(await statusOf(g, 1)).toMatchObject({ status: 'ATTENDING', headcount: 2 });
  });

  it('is usable on Slow 3G with a 4× slower CPU: one small document, then the answer saves', async (ctx) => {
    const g = await world('he');
    const page = await openPage(ctx, { locale: 'he' });
    await throttle3G(page);
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const started = Date.now();
    await page.goto(here(g.link), { timeout: 60_000 });
    const loaded = Date.now() - started;
    // The link and its redirect: the page itself needs nothing else (no script, no font, no image, no stylesheet file).
    expect(requests.map((u) => new URL(u).pathname)).toEqual([`/guest/${g.token}`, '/guest']);
    const bytes = await page.evaluate(() => (globalThis as any).document.documentElement.outerHTML.length);
    await event(page, TEXT.he.ceremony).getByRole('radio', { name: TEXT.he.no }).tap();
    const sendStarted = Date.now();
    await navigates(page, () => page.getByRole('button', { name: TEXT.he.submit }).tap(), 60_000);
    expect(await page.getByRole('status').textContent()).toBe(TEXT.he.saved);
    console.info(
      `[guest page on Slow 3G, CPU ×4] opened in ${loaded} ms (${bytes} characters); answer saved and shown in ${Date.now() - sendStarted} ms`,
    );
  });

  it('never shows or takes another household’s people, even when the form is edited to name them', async (ctx) => {
    const g = await world('en');
    const page = await openPage(ctx, { locale: 'en' });
    await page.goto(here(g.link));
    const body = await page.locator('body').textContent();
    for (const name of g.otherNames) expect(body).not.toContain(name);
    // A checkbox's value replaced with a person of the other household, as a tampering guest could.
    const other = await s.app.db.prisma.actor.findFirstOrThrow({ where: { displayName: g.otherNames[0]!, occasionId: rawId(g.w.occasionId) } });
    const henna = event(page, TEXT.en.henna);
    await henna.getByRole('radio', { name: TEXT.en.yes }).tap();
    await henna
      .getByRole('checkbox', { name: g.people[0]!.name })
      .evaluate((box, id) => ((box as unknown as { value: string }).value = id), other.id);
    const answer = await navigates(page, () => page.getByRole('button', { name: TEXT.en.submit }).tap());
    expect(answer.status()).toBe(422);
    expect(await page.getByRole('alert').textContent()).toContain('Choose who is coming.');
    const after = await page.locator('body').textContent();
    for (const name of g.otherNames) expect(after).not.toContain(name);
    expect((await statusOf(g, 0))!.status).toBe('PENDING');
    const theirs = await s.app.db.prisma.rsvpResponse.findMany({ where: { participantActorIds: { has: other.id } } });
    expect(theirs).toEqual([]);
  });
});
