import type { IncomingMessage, ServerResponse } from 'node:http';
import { t } from '../../../capabilities/localization/messages.js';
import { GUEST_TOKEN_PREFIX } from '../../../domains/guest-access/guest-access.service.js';
import { messagingEnv } from '../../../domains/communications/messaging-env.js';
import type { AppServices } from '../../../kit/context.js';
import { markup } from '../../../kit/html.js';
import type { HttpRoute } from '../../../kit/http-route.js';
import { inAppTransaction } from '../../../kit/transaction.js';
import { resolveAppKey } from '../../../platform/app-key.js';
import { GUEST_PAGE_PATH } from '../../../platform/config.js';
import { NotFoundError } from '../../../platform/errors.js';
import type { Caller } from '../../../platform/principal.js';
import { queueRsvpConfirmation } from '../communications/send-confirmation.js';
import { guestLocalePreference, setGuestLocalePreference } from '../guest/rsvp.guest-locale.js';
import { localizeGuestView } from '../guest/rsvp.guest-localize.js';
import { guestView, type GuestView } from '../guest/rsvp.guest-view.js';
import { submitRsvp } from '../responses/rsvp.responses.service.js';
import { guestLanguage, withChosen, languageLinks, pageLocale, readForm, redirect, requestIdOf, sendPage, type GuestLanguage } from './http.js';
import { readableAccent } from './layout.js';
import { preferencesRoute } from './preferences-page.js';
import { pageErrorsOf, submissionOf } from './rsvp-form.parse.js';
import { F } from './rsvp-form.fields.js';
import { rsvpPageBody, whoComesCss, type EventError } from './rsvp-page.render.js';
import { formToken, formTokenValid } from './session.js';
import { answerWithoutGuest, renewedCookie, sessionGuest, type Guest } from './session-guest.js';
import { openWithToken, switchInvitation } from './open-link.js';
import { answeringWithPages } from './failures.js';
import { SUBMITS_PER_HOUR } from './limits.js';
import { problemPage, tooManyPage } from './status-pages.js';

/*
 * The guest's RSVP page (the guest link's landing page):
 *
 *   GET  /guest/<token>  the link as sent: checks it, moves it to a session cookie, 303 → /guest
 *   GET  /guest          the invitation: every event the link shows, the saved answers, the form
 *   POST /guest          all answers at once (submitRsvp, the GraphQL mutation's service), 303 → /guest?saved=1
 *   GET|POST /guest/preferences   which messages the household wants (a guest link only, not a print code)
 *   POST /guest/switch    after a confirmation, another invitation replaces this browser's (open-link.ts)
 *
 * Who the guest is comes from the same guest principal the API builds from
 * the token (guest-access), and every read and write goes through the same
 * services as GraphQL's guestInvitation / submitRsvp: there is no second
 * access path. The token is never logged and never put back into a page.
 */

async function invitationPage(app: AppServices, req: IncomingMessage, res: ServerResponse, url: URL) {
  const started = performance.now();
  const found = await sessionGuest(app, req);
  if (typeof found === 'string') return answerWithoutGuest(app, req, res, url, found);
  const { guest, session, renewed } = found;
  const [view, preference] = await Promise.all([viewOf(app, guest), guestLocalePreference(app.db.prisma, guest.occasionId, guest.unitActorId)]);
  if (!view) return answerWithoutGuest(app, req, res, url, 'unknown');
  let form: URLSearchParams | null = null;
  let errors: EventError[] = [];
  // The view in the guest's language, once: a refused answer wrote nothing, so the page shows it as read.
  let shown: GuestView | null = null;
  const language = () => guestLanguage(req, url, { form, preference, occasionDefault: view.occasion.defaultLocale });
  if (req.method === 'POST') {
    form = await readForm(req);
    const key = resolveAppKey(app.config);
    if (!form || !formTokenValid(key, session, form.get(F.formToken))) {
      // A stale tab, a tab of another invitation this browser has since opened, or a forged post: nothing is
      // written, and the page shows this invitation's saved answers (never what that form carried).
      errors = [{ eventId: null, message: t(language().locale, form ? 'guest.expired.session' : 'guest.error.form') }];
      form = null;
    } else {
      const limited = await app.rateLimiter.hit(`guest-page-submit:${guest.guestAccessId}`, SUBMITS_PER_HOUR, 3600);
      if (!limited.allowed) return sendPage(res, 429, tooManyPage(language().locale), { 'retry-after': String(limited.retryAfterSeconds) });
      // In the guest's language, so a refusal can name the question they missed as they read it.
      shown = await localizeGuestView(app.db.prisma, view, language().contentChain);
      errors = await submit(app, guest, shown, form, { ...language(), preference }, requestIdOf(res));
      if (!errors.length) {
        app.logger.info(
          { path: '/guest', method: 'POST', guestAccessId: guest.guestAccessId, ms: Math.round(performance.now() - started) },
          'guest page',
        );
        return redirect(res, withChosen('/guest?saved=1', language().chosen));
      }
    }
  }
  const { locale, contentChain, chosen } = language();
  const current = shown ?? (await localizeGuestView(app.db.prisma, view, contentChain));
  sendPage(
    res,
    errors.length ? 422 : 200,
    {
      locale,
      title: t(locale, 'guest.pageTitle', { occasion: current.occasion.name }),
      occasionName: current.occasion.name,
      accent: readableAccent((current.occasion.branding as { primaryColor?: unknown } | null)?.primaryColor),
      css:
        current.invitation.people.length >= 2 && current.events.some((e) => e.form?.appliesTo === 'PERSON')
          ? whoComesCss(current.invitation.people.length)
          : undefined,
      languages: languageLinks('/guest'),
      body: rsvpPageBody({
        view: current,
        locale,
        formToken: formToken(resolveAppKey(app.config), renewed ?? session),
        chosenLocale: chosen,
        submitted: errors.length ? form : null,
        errors,
        saved: url.searchParams.get('saved') === '1',
      }),
      footer: guest.credential === 'portal' ? preferencesLink(locale, chosen) : undefined,
    },
    renewedCookie(app, renewed),
  );
  app.logger.info(
    {
      path: '/guest',
      method: req.method,
      guestAccessId: guest.guestAccessId,
      status: errors.length ? 422 : 200,
      ms: Math.round(performance.now() - started),
    },
    'guest page',
  );
}

