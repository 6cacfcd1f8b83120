import type { IncomingMessage, ServerResponse } from 'node:http';
import { negotiateLocale } from '../../../capabilities/localization/negotiate.js';
import { contentLocaleChain } from '../../../capabilities/localization/translation-resolve.js';
import { SUPPORTED_LOCALES } from '../../../capabilities/localization/locales.js';
import { readBody } from '../../../platform/http-body.js';
import { page, type Shell } from './layout.js';
import { F } from './rsvp-form.fields.js';

/** A guest form is a handful of fields; a few answers per person of a large household still fit many times over. */
const MAX_FORM_BYTES = 64 * 1024;

/**
 * Every guest page answer: never cached (it is one household's page), never a
 * Referer (the path may hold a token), no script at all, forms only to itself.
 */
export function sendPage(res: ServerResponse, status: number, shell: Shell, extra: Record<string, string | string[]> = {}) {
  const { html, styleHash } = page(shell);
  res
    .writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'content-security-policy': `default-src 'none'; style-src ${styleHash}; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
      vary: 'Cookie, Accept-Language',
      ...extra,
    })
    .end(html);
}

/** 303 See Other: after a POST (or a link that set the session), the browser GETs the page; reloading never re-posts. */
export function redirect(res: ServerResponse, location: string, extra: Record<string, string | string[]> = {}) {
  res.writeHead(303, { location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', ...extra }).end();
}

/** The posted form, or null when it is not a form or too large. */
export async function readForm(req: IncomingMessage): Promise<URLSearchParams | null> {
  if (!/^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '')) return null;
  const body = await readBody(req, MAX_FORM_BYTES);
  return body ? new URLSearchParams(body.toString('utf8')) : null;
}

/** A language the guest chose on the page: `?lang=` on a link, or the `lang` of a form the page rendered; one with UI strings only. */
export function chosenLocale(url: URL, form?: URLSearchParams | null): string | null {
  const chosen = form?.get(F.lang) ?? url.searchParams.get('lang');
  return chosen && SUPPORTED_LOCALES.includes(chosen) ? chosen : null;
}

/** The language of a page: an explicit choice (?lang= or the form's), then the guest's saved one, Accept-Language, the occasion's, English. */
export function pageLocale(
  req: IncomingMessage,
  url: URL,
  opts: { form?: URLSearchParams | null; preference?: string | null; occasionDefault?: string | null } = {},
): string {
  return negotiateLocale({
    preference: chosenLocale(url, opts.form) ?? opts.preference,
    acceptLanguage: req.headers['accept-language'] ?? null,
    occasionDefault: opts.occasionDefault,
  });
}

export interface GuestLanguage {
  /** The page's own strings (a locale with a catalog). */
  locale: string;
  /** What the guest chose on the page, if anything (kept as their preference when they answer). */
  chosen: string | null;
  /** The planners' translations to look for, best first: content may be translated into a language the UI is not. */
  contentChain: string[];
}

/** The page's language and its content's, from the same steps (contentLocaleChain and negotiateLocale). */
export function guestLanguage(
  req: IncomingMessage,
  url: URL,
  opts: { form?: URLSearchParams | null; preference: string | null; occasionDefault: string },
): GuestLanguage {
  const chosen = chosenLocale(url, opts.form);
  return {
    locale: pageLocale(req, url, opts),
    chosen,
    contentChain: contentLocaleChain(chosen, req.headers['accept-language'] ?? null, opts.preference),
  };
}

const nativeName = (locale: string) => new Intl.DisplayNames([locale], { type: 'language' }).of(locale) ?? locale;

/** The language switcher: the same page in each language (`?lang=` on the current path, so no token is ever spelled out in a link). */
/** `?lang=<chosen>` (or `&…` after a query) to keep a chosen language across a link or redirect; empty when none was chosen. */
export const withChosen = (path: string, chosen: string | null) =>
  chosen ? `${path}${path.includes('?') ? '&' : '?'}lang=${encodeURIComponent(chosen)}` : path;

export const languageLinks = (path = '') =>
  SUPPORTED_LOCALES.map((locale) => ({ locale, label: nativeName(locale), href: `${path}?lang=${locale}` }));

export const requestIdOf = (res: ServerResponse) => String(res.getHeader('x-request-id') ?? '');
