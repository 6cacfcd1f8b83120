import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppServices } from '../../kit/context.js';
import { messagingEnv } from '../../domains/communications/messaging-env.js';
import {
  OPTIONAL_CATEGORIES,
  preferencesOf,
  setPreferences,
  unsubscribeByDelivery,
  type Preference,
} from '../../domains/communications/preferences.service.js';
import { verifyLinkToken } from '../../domains/communications/unsubscribe.js';
import type { Caller } from '../../platform/principal.js';
import { negotiateLocale } from '../../capabilities/localization/negotiate.js';
import { escapeHtml } from '../../kit/html.js';
import { linkPage, PAGE_LOCALES, pageStrings, type PageStrings } from './link-pages.js';

/*
 * The links in a message: one-click unsubscribe (RFC 8058: a POST with
 * `List-Unsubscribe=One-Click` unsubscribes at once, no page, no cookie) and a
 * small preferences page. A GET never changes anything (mail scanners follow
 * links). The token in the query names the message it came with; it is
 * signed and expires, and it never reaches a log line (requests log paths).
 */

const UNSUBSCRIBE = '/communications/unsubscribe';
const PREFERENCES = '/communications/preferences';

const caller = (requestId: string): Caller => ({ principal: { kind: 'system', reason: 'message-link', actions: [] }, requestId });

export async function handleMessageLinks(
  app: AppServices,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: Buffer | null,
  requestId: string,
): Promise<boolean> {
  if (url.pathname !== UNSUBSCRIBE && url.pathname !== PREFERENCES) return false;
  if (req.method !== 'GET' && req.method !== 'POST') {
    res.writeHead(405, { allow: 'GET, POST' }).end();
    return true;
  }
  const env = messagingEnv(app.config);
  const verified = verifyLinkToken(env.appKey, url.searchParams.get('t') ?? '');
  const delivery =
    typeof verified === 'object'
      ? await app.db.prisma.commDelivery.findUnique({
          where: { id: verified.deliveryId },
          select: {
            id: true,
            occasionId: true,
            locale: true,
            category: true,
            recipientActorId: true,
            unitActorId: true,
            send: { select: { occasion: { select: { name: true } } } },
          },
        })
      : null;
  // A link that names no message (tampered, or of a deleted one) says so in the browser's language.
  const strings = pageStrings(
    delivery?.locale ?? negotiateLocale({ acceptLanguage: req.headers['accept-language'] ?? null, available: PAGE_LOCALES }),
  );
  if (!delivery) {
    send(res, 400, linkPage(strings, strings.linkInvalidTitle, verified === 'expired' ? strings.linkExpired : strings.linkInvalid));
    return true;
  }
  const occasionName = delivery.send.occasion.name;
  const form = body ? new URLSearchParams(body.toString('utf8')) : new URLSearchParams();

  if (url.pathname === UNSUBSCRIBE) {
    if (req.method === 'POST') {
      await app.db.prisma.$transaction((tx) => unsubscribeByDelivery(tx, caller(requestId), delivery.id));
      // One-click clients read the status only; people get a page.
      if (form.get('List-Unsubscribe') === 'One-Click') {
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end('Unsubscribed.\n');
      } else send(res, 200, linkPage(strings, strings.unsubscribedTitle, strings.unsubscribed(occasionName), preferencesHref(url)));
      return true;
    }
    send(res, 200, linkPage(strings, strings.unsubscribeTitle, strings.unsubscribeAsk(occasionName), undefined, confirmForm(url, strings)));
    return true;
  }

  const actorId = delivery.unitActorId ?? delivery.recipientActorId;
  if (!actorId) {
    send(res, 400, linkPage(strings, strings.linkInvalidTitle, strings.linkInvalid));
    return true;
  }
  if (req.method === 'POST') {
    const prefs: Preference[] = OPTIONAL_CATEGORIES.map((category) => ({ category, channel: 'EMAIL', optedOut: form.get(category) !== 'on' }));
    await app.db.prisma.$transaction((tx) => setPreferences(tx, caller(requestId), delivery.occasionId, actorId, prefs));
  }
  const current = await preferencesOf(app.db.prisma, delivery.occasionId, actorId);
  send(
    res,
    200,
    linkPage(
      strings,
      strings.preferencesTitle,
      req.method === 'POST' ? strings.saved : strings.preferencesIntro(occasionName),
      undefined,
      preferencesForm(url, strings, current),
    ),
  );
  return true;
}

function send(res: ServerResponse, status: number, html: string) {
  res
    .writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    })
    .end(html);
}

const preferencesHref = (url: URL) => `${PREFERENCES}?t=${encodeURIComponent(url.searchParams.get('t') ?? '')}`;

function confirmForm(url: URL, s: PageStrings): string {
  const action = `${UNSUBSCRIBE}?t=${encodeURIComponent(url.searchParams.get('t') ?? '')}`;
  return `<form method="post" action="${escapeHtml(action)}"><button type="submit">${s.unsubscribeButton}</button></form>`;
}

function preferencesForm(url: URL, s: PageStrings, prefs: Preference[]): string {
  const action = preferencesHref(url);
  const box = (category: (typeof OPTIONAL_CATEGORIES)[number]) => {
    const on = !prefs.find((p) => p.category === category && p.channel === 'EMAIL')?.optedOut;
    return `<p><label><input type="checkbox" name="${category}"${on ? ' checked' : ''}> ${s.category[category]}</label></p>`;
  };
  return `<form method="post" action="${escapeHtml(action)}">${OPTIONAL_CATEGORIES.map(box).join('')}<p class="note">${s.transactionalNote}</p><button type="submit">${s.save}</button></form>`;
}
