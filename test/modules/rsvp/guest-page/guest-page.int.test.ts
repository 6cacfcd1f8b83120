import { describe, expect, it } from 'vitest';
import { must } from '../../../support/factories.js';
import { startServer } from '../../../support/harness.js';
import { globalId, rawId, watchOccasion } from '../../../support/rows.js';
import { EVIL_EVENT_NAME, guestPageWorld, type GuestPageWorld } from './guest-page-world.js';
import { formTokenOf, GuestClient, textOf } from './guest-client.js';
import { sessionValue } from '../../../../src/modules/rsvp/guest-page/session.js';
import { resolveAppKey } from '../../../../src/platform/app-key.js';

/**
 * The guest's RSVP page over real HTTP: the link becomes a session cookie,
 * the page shows the household's own invitation, one form answers every
 * event (through submitRsvp, the GraphQL mutation's service), mistakes come
 * back on the page, and links that do not work get a page, never JSON.
 * The browser suite (guest-page.browser.int.test.ts) drives the same page in Chromium.
 */

const s = await startServer();

const prisma = () => s.app.db.prisma;
const responsesOf = (g: GuestPageWorld) =>
  prisma().rsvpResponse.findMany({
    where: { invitationId: g.invitationId },
    orderBy: { eventId: 'asc' },
    select: { eventId: true, status: true, headcount: true, notes: true, participantActorIds: true },
  });

/** The form as the page filled it, plus the guest's choices. */
function answers(html: string, extra: [string, string][], chosenLang?: string): [string, string][] {
  return [['csrf', formTokenOf(html)], ...(chosenLang ? [['lang', chosenLang] as [string, string]] : []), ...extra];
}

