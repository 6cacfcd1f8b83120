import type { IncomingMessage, ServerResponse } from 'node:http';
import { parsePrintedCode } from '../../../domains/guest-access/print-codes.js';
import type { AppServices } from '../../../kit/context.js';
import type { HttpRoute } from '../../../kit/http-route.js';
import { openWithToken } from './guest-page.route.js';
import { pageLocale, readForm, sendPage } from './http.js';
import { noSessionPage } from './status-pages.js';

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

async function handle(app: AppServices, req: IncomingMessage, res: ServerResponse, rest: string) {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method === 'POST') {
    const form = await readForm(req);
    const code = codeOf(form?.get('code') ?? '');
    // A code that is not even well-formed is refused here, without a lookup (and counted all the same).
    if (!code) return sendPage(res, 422, noSessionPage(pageLocale(req, url, { form }), true));
    return openWithToken(app, req, res, url, code, '/r/…');
  }
  if (rest === '') return sendPage(res, 200, noSessionPage(pageLocale(req, url)));
  return openWithToken(app, req, res, url, codeOf(safeDecode(rest)) ?? 'tovp_not-a-code', '/r/…');
}

export const printCodeRoute: HttpRoute = { prefix: '/r/', methods: ['GET', 'POST'], handle };
