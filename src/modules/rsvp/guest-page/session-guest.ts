import type { IncomingMessage, ServerResponse } from 'node:http';
import { guestPrincipalFromAccessId, type GuestTokenProblem } from '../../../domains/guest-access/guest-access.service.js';
import type { AppServices } from '../../../kit/context.js';
import { resolveAppKey } from '../../../platform/app-key.js';
import type { Principal } from '../../../platform/principal.js';
import { pageLocale, sendPage } from './http.js';
import { clearedSessionCookie, readSession, SESSION_RENEW_AFTER_S, sessionCookie, sessionValue } from './session.js';
import { noSessionPage, problemPage, type LinkProblem } from './status-pages.js';

export type Guest = Extract<Principal, { kind: 'guest' }>;

/** The guest behind a session cookie (its link checked again now), or why there is none. */
export async function sessionGuest(
  app: AppServices,
  req: IncomingMessage,
): Promise<{ guest: Guest; session: string; renewed?: string } | GuestTokenProblem | 'none'> {
  const key = resolveAppKey(app.config);
  const session = readSession(key, req);
  if (!session) return 'none';
  const guest = await guestPrincipalFromAccessId(app.db.prisma, session.guestAccessId);
  if (typeof guest === 'string') return guest;
  // Past a day, a fresh cookie can go with the answer (`renewed`; the page's new forms are then bound to it).
  // `session` stays the cookie as sent, which a form already on screen was bound to.
  if (session.ageS < SESSION_RENEW_AFTER_S) return { guest, session: session.value };
  return { guest, session: session.value, renewed: sessionValue(key, guest.guestAccessId) };
}

/** The Set-Cookie header a renewed session needs on the answer, or none. */
export const renewedCookie = (app: AppServices, renewed: string | undefined): Record<string, string> =>
  renewed ? { 'set-cookie': sessionCookie(renewed, secureCookies(app)) } : {};

/** Cookies only over https when the deployment is served over https (PUBLIC_URL). */
export const secureCookies = (app: AppServices) => new URL(app.config.publicUrl).protocol === 'https:';

/** No usable session: the cookie is dropped, and the guest is told what to do. */
export function answerWithoutGuest(app: AppServices, req: IncomingMessage, res: ServerResponse, url: URL, why: GuestTokenProblem | 'none') {
  const locale = pageLocale(req, url);
  if (why === 'none') return sendPage(res, 200, noSessionPage(locale));
  const problem: LinkProblem = why === 'unknown' ? 'invalid' : why;
  sendPage(res, why === 'unknown' ? 404 : 410, problemPage(locale, problem), { 'set-cookie': clearedSessionCookie(secureCookies(app)) });
}