describe('opening the link', () => {
  it('moves the token into an HttpOnly, SameSite cookie and out of the address bar; no-store, no Referer, no script; the token in no log line', async () => {
    const g = await guestPageWorld(s);
    expect(g.link).toBe(`${s.app.config.publicUrl}/guest/${g.token}`);
    const c = new GuestClient(s);
    const logsBefore = s.logs.length;
    const { first, page, html } = await c.open(g.link);
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/guest');
    const cookie = first.headers.getSetCookie()[0]!;
    expect(cookie).toMatch(/^tov_guest=[^;]+; Path=\/guest; Max-Age=\d+; HttpOnly; SameSite=Lax$/);
    expect(cookie).not.toContain(g.token);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/script-src/);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain(g.token);
    const logged = s.logs.slice(logsBefore).join('\n');
    expect(logged).toContain('guest page');
    expect(logged).not.toContain(g.token);
    expect(logged).not.toContain(g.token.slice(5, 20));
  });

  it('shows the occasion, the household’s people, every invited event in the occasion’s time zone, the inline questions and the plus-one; never the other household', async () => {
    const g = await guestPageWorld(s);
    const { html } = await new GuestClient(s).open(g.link);
    const text = textOf(html);
    expect(text).toContain(g.occasionName);
    for (const p of g.people) expect(text).toContain(p.name);
    for (const e of g.events) expect(text).toContain(e.name);
    // 17:00 UTC on 10 June 2027 is 20:00 in Jerusalem (summer time), whatever the server's zone.
    expect(text).toContain('Jun 10, 2027, 8:00 PM');
    expect(text).not.toContain('5:00 PM');
    expect(text).toContain('Main course (required)');
    expect(text).toContain('Sea bass');
    expect(text).toContain('Guest 1’s name');
    expect(text).toContain('Under the old olive tree.');
    for (const n of g.otherNames) expect(text).not.toContain(n);
    // The branding colour (#1f5f4a, 7.7:1 with white) is used; the closed event takes no answers.
    expect(html).toContain('--accent:#1f5f4a');
    expect(html).not.toContain(`name="s.${g.events[2]!.id}"`);
    expect(text).toContain('Replies closed on');
  });

  it('links that do not work get a page in the guest’s language, never JSON: tampered 404, revoked 410, expired 410', async () => {
    const g = await guestPageWorld(s);
    const c = new GuestClient(s);
    const tampered = await c.get(`/guest/${g.token.slice(0, -2)}xx`);
    expect(tampered.status).toBe(404);
    expect(tampered.headers.get('content-type')).toContain('text/html');
    expect(textOf(await tampered.text())).toContain('This link does not work');
    expect(c.cookie).toBeNull();

    await prisma().guestAccess.updateMany({ where: { unitActorId: rawId(g.w.households[0]!.id) }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await c.get(`/guest/${g.token}`, { 'accept-language': 'he-IL,he;q=0.9' });
    expect(expired.status).toBe(410);
    const he = await expired.text();
    expect(he).toContain('<html lang="he" dir="rtl">');
    expect(textOf(he)).toContain('תוקף הקישור פג');

    const r = await must(
      s,
      g.w.owner.token,
      `query($id: ID!) { occasion(id: $id) { guestAccesses(first: 5, filter: { kind: PORTAL }) { edges { node { id } } } } }`,
      {
        id: g.w.occasionId,
      },
    );
    await prisma().guestAccess.updateMany({ where: { unitActorId: rawId(g.w.households[1]!.id) }, data: { revokedAt: new Date() } });
    const revoked = await c.get(`/guest/${g.otherToken}`);
    expect(revoked.status).toBe(410);
    expect(textOf(await revoked.text())).toContain('This link is no longer valid');
    expect(r.occasion.guestAccesses.edges.length).toBeGreaterThan(0);
  });

  it('a session ends when its link is revoked (410, cookie cleared); a forged or absent cookie gets the “open your invitation” page', async () => {
    const g = await guestPageWorld(s);
    const c = new GuestClient(s);
    await c.open(g.link);
    const live = c.cookie!;
    await must(s, g.w.owner.token, `mutation($i: RevokeGuestAccessInput!) { revokeGuestAccess(input: $i) { __typename } }`, {
      i: {
        id: globalId(
          'GuestAccess',
          (await prisma().guestAccess.findFirstOrThrow({ where: { unitActorId: rawId(g.w.households[0]!.id), kind: 'PORTAL' } })).id,
        ),
      },
    });
    const after = await c.get('/guest');
    expect(after.status).toBe(410);
    expect(after.headers.getSetCookie()[0]).toMatch(/^tov_guest=; .*Max-Age=0/);

    // The other household's session id under this one's signature: refused as no session at all.
    const other = new GuestClient(s);
    await other.open(`/guest/${g.otherToken}`);
    const [id] = other.cookie!.split('=')[1]!.split('.');
    const forged = live.replace(/=([^.]+)\./, `=${id}.`);
    const page = await new GuestClient(s, { cookie: forged }).get('/guest');
    expect(page.status).toBe(200);
    const text = textOf(await page.text());
    expect(text).toContain('Open your invitation');
    for (const n of g.otherNames) expect(text).not.toContain(n);
    expect((await new GuestClient(s).get('/guest')).status).toBe(200);
  });
});

describe('answering', () => {
  it('answers every event at once: the same rows as the GraphQL mutation, a confirmation queued, then the saved page; changed again later', async () => {
    const g = await guestPageWorld(s);
    const c = new GuestClient(s);
    const { html } = await c.open(g.link);
    const [a, b] = g.people;
    const [e0, e1] = g.events;
    const watch = await watchOccasion(s, g.w.occasionId);
    const r = await c.post(
      '/guest',
      answers(html, [
        [`s.${e0!.id}`, 'ATTENDING'],
        [`p.${e0!.id}`, a!.id],
        [`p.${e0!.id}`, b!.id],
        [`po.${e0!.id}`, 'Dana Cohen'],
        [`q.${e0!.id}.${g.mealFieldId}.${a!.id}`, 'fish'],
        [`q.${e0!.id}.${g.mealFieldId}.${b!.id}`, 'vegan'],
        [`q.${e0!.id}.${g.dietaryFieldId}.${b!.id}`, 'gluten_free'],
        [`q.${e0!.id}.${g.dietaryFieldId}.${b!.id}`, 'nuts'],
        // The plus-one's meal, under the slot their name was typed in (they have no id yet).
        [`q.${e0!.id}.${g.mealFieldId}.new1`, 'fish'],
        [`n.${e0!.id}`, 'We <3 you'],
        [`s.${e1!.id}`, 'DECLINED'],
      ]),
    );
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/guest?saved=1');
    const rows = await responsesOf(g);
    const byEvent = new Map(rows.map((x) => [x.eventId, x]));
    expect(byEvent.get(e0!.id)).toMatchObject({ status: 'ATTENDING', headcount: 3, notes: 'We <3 you' });
    expect(byEvent.get(e1!.id)).toMatchObject({ status: 'DECLINED', headcount: 0 });
    expect(byEvent.get(g.events[2]!.id)).toMatchObject({ status: 'PENDING' });
    const plusOne = await prisma().actor.findFirstOrThrow({ where: { occasionId: rawId(g.w.occasionId), displayName: 'Dana Cohen' } });
    expect(byEvent.get(e0!.id)!.participantActorIds).toEqual([a!.id, b!.id, plusOne.id]);
    const meals = await prisma().formAnswer.findMany({
      where: { questionId: { in: [g.mealFieldId, g.dietaryFieldId] } },
      orderBy: { actorId: 'asc' },
    });
    expect(meals.map((m) => [m.actorId, m.value]).sort()).toEqual(
      [
        [a!.id, 'fish'],
        [plusOne.id, 'fish'],
        [b!.id, 'vegan'],
        [b!.id, ['gluten_free', 'nuts']],
      ].sort(),
    );
    // The same events as the GraphQL mutation (one per changed response), and the confirmation message.
    expect((await watch.outbox()).map((o) => o.type).filter((t) => t.startsWith('rsvp.'))).toEqual(['rsvp.submitted', 'rsvp.submitted']);
    expect(await prisma().commDelivery.count({ where: { occasionId: rawId(g.w.occasionId), send: { kind: 'RSVP_CONFIRMATION' } } })).toBe(1);

    const saved = await c.get('/guest?saved=1');
    const text = textOf(await saved.text());
    expect(text).toContain('Thank you! Your answers are saved.');
    expect(text).toContain('Your answer: coming (3 people).');
    expect(text).toContain('Your answer: not coming.');
    expect(text).toContain('Dana Cohen');
    expect(text).toContain('We <3 you');

    // The same page later: Dana stays named (no new slot); the guest changes the ceremony to yes.
    const again = await c.get('/guest');
    const html2 = await again.text();
    expect(html2).toContain(`value="${a!.id}" checked`);
    expect(html2).not.toContain(`name="po.${e0!.id}"`);
    const r2 = await c.post(
      '/guest',
      answers(html2, [
        [`s.${e1!.id}`, 'ATTENDING'],
        [`p.${e1!.id}`, b!.id],
      ]),
    );
    expect(r2.status).toBe(303);
    expect((await responsesOf(g)).find((x) => x.eventId === e1!.id)).toMatchObject({ status: 'ATTENDING', headcount: 1 });
  });

  it('mistakes come back on the page (422) with what was typed kept and nothing written, in Hebrew for a Hebrew browser', async () => {
    const g = await guestPageWorld(s);
    const c = new GuestClient(s, { 'accept-language': 'he' });
    const { html } = await c.open(g.link);
    expect(html).toContain('<html lang="he" dir="rtl">');
    const [a] = g.people;
    const e0 = g.events[0]!;
    const watch = await watchOccasion(s, g.w.occasionId);
    const r = await c.post(
      '/guest',
      answers(
        html,
        [
          [`s.${e0.id}`, 'ATTENDING'],
          [`p.${e0.id}`, a!.id],
          [`po.${e0.id}`, 'Dana'],
          [`n.${e0.id}`, 'typed note'],
        ],
        'he',
      ),
    );
    expect(r.status).toBe(422);
    const back = await r.text();
    const text = textOf(back);
    // Each required question left unanswered, named, for each person it is missing for (the plus-one by name).
    expect(text).toContain('נא לבדוק שתי תשובות:');
    expect(text).toContain('נא לענות על „Main course” עבור Guest 1.1.');
    expect(text).toContain('נא לענות על „Main course” עבור Dana.');
    expect(back).toContain('value="Dana"');
    expect(back).toContain('typed note');
    expect(back).toMatch(new RegExp(`name="s\\.${e0.id}" value="ATTENDING"[^>]* checked`));
    await watch.expectUnchanged();
    expect((await responsesOf(g)).every((x) => x.status === 'PENDING')).toBe(true);

    // Nothing chosen at all: a clear message, nothing written.
    const none = await c.post('/guest', answers(html, [], 'en'));
    expect(none.status).toBe(422);
    expect(textOf(await none.text())).toContain('Choose yes or no for at least one event.');
  });

  it('a closed event takes no answer even when the form is forged; a post without the form token writes nothing', async () => {
    const g = await guestPageWorld(s);
    const c = new GuestClient(s);
    const { html } = await c.open(g.link);
    const watch = await watchOccasion(s, g.w.occasionId);
    const closed = await c.post(
      '/guest',
      answers(html, [
        [`s.${g.events[1]!.id}`, 'DECLINED'],
        [`s.${g.events[2]!.id}`, 'DECLINED'],
      ]),
    );
    // The closed event is not among the page's events to answer: only the open one is sent, and saved.
    expect(closed.status).toBe(303);
    expect((await responsesOf(g)).find((x) => x.eventId === g.events[2]!.id)).toMatchObject({ status: 'PENDING' });
    const before = await watch.rows();
    const forged = await c.post('/guest', [[`s.${g.events[1]!.id}`, 'ATTENDING']]);
    expect(forged.status).toBe(422);
    expect(textOf(await forged.text())).toContain('Your visit timed out');
    expect(await watch.rows()).toEqual(before);
    // Another site's form cannot post with the cookie (SameSite=Lax), and without it there is no guest.
    const anonymous = await new GuestClient(s).post('/guest', [[`s.${g.events[1]!.id}`, 'ATTENDING']]);
    expect(anonymous.status).toBe(200);
    expect(await watch.rows()).toEqual(before);
  });

  it('HTML typed by a planner or a guest is shown as text', async () => {
    const g = await guestPageWorld(s);
    const { html } = await new GuestClient(s).open(g.link);
    expect(html).not.toContain(EVIL_EVENT_NAME);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; Dinner &amp; &quot;dance&quot;');
  });
});

describe('printed code, languages, preferences', () => {
  it('a printed code opens the answers (QR link or typed with dashes) but not the email preferences', async () => {
    const g = await guestPageWorld(s);
    const code = await g.printCode();
    const c = new GuestClient(s);
    const viaQr = await c.open(`/r/${code}`);
    expect(viaQr.first.status).toBe(303);
    expect(textOf(viaQr.html)).toContain(g.people[0]!.name);
    expect(viaQr.html).not.toContain('/guest/preferences');
    expect((await c.get('/guest/preferences')).status).toBe(404);

    const typed = new GuestClient(s);
    const printed = `tovp-${code
      .slice(5)
      .match(/.{1,4}/g)!
      .join('-')
      .toLowerCase()}`;
    const r = await typed.post('/r/', [['code', printed]]);
    expect(r.status).toBe(303);
    expect(textOf(await (await typed.get('/guest')).text())).toContain(g.people[0]!.name);
    const wrong = await new GuestClient(s).post('/r/', [['code', 'TOVP-0000']]);
    expect(wrong.status).toBe(422);
    expect(textOf(await wrong.text())).toContain('That code was not found');
  });

  it('the language: ?lang= first, then Accept-Language, then the occasion’s default; a malformed header falls back to English', async () => {
    const g = await guestPageWorld(s, { defaultLocale: 'he' });
    const c = new GuestClient(s, { 'accept-language': 'en-GB,en;q=0.8' });
    const { html } = await c.open(g.link);
    expect(html).toContain('<html lang="en" dir="ltr">');
    expect(await (await c.get('/guest?lang=he')).text()).toContain('<html lang="he" dir="rtl">');
    // No header: the occasion's default (Hebrew here).
    const plain = new GuestClient(s);
    expect((await plain.open(g.link)).html).toContain('<html lang="he" dir="rtl">');
    // A header no browser sends, on a page that knows no occasion: English.
    const garbage = new GuestClient(s, { 'accept-language': ';;q=,*,xx-!!!,' + 'a'.repeat(3000) });
    const r = await garbage.get('/guest/nothing-here');
    expect(r.status).toBe(404);
    expect(await r.text()).toContain('<html lang="en" dir="ltr">');
    expect((await garbage.get('/guest?lang=zz')).status).toBe(200);
  });

  it('shows the planners’ translations in the page’s language (he-IL → he → stored), HTML in them as text; English shows the stored text', async () => {
    const g = await guestPageWorld(s);
    const SET = `mutation($i: SetContentTranslationInput!) { setContentTranslation(input: $i) { __typename ... on Error { message } } }`;
    const base = { occasionId: g.w.occasionId, locale: 'he' };
    for (const i of [
      { ...base, eventId: g.w.eventIds[0], field: 'NAME', value: 'ליל חינה' },
      { ...base, field: 'NAME', value: 'החתונה של נועה ודן' },
      { ...base, resourceId: g.formId, resourceKey: 'meal', field: 'LABEL', value: 'מנה עיקרית <b>' },
      { ...base, resourceId: g.formId, resourceKey: 'meal', field: 'CHOICE_LABEL', choiceValue: 'fish', value: 'דג ים' },
    ])
      expect((await must(s, g.w.owner.token, SET, { i })).setContentTranslation.__typename).toBe('ContentTranslationPayload');
    const he = new GuestClient(s, { 'accept-language': 'he-IL' });
    const { html } = await he.open(g.link);
    const text = textOf(html);
    for (const shown of ['ליל חינה', 'החתונה של נועה ודן', 'מנה עיקרית <b>', 'דג ים', 'Roasted vegetables', 'Ceremony'])
      expect(text).toContain(shown);
    expect(html).toContain('מנה עיקרית &lt;b&gt;');
    const en = textOf((await new GuestClient(s, { 'accept-language': 'en' }).open(g.link)).html);
    for (const shown of ['Henna night', g.occasionName, 'Main course', 'Sea bass']) expect(en).toContain(shown);
    expect(en).not.toContain('ליל חינה');
  });

  it('answering from a page in a language the guest chose keeps it as theirs: the next visit and their confirmation come in it', async () => {
    const g = await guestPageWorld(s);
    const c = new GuestClient(s, { 'accept-language': 'en' });
    await c.open(g.link);
    const page = await (await c.get('/guest?lang=he')).text();
    expect(page).toContain('<html lang="he" dir="rtl">');
    const r = await c.post('/guest', answers(page, [[`s.${g.events[1]!.id}`, 'DECLINED']], 'he'));
    expect(r.status).toBe(303);
    const head = await prisma().actor.findUniqueOrThrow({ where: { id: g.people[0]!.id }, select: { attributes: true } });
    expect(head.attributes).toMatchObject({ locale: 'he' });
    // Later, from the same English browser without choosing: Hebrew, their saved language.
    expect(await (await c.get('/guest')).text()).toContain('<html lang="he" dir="rtl">');
    const confirmation = await prisma().commDelivery.findFirstOrThrow({
      where: { occasionId: rawId(g.w.occasionId), send: { kind: 'RSVP_CONFIRMATION' } },
    });
    expect(confirmation.locale).toBe('he');
  });

  it('the household’s email preferences from its page, through the same service as GraphQL', async () => {
    const g = await guestPageWorld(s);
    const c = new GuestClient(s);
    await c.open(g.link);
    const page = await (await c.get('/guest/preferences')).text();
    expect(page).toContain('name="ANNOUNCEMENTS" checked');
    const r = await c.post('/guest/preferences', [
      ['csrf', formTokenOf(page)],
      ['INVITATIONS', 'on'],
    ]);
    expect(r.status).toBe(200);
    expect(textOf(await r.text())).toContain('Saved.');
    const prefs = await s.gql(`query { guestCommunicationPreferences { category channel optedOut } }`, {}, { token: g.token });
    expect(prefs.body.data.guestCommunicationPreferences).toContainEqual({ category: 'ANNOUNCEMENTS', channel: 'EMAIL', optedOut: true });
    expect(prefs.body.data.guestCommunicationPreferences).toContainEqual({ category: 'INVITATIONS', channel: 'EMAIL', optedOut: false });
  });
});

describe('one browser, two invitations; what the page does not take', () => {
  it('answering without choosing a language leaves the guest’s language as it was (only a choice made on the page is kept)', async () => {
    const g = await guestPageWorld(s);
    const c = new GuestClient(s, { 'accept-language': 'he' });
    const { html } = await c.open(g.link);
    expect(html).toContain('<html lang="he" dir="rtl">');
    expect(html).not.toContain('name="lang"');
    expect((await c.post('/guest', answers(html, [[`s.${g.events[1]!.id}`, 'DECLINED']]))).headers.get('location')).toBe('/guest?saved=1');
    const head = await prisma().actor.findUniqueOrThrow({ where: { id: g.people[0]!.id }, select: { attributes: true } });
    expect(head.attributes).not.toHaveProperty('locale');
  });

  it('a second household’s link asks before it replaces the first in this browser; a tab of the first then writes nothing and shows nothing of it', async () => {
    const g = await guestPageWorld(s);
    const c = new GuestClient(s);
    const first = await c.open(g.link);
    const firstCookie = c.cookie;
    const asked = await c.get(`/guest/${g.otherToken}`);
    expect(asked.status).toBe(200);
    expect(c.cookie).toBe(firstCookie);
    const confirm = await asked.text();
    expect(textOf(confirm)).toContain('This browser shows the invitation of Household 1. The link you opened is the invitation of Household 2.');
    expect(confirm).not.toContain(g.otherToken);
    // Another site cannot post the confirmation: it has no form token of this browser's page.
    const to = /name="to" value="([^"]+)"/.exec(confirm)![1]!;
    expect((await c.post('/guest/switch', [['to', to]])).status).toBe(400);
    expect(c.cookie).toBe(firstCookie);
    const switched = await c.post('/guest/switch', [
      ['csrf', formTokenOf(confirm)],
      ['to', to],
    ]);
    expect(switched.status).toBe(303);
    expect(c.cookie).not.toBe(firstCookie);
    expect(textOf(await (await c.get('/guest')).text())).toContain('Dear Household 2,');

    // The first household's tab, still open, sends its answers: refused, nothing written, and none of what it carried shown.
    const watch = await watchOccasion(s, g.w.occasionId);
    const e0 = g.events[0]!;
    const stale = await c.post(
      '/guest',
      answers(first.html, [
        [`s.${e0.id}`, 'DECLINED'],
        [`n.${e0.id}`, 'a note for household 1'],
      ]),
    );
    expect(stale.status).toBe(422);
    const page = await stale.text();
    expect(page).not.toContain('a note for household 1');
    expect(page).not.toMatch(/value="DECLINED"[^>]* checked/);
    await watch.expectUnchanged();
  });

  it('a page that goes wrong is still a page: a form that cannot be read, an invitation gone; other paths are not the guest page’s', async () => {
    const g = await guestPageWorld(s);
    const c = new GuestClient(s);
    await c.open(g.link);
    const json = await c.post('/guest', new URLSearchParams(), { 'content-type': 'application/json' });
    expect(json.status).toBe(422);
    expect(textOf(await json.text())).toContain('Your answers could not be read. Send them again.');
    await prisma().rsvpInvitation.delete({ where: { id: g.invitationId } });
    const gone = await c.get('/guest');
    expect(gone.status).toBe(404);
    expect(gone.headers.get('content-type')).toContain('text/html');
    // `/guest` is a path segment: `/guestbook` is not the guest page.
    const other = await c.get('/guestbook');
    expect(other.status).toBe(404);
    expect(other.headers.get('content-type')).toContain('application/json');
    expect((await c.get(`/guest/${g.token}`, {})).status).toBeGreaterThan(0);
    const head = await s.fetch(`/guest/${g.otherToken}`, { method: 'HEAD', redirect: 'manual' });
    expect(head.status).toBe(200);
    expect(head.headers.get('set-cookie')).toBeNull();
  });
});

