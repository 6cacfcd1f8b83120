import type { IncomingMessage, ServerResponse } from 'node:http';
import { parsePrintedCode } from '../../../domains/guest-access/print-codes.js';
import type { AppServices } from '../../../kit/context.js';
import type { HttpRoute } from '../../../kit/http-route.js';
import { countMiss, openWithToken } from './open-link.js';
import { answeringWithPages } from './failures.js';
import { chosenLocale, pageLocale, readForm, sendPage } from './http.js';
import { noSessionPage, tooManyPage } from './status-pages.js';

/*
 * A printed invitation's QR code opens `/r/<code>` (see print/invitation-package.data.ts); a guest without a
 * camera types the code printed under it into the box at `/r/`. Either way the code is checked like a link's
 * token and becomes the same session; a print code opens the answers only.
 */

/** `tovp_K7QM…` as encoded in the QR, or `TOVP-K7QM-…` as printed and typed, in any case. */
const codeOf = (text: string) => parsePrintedCode(text.replace('_', ''));

const safeDecode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return '';
  }
};

async function serve(app: AppServices, req: IncomingMessage, res: ServerResponse, url: URL, rest: string) {
  if (req.method === 'POST') {
    // The box is this site's own form: another site posting a code here would put its guest's invitation in this browser.
    if (req.headers['sec-fetch-site'] === 'cross-site') return sendPage(res, 403, noSessionPage(pageLocale(req, url)));
    const form = await readForm(req);
    const code = codeOf(form?.get('code') ?? '');
    if (!code) {
      // Not even a code's shape: refused without a lookup, and counted as a miss all the same.
      const misses = await countMiss(app, req);
      const locale = pageLocale(req, url, { form });
      if (!misses.allowed) return sendPage(res, 429, tooManyPage(locale), { 'retry-after': String(misses.retryAfterSeconds) });
      return sendPage(res, 422, noSessionPage(locale, true, chosenLocale(url, form)));
    }
    return openWithToken(app, req, res, url, code, '/r/…', form);
  }
  if (rest === '') return sendPage(res, 200, noSessionPage(pageLocale(req, url), false, chosenLocale(url)));
  // A link previewer's HEAD learns the code's page is there, and nothing else.
  if (req.method === 'HEAD') return void res.writeHead(200, { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' }).end();
  return openWithToken(app, req, res, url, codeOf(safeDecode(rest)) ?? 'tovp_not-a-code', '/r/…');
}

async function handle(app: AppServices, req: IncomingMessage, res: ServerResponse, rest: string) {
  const url = new URL(req.url ?? '/', 'http://localhost');
  await answeringWithPages(app, req, res, url, () => serve(app, req, res, url, rest));
}

export const printCodeRoute: HttpRoute = { prefix: '/r/', methods: ['GET', 'HEAD', 'POST'], handle };
