import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/*
 * The guest page's session: after the guest opens their link (or printed
 * code) once, a cookie names the guest access it was opened with, and the
 * token leaves the address bar (so it is not in the history, a screenshot or
 * a shared tab). The cookie is signed with a key derived from the app key; it
 * holds no secret of its own, and the link behind it is checked at every
 * request, so revoking or expiring the link ends the session at once.
 */

export const SESSION_COOKIE = 'tov_guest';
/** A guest comes back over weeks (answer, then change a meal); the link's own expiry still wins. */
export const SESSION_MAX_AGE_S = 30 * 24 * 3600;
/** A session in use is renewed once a day, so a guest who keeps coming back is never signed out mid-planning. */
export const SESSION_RENEW_AFTER_S = 24 * 3600;
/** Cookie and forms only concern the page's own paths. */
const COOKIE_PATH = '/guest';

/** The page's own signing key, derived from the app key (which also encrypts stored tokens): one secret, two uses kept apart. */
const keys = new WeakMap<Buffer, Buffer>();
const pageKey = (appKey: Buffer) => {
  let k = keys.get(appKey);
  if (!k) keys.set(appKey, (k = Buffer.from(hkdfSync('sha256', appKey, Buffer.alloc(0), 'tov-guest-page', 32))));
  return k;
};

const mac = (key: Buffer, purpose: string, value: string) =>
  createHmac('sha256', pageKey(key)).update(`${purpose}:`).update(value).digest('base64url').slice(0, 32);

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function sessionValue(key: Buffer, guestAccessId: string, now = Date.now()): string {
  const body = `${guestAccessId}.${Math.floor(now / 1000).toString(36)}`;
  return `${body}.${mac(key, 'session', body)}`;
}

/** The guest access a cookie names, or null (absent, tampered, too old). */
export function readSession(key: Buffer, req: IncomingMessage, now = Date.now()): { guestAccessId: string; value: string; ageS: number } | null {
  const value = cookieOf(req, SESSION_COOKIE);
  if (!value) return null;
  const [id, issued, sig] = value.split('.');
  if (!id || !issued || !sig || !UUID.test(id) || !same(sig, mac(key, 'session', `${id}.${issued}`))) return null;
  const age = now / 1000 - parseInt(issued, 36);
  if (!(age >= -60 && age <= SESSION_MAX_AGE_S)) return null;
  return { guestAccessId: id, value, ageS: age };
}

/** A form's anti-forgery token, bound to the session (SameSite=Lax already keeps other sites' posts cookieless). */
export const formToken = (key: Buffer, session: string) => mac(key, 'form', session);
export const formTokenValid = (key: Buffer, session: string, given: string | null) => !!given && same(given, formToken(key, session));

export function sessionCookie(value: string, secure: boolean, maxAgeS = SESSION_MAX_AGE_S): string {
  return `${SESSION_COOKIE}=${value}; Path=${COOKIE_PATH}; Max-Age=${maxAgeS}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

export const clearedSessionCookie = (secure: boolean) => sessionCookie('', secure, 0);

function cookieOf(req: IncomingMessage, name: string): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** How long a "switch to this invitation?" confirmation stays valid: long enough to read and tap. */
const SWITCH_TTL_S = 15 * 60;

/** A signed reference to the invitation a link opened, for the confirmation form (never the link's token). */
export function switchValue(key: Buffer, guestAccessId: string, now = Date.now()): string {
  const body = `${guestAccessId}.${Math.floor(now / 1000).toString(36)}`;
  return `${body}.${mac(key, 'switch', body)}`;
}

/** The guest access a confirmation names, or null (tampered, too old). */
export function readSwitch(key: Buffer, value: string | null, now = Date.now()): string | null {
  const [id, issued, sig] = (value ?? '').split('.');
  if (!id || !issued || !sig || !UUID.test(id) || !same(sig, mac(key, 'switch', `${id}.${issued}`))) return null;
  const age = now / 1000 - parseInt(issued, 36);
  return age >= -60 && age <= SWITCH_TTL_S ? id : null;
}