describe('small things a guest relies on', () => {
  it('names keep their own direction (bdi), required questions say so to assistive technology, and an optional answer can be taken back', async () => {
    const g = await guestPageWorld(s, { mealRequired: false });
    const c = new GuestClient(s);
    const { html } = await c.open(g.link);
    expect(html).toContain('<h1>Dear <bdi>Household 1</bdi>,</h1>');
    expect(html).toContain(`<legend><bdi>${g.events[0]!.name}</bdi></legend>`);
    expect(html).toContain('dir="auto"');
    const [a] = g.people;
    const e0 = g.events[0]!.id;
    const meal = (value: string) =>
      answers(html, [
        [`s.${e0}`, 'ATTENDING'],
        [`p.${e0}`, a!.id],
        [`q.${e0}.${g.mealFieldId}.${a!.id}`, value],
      ]);
    expect((await c.post('/guest', meal('fish'))).status).toBe(303);
    const mealOf = () => prisma().formAnswer.findMany({ where: { questionId: g.mealFieldId, actorId: a!.id } });
    expect((await mealOf()).map((x) => x.value)).toEqual(['fish']);
    // The optional question offers "No answer"; choosing it takes the answer back.
    const page = await (await c.get('/guest')).text();
    expect(page).toContain('No answer');
    expect((await c.post('/guest', meal(''))).status).toBe(303);
    expect(await mealOf()).toEqual([]);

    const required = await new GuestClient(s).open((await guestPageWorld(s)).link);
    expect(required.html).toContain('role="radiogroup" aria-required="true"');
    expect(required.html).not.toContain('No answer');
  });

  it('a session in use is renewed after a day (a fresh cookie), and a form already on screen still sends', async () => {
    const g = await guestPageWorld(s);
    const c = new GuestClient(s);
    await c.open(g.link);
    const id = (await prisma().guestAccess.findFirstOrThrow({ where: { unitActorId: rawId(g.w.households[0]!.id), kind: 'PORTAL' } })).id;
    const old = sessionValue(resolveAppKey(s.app.config), id, Date.now() - 2 * 86_400_000);
    const dayOld = new GuestClient(s, { cookie: `tov_guest=${old}` });
    const page = await dayOld.get('/guest');
    expect(page.status).toBe(200);
    const fresh = page.headers.getSetCookie()[0]!;
    expect(fresh).toMatch(/^tov_guest=[^;]+; Path=\/guest; Max-Age=2592000; HttpOnly; SameSite=Lax$/);
    expect(fresh).not.toContain(old);
    // The page on screen was bound to the fresh cookie; one sent with the old cookie (another tab) still works.
    const html = await page.text();
    const sent = await new GuestClient(s, { cookie: fresh.split(';')[0]! }).post('/guest', answers(html, [[`s.${g.events[1]!.id}`, 'DECLINED']]));
    expect(sent.status).toBe(303);
    const before = await (await new GuestClient(s, { cookie: `tov_guest=${old}` }).get('/guest')).text();
    expect(
      (await new GuestClient(s, { cookie: `tov_guest=${old}` }).post('/guest', answers(before, [[`s.${g.events[1]!.id}`, 'ATTENDING']]))).status,
    ).toBe(422);
  });
});

