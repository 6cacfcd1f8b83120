import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../../platform/config.js';

/*
 * CORS for the GraphQL endpoints, from an allowlist (CORS_ORIGINS) instead of
 * yoga's default, which reflects any Origin. Nothing here uses cookies (every
 * credential is an Authorization header), so Access-Control-Allow-Credentials
 * is never sent: an allowed page may send a token it holds, no page borrows
 * one from the browser.
 */

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const ALLOWED_METHODS = 'GET, POST, PUT, DELETE, OPTIONS';
/** What the SPA, GraphiQL and the graphql-sse client send; anything else in a preflight is not granted. */
const ALLOWED_HEADERS = ['authorization', 'content-type', 'accept', 'x-request-id', 'x-graphql-event-stream-token'];
/** Readable by the page: the request id for support, and what a 401/429 means. */
const EXPOSED_HEADERS = 'x-request-id, retry-after, www-authenticate';

export interface OriginPolicy {
  /** true when a browser page of this origin may call the API. */
  allows(origin: string): boolean;
}

export function originPolicy(config: Pick<Config, 'CORS_ORIGINS'>): OriginPolicy {
  const exact = new Set(config.CORS_ORIGINS.filter((o) => o !== 'localhost'));
  const loopback = config.CORS_ORIGINS.includes('localhost');
  return {
    allows(origin) {
      if (exact.has(origin)) return true;
      if (!loopback) return false;
      try {
        const u = new URL(origin);
        return (u.protocol === 'http:' || u.protocol === 'https:') && LOOPBACK_HOSTS.has(u.hostname) && u.origin === origin;
      } catch {
        return false;
      }
    },
  };
}

/** A page served by this server itself (GraphiQL): its Origin names the Host it was loaded from. */
export function isSameOrigin(req: IncomingMessage, origin: string): boolean {
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/**
 * Adds the CORS headers an allowed origin needs and answers preflights.
 * Returns true when the response is complete (a preflight).
 */
export function handleCors(policy: OriginPolicy, req: IncomingMessage, res: ServerResponse): boolean {
  const origin = req.headers.origin;
  // The answer differs by Origin: a shared cache must not hand one origin's answer to another.
  res.setHeader('vary', 'Origin');
  const allowed = typeof origin === 'string' && policy.allows(origin);
  if (allowed) {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('access-control-expose-headers', EXPOSED_HEADERS);
  }
  if (req.method !== 'OPTIONS') return false;
  if (!allowed || !req.headers['access-control-request-method']) {
    res.writeHead(403, { 'content-type': 'application/json; charset=utf-8' });
    res.end(
      JSON.stringify({
        errors: [{ message: 'Cross-origin requests from this origin are not allowed.', extensions: { code: 'ORIGIN_NOT_ALLOWED' } }],
      }),
    );
    return true;
  }
  const requested = String(req.headers['access-control-request-headers'] ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  res.writeHead(204, {
    'access-control-allow-methods': ALLOWED_METHODS,
    'access-control-allow-headers': requested.filter((h) => ALLOWED_HEADERS.includes(h)).join(', ') || ALLOWED_HEADERS.join(', '),
    'access-control-max-age': '600',
    'content-length': '0',
  });
  res.end();
  return true;
}
