import type { IncomingMessage, ServerResponse } from 'node:http';
import { t } from '../../../capabilities/localization/messages.js';
import { OPTIONAL_CATEGORIES, preferencesOf, setPreferences, type Preference } from '../../../domains/communications/preferences.service.js';
import type { AppServices } from '../../../kit/context.js';
import { markup } from '../../../kit/html.js';
import { inAppTransaction } from '../../../kit/transaction.js';
import { resolveAppKey } from '../../../platform/app-key.js';
import { guestLocalePreference } from '../guest/rsvp.guest-locale.js';
import { chosenField } from './rsvp-page.render.js';
import { chosenLocale, withChosen, languageLinks, pageLocale, readForm, requestIdOf, sendPage } from './http.js';
import { readableAccent } from './layout.js';
import { F } from './rsvp-form.fields.js';
import { formToken, formTokenValid } from './session.js';
import { problemPage, tooManyPage } from './status-pages.js';
import { SUBMITS_PER_HOUR } from './limits.js';
import { answerWithoutGuest, sessionGuest } from './session-guest.js';

/*
 * The household's email preferences, from its guest page (the same choices as
 * GraphQL's setGuestCommunicationPreferences, through the same service). Only
 * a guest link opens it: a printed code opens the answers alone (@guestPortal).
 * Unsubscribing from one message stays one click from the message itself
 * (/communications/unsubscribe, RFC 8058).
 */

export async function preferencesRoute(app: AppServices, req: IncomingMessage, res: ServerResponse, url: URL) {
  const found = await sessionGuest(app, req);
  if (typeof found === 'string') return answerWithoutGuest(app, req, res, url, found);
  const { guest, session } = found;
  const [occasion, preference] = await Promise.all([
    app.db.prisma.occasion.findUniqueOrThrow({ where: { id: guest.occasionId }, select: { name: true, branding: true, defaultLocale: true } }),
    guestLocalePreference(app.db.prisma, guest.occasionId, guest.unitActorId),
  ]);
  const form = req.method === 'POST' ? await readForm(req) : null;
  const locale = pageLocale(req, url, { form, preference, occasionDefault: occasion.defaultLocale });
  if (guest.credential !== 'portal') return sendPage(res, 404, problemPage(locale, 'invalid'));
  const key = resolveAppKey(app.config);
  let saved = false;
  let refused: string | null = null;
  if (req.method === 'POST' && !(form && formTokenValid(key, session, form.get(F.formToken)))) {
    // A stale tab or a forged post: nothing is written, and the guest is told so (not shown "Saved").
    refused = t(locale, form ? 'guest.expired.session' : 'guest.error.form');
  } else if (req.method === 'POST' && form) {
    const limited = await app.rateLimiter.hit(`guest-page-submit:${guest.guestAccessId}`, SUBMITS_PER_HOUR, 3600);
    if (!limited.allowed) return sendPage(res, 429, tooManyPage(locale), { 'retry-after': String(limited.retryAfterSeconds) });
    const prefs: Preference[] = OPTIONAL_CATEGORIES.map((category) => ({ category, channel: 'EMAIL', optedOut: form.get(category) !== 'on' }));
    await inAppTransaction(app, (tx) =>
      setPreferences(tx, { principal: guest, requestId: requestIdOf(res) }, guest.occasionId, guest.unitActorId, prefs),
    );
    saved = true;
  }
  const current = await preferencesOf(app.db.prisma, guest.occasionId, guest.unitActorId);
  const title = t(locale, 'guest.preferencesTitle');
  const box = (category: (typeof OPTIONAL_CATEGORIES)[number]) => {
    const on = !current.find((p) => p.category === category && p.channel === 'EMAIL')?.optedOut;
    return markup`<label class="opt"><input type="checkbox" name="${category}"${on ? markup` checked` : ''}> ${t(locale, `guest.category.${category}`)}</label>`;
  };
  sendPage(res, refused ? 422 : 200, {
    locale,
    title,
    occasionName: occasion.name,
    accent: readableAccent((occasion.branding as { primaryColor?: unknown } | null)?.primaryColor),
    languages: languageLinks('/guest/preferences'),
    body: markup`${saved ? markup`<p class="status" role="status">${t(locale, 'guest.preferencesSaved')}</p>` : ''}${
      refused ? markup`<p class="errors" role="alert">${refused}</p>` : ''
    }<h1>${title}</h1>
<form method="post" action="/guest/preferences" novalidate><input type="hidden" name="${F.formToken}" value="${formToken(key, session)}">${chosenField(chosenLocale(url, form))}
<fieldset class="event"><legend>${t(locale, 'guest.preferencesIntro', { occasion: occasion.name })}</legend>${OPTIONAL_CATEGORIES.map(box)}<p class="note">${t(locale, 'guest.preferencesNote')}</p></fieldset>
<button type="submit">${t(locale, 'guest.save')}</button></form>`,
    footer: markup`<a href="${withChosen('/guest', chosenLocale(url, form))}">${t(locale, 'guest.back')}</a>`,
  });
}