describe('cost', () => {
  it('the page costs the same statements for a household of two with three events as for one of three with one event (no N+1)', async () => {
    const g = await guestPageWorld(s);
    const mine = new GuestClient(s);
    await mine.open(g.link);
    const other = new GuestClient(s);
    await other.open(`/guest/${g.otherToken}`);
    const count = async (c: GuestClient) => {
      await c.get('/guest');
      const before = s.app.db.statements.count;
      const r = await c.get('/guest');
      expect(r.status).toBe(200);
      await r.text();
      return s.app.db.statements.count - before;
    };
    const a = await count(mine);
    const b = await count(other);
    expect(a).toBe(b);
    expect(a).toBeLessThanOrEqual(12);
  });
});

describe('guessing (last: it uses up this address’s misses)', () => {
  it('counts only lookups that find nothing: past 60 an hour they get 429, while real links still open', async () => {
    const g = await guestPageWorld(s);
    const statuses: number[] = [];
    for (let i = 0; i < 62; i++) statuses.push((await new GuestClient(s).get(`/guest/tovg_guess${i}x${'a'.repeat(30)}`)).status);
    expect(statuses.filter((x) => x === 404).length).toBeGreaterThanOrEqual(50);
    expect(statuses.at(-1)).toBe(429);
    expect((await new GuestClient(s).post('/r/', [['code', 'not a code']])).status).toBe(429);
    // A guest at the same venue opening their own link is not slowed by it.
    expect((await new GuestClient(s).open(g.link)).first.status).toBe(303);
  });
});
