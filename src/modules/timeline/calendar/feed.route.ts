import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppServices } from '../../../kit/context.js';
import type { HttpRoute } from '../../../kit/http-route.js';
import { clientAddress } from '../../../platform/client-address.js';
import { feedContent } from './feed-content.js';
import { renderFeed } from './feed.ics.js';
import { CALENDAR_PATH } from './feeds.service.js';

/** Fetches of one feed per hour: calendar clients poll every 15 minutes to a few hours; more is a runaway client. */
const FEED_FETCHES_PER_HOUR = 120;
/** Fetches per client address per hour, known token or not (a bound on guessing and on load). */
const ADDRESS_FETCHES_PER_HOUR = 1200;
const HOUR = 3600;

/** Feeds are per-person secrets: never cached by a shared cache, never leaked through a Referer. */
const PRIVATE_HEADERS = { 'cache-control': 'private, no-store', 'referrer-policy': 'no-referrer' } as const;

function answer(res: ServerResponse, status: number, message: string, extra: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...PRIVATE_HEADERS, ...extra }).end(`${message}\n`);
}

/**
 * GET /calendar/<token>.ics: the feed as its owner may see it now. An unknown
 * (or tampered) token is 404, a revoked feed or a withdrawn owner 410: never
 * any data. The token is never logged: log lines name the feed by its id.
 */
async function serveFeed(app: AppServices, req: IncomingMessage, res: ServerResponse, rest: string) {
  const started = performance.now();
  const address = clientAddress(req, app.config.TRUST_PROXY);
  const byAddress = await app.rateLimiter.hit(`cal-addr:${address}`, ADDRESS_FETCHES_PER_HOUR, HOUR);
  if (!byAddress.allowed) return answer(res, 429, 'Too many calendar requests.', { 'retry-after': String(byAddress.retryAfterSeconds) });
  const token = rest.endsWith('.ics') ? rest.slice(0, -4) : rest;
  const content = await feedContent(app.db.prisma, app.actions, token);
  if (content.status === 'not_found') return answer(res, 404, 'There is no calendar here.');
  if (content.status === 'gone') return answer(res, 410, 'This calendar link was revoked. Ask for a new one.');
  const byFeed = await app.rateLimiter.hit(`cal:${content.feedId}`, FEED_FETCHES_PER_HOUR, HOUR);
  if (!byFeed.allowed) return answer(res, 429, 'This calendar is fetched too often.', { 'retry-after': String(byFeed.retryAfterSeconds) });
  const body = req.method === 'HEAD' ? '' : renderFeed(content.occasion, content.items);
  res.writeHead(200, { 'content-type': 'text/calendar; charset=utf-8', ...PRIVATE_HEADERS }).end(body);
  // Last-fetched is for "is this feed still in use?": a few minutes' precision saves a write per poll.
  const now = new Date();
  await app.db.prisma.calendarFeed.updateMany({
    where: { id: content.feedId, OR: [{ lastFetchedAt: null }, { lastFetchedAt: { lt: new Date(now.getTime() - 5 * 60_000) } }] },
    data: { lastFetchedAt: now },
  });
  app.logger.info(
    {
      path: `${CALENDAR_PATH}…`,
      feedId: content.feedId,
      items: content.items.length,
      truncated: content.truncated,
      ms: Math.round(performance.now() - started),
    },
    'calendar feed',
  );
}

export const calendarFeedRoute: HttpRoute = { prefix: CALENDAR_PATH, methods: ['GET', 'HEAD'], handle: serveFeed };