const preferencesLink = (locale: string, chosen: string | null) =>
  markup`<a href="${withChosen('/guest/preferences', chosen)}">${t(locale, 'guest.preferences')}</a>`;

/** The invitation as the guest's link shows it; null when the unit has no RSVP invitation (any more). */
async function viewOf(app: AppServices, guest: Guest): Promise<GuestView | null> {
  try {
    return await guestView(app.db.prisma, guest);
  } catch (e) {
    if (e instanceof NotFoundError) return null;
    throw e;
  }
}

/**
 * The answers, in one transaction with the confirmation message and, when the guest chose a language on the page,
 * that language as theirs (their messages come in it too; a guest link only, as GraphQL's setGuestLocale).
 * The guest's mistakes come back as page errors.
 */
async function submit(
  app: AppServices,
  guest: Guest,
  view: GuestView,
  form: URLSearchParams,
  language: GuestLanguage & { preference: string | null },
  requestId: string,
): Promise<EventError[]> {
  const submission = submissionOf(view, form);
  if (!submission.responses.length) return [{ eventId: null, message: t(language.locale, 'guest.error.nothingChosen') }];
  const caller: Caller = { principal: guest, requestId };
  try {
    await inAppTransaction(app, async (tx) => {
      const inv = await submitRsvp(tx, caller, { responses: submission.responses });
      if (guest.credential === 'portal' && language.chosen && language.chosen !== language.preference)
        await setGuestLocalePreference(tx, caller, guest.unitActorId, language.chosen);
      await queueRsvpConfirmation(tx, caller, messagingEnv(app.config), app.config.guestLinkTemplate, inv.id);
    });
    return [];
  } catch (e) {
    const errors = pageErrorsOf(e, view, submission, language.locale);
    if (!errors) throw e;
    return errors;
  }
}

async function dispatch(app: AppServices, req: IncomingMessage, res: ServerResponse, url: URL, rest: string) {
  if (rest === '' || rest === '/') return invitationPage(app, req, res, url);
  if (rest === '/preferences') return preferencesRoute(app, req, res, url);
  if (rest === '/switch' && req.method === 'POST') return switchInvitation(app, req, res, url);
  if (rest.startsWith('/') && rest.slice(1).startsWith(GUEST_TOKEN_PREFIX)) {
    // A link previewer's HEAD learns the link is there, and nothing else: no lookup, no session.
    if (req.method === 'HEAD') return void res.writeHead(200, { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' }).end();
    if (req.method === 'GET') return openWithToken(app, req, res, url, rest.slice(1), `${GUEST_PAGE_PATH}…`);
  }
  sendPage(res, 404, problemPage(pageLocale(req, url), 'invalid'));
}

async function handle(app: AppServices, req: IncomingMessage, res: ServerResponse, rest: string) {
  const url = new URL(req.url ?? '/', 'http://localhost');
  await answeringWithPages(app, req, res, url, () => dispatch(app, req, res, url, rest));
}

export const guestPageRoute: HttpRoute = { prefix: '/guest', methods: ['GET', 'HEAD', 'POST'], handle };
