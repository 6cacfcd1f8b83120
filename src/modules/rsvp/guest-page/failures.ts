import type { IncomingMessage, ServerResponse } from 'node:http';
import { t } from '../../../capabilities/localization/messages.js';
import type { AppServices } from '../../../kit/context.js';
import { markup } from '../../../kit/html.js';
import { NotFoundError } from '../../../platform/errors.js';
import { pageLocale, sendPage } from './http.js';
import { problemPage } from './status-pages.js';

/**
 * Runs a guest page's handler so that whatever goes wrong, a guest gets a page, never the API's JSON: what is
 * no longer there (an invitation deleted between two clicks) is the "link does not work" page; anything else
 * (the database away) is logged and answered with a 500 page that says nothing was saved.
 */
export async function answeringWithPages(app: AppServices, req: IncomingMessage, res: ServerResponse, url: URL, handler: () => Promise<void>) {
  try {
    await handler();
  } catch (e) {
    if (res.headersSent || res.destroyed) return void res.end();
    const locale = pageLocale(req, url);
    if (e instanceof NotFoundError) return sendPage(res, 404, problemPage(locale, 'invalid'));
    // A path may carry a link's token or a printed code: the log names the page, never what follows it.
    app.logger.error({ err: e, path: loggedPath(url.pathname) }, 'guest page failed');
    const title = t(locale, 'guest.failed.title');
    sendPage(res, 500, { locale, title, body: markup`<h1>${title}</h1><p>${t(locale, 'guest.failed.body')}</p>` });
  }
}

const OWN_PATHS = new Set(['/guest', '/guest/', '/guest/preferences', '/guest/switch', '/r/']);
const loggedPath = (path: string) => (OWN_PATHS.has(path) ? path : path.startsWith('/r/') ? '/r/…' : '/guest/…');
