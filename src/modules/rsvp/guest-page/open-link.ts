import type { IncomingMessage, ServerResponse } from 'node:http';
import { t } from '../../../capabilities/localization/messages.js';
import { guestPrincipalFromAccessId, guestPrincipalFromToken } from '../../../domains/guest-access/guest-access.service.js';
import type { AppServices } from '../../../kit/context.js';
import { markup } from '../../../kit/html.js';
import { resolveAppKey } from '../../../platform/app-key.js';
import { clientAddress } from '../../../platform/client-address.js';
import { chosenLocale, languageLinks, pageLocale, readForm, redirect, sendPage, withChosen } from './http.js';
import { chosenField } from './rsvp-page.render.js';
import { isolated, tm } from './i18n-markup.js';
import { F } from './rsvp-form.fields.js';
import { formToken, formTokenValid, readSession, readSwitch, sessionCookie, sessionValue, switchValue } from './session.js';
import { secureCookies, type Guest } from './session-guest.js';
import { problemPage, tooManyPage } from './status-pages.js';

/*
 * Opening a guest link or a printed code: the token becomes the page's
 * session, and the address bar loses it. Two guards:
 *
 * - Guessing: only lookups that find nothing are counted per address (a
 *   wedding's guests share a venue's Wi-Fi, so opening real links must never
 *   be limited); every open also counts toward a generous bound on load.
 * - Being switched: a browser already showing one household's invitation is
 *   asked before another's replaces it (a link followed by mistake, or planted
 *   by another site so the guest types their answers into someone else's
 *   invitation). The confirmation carries a signed reference, never the token.
 */

/** Lookups that found nothing, per client address per hour: far beyond typos, far below guessing. */
const MISSES_PER_HOUR = 60;
/** Every open per client address per hour: a bound on load only (a venue full of guests fits). */
const OPENS_PER_HOUR = 3000;
const HOUR = 3600;

const tooMany = (res: ServerResponse, locale: string, retryAfterSeconds: number) =>
  sendPage(res, 429, tooManyPage(locale), { 'retry-after': String(retryAfterSeconds) });

/** Counts one lookup that found nothing; false when the address has used up its misses. */
export async function countMiss(app: AppServices, req: IncomingMessage) {
  return app.rateLimiter.hit(`guest-page-miss:${clientAddress(req, app.config.TRUST_PROXY)}`, MISSES_PER_HOUR, HOUR);
}

export async function openWithToken(
  app: AppServices,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  token: string,
  log: string,
  form: URLSearchParams | null = null,
) {
  const started = performance.now();
  const chosen = chosenLocale(url, form);
  const locale = pageLocale(req, url, { form });
  const load = await app.rateLimiter.hit(`guest-page-open:${clientAddress(req, app.config.TRUST_PROXY)}`, OPENS_PER_HOUR, HOUR);
  if (!load.allowed) return tooMany(res, locale, load.retryAfterSeconds);
  const key = resolveAppKey(app.config);
  const guest = await guestPrincipalFromToken(app.db.prisma, token, key);
  const ms = () => Math.round(performance.now() - started);
  if (typeof guest === 'string') {
    app.logger.info({ path: log, problem: guest, ms: ms() }, 'guest page');
    if (guest === 'unknown') {
      const misses = await countMiss(app, req);
      if (!misses.allowed) return tooMany(res, locale, misses.retryAfterSeconds);
    }
    return sendPage(res, guest === 'unknown' ? 404 : 410, problemPage(locale, guest === 'unknown' ? 'invalid' : guest, chosen));
  }
  app.logger.info({ path: log, guestAccessId: guest.guestAccessId, ms: ms() }, 'guest page');
  const current = readSession(key, req);
  if (current && current.guestAccessId !== guest.guestAccessId) {
    const shown = await guestPrincipalFromAccessId(app.db.prisma, current.guestAccessId);
    if (typeof shown !== 'string') return confirmSwitch(app, res, { shown, session: current.value, next: guest, locale, chosen });
  }
  redirect(res, withChosen('/guest', chosen), { 'set-cookie': sessionCookie(sessionValue(key, guest.guestAccessId), secureCookies(app)) });
}

/** "This browser shows A's invitation; the link is B's": open B's, or stay on A's. Names only: each is the browser's own or the link's. */
async function confirmSwitch(
  app: AppServices,
  res: ServerResponse,
  p: { shown: Guest; session: string; next: Guest; locale: string; chosen: string | null },
) {
  const names = await app.db.prisma.actor.findMany({
    where: { id: { in: [p.shown.unitActorId, p.next.unitActorId] } },
    select: { id: true, displayName: true },
  });
  const nameOf = (id: string) => names.find((n) => n.id === id)?.displayName ?? '';
  const current = nameOf(p.shown.unitActorId);
  const next = nameOf(p.next.unitActorId);
  const key = resolveAppKey(app.config);
  const { locale } = p;
  const title = t(locale, 'guest.switch.title');
  sendPage(res, 200, {
    locale,
    title,
    languages: languageLinks(),
    body: markup`<h1>${title}</h1><p>${tm(locale, 'guest.switch.body', { current: isolated(current), next: isolated(next) })}</p>
<form method="post" action="/guest/switch" novalidate><input type="hidden" name="${F.formToken}" value="${formToken(key, p.session)}"><input type="hidden" name="to" value="${switchValue(
      key,
      p.next.guestAccessId,
    )}">${chosenField(p.chosen)}<button type="submit">${tm(locale, 'guest.switch.open', { next: isolated(next) })}</button></form>
<p><a href="${withChosen('/guest', p.chosen)}">${tm(locale, 'guest.switch.stay', { current: isolated(current) })}</a></p>`,
  });
}

/** POST /guest/switch: the confirmation's form, from this browser's own page (its form token), naming a link still live. */
export async function switchInvitation(app: AppServices, req: IncomingMessage, res: ServerResponse, url: URL) {
  const form = await readForm(req);
  const locale = pageLocale(req, url, { form });
  const key = resolveAppKey(app.config);
  const session = readSession(key, req);
  const to = readSwitch(key, form?.get('to') ?? null);
  const next = to ? await guestPrincipalFromAccessId(app.db.prisma, to) : 'unknown';
  if (!form || !session || !formTokenValid(key, session.value, form.get(F.formToken)) || typeof next === 'string')
    return sendPage(res, 400, problemPage(locale, 'invalid', chosenLocale(url, form)));
  redirect(res, withChosen('/guest', chosenLocale(url, form)), {
    'set-cookie': sessionCookie(sessionValue(key, next.guestAccessId), secureCookies(app)),
  });
}
