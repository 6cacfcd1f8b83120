import type { ServerResponse } from 'node:http';
import type { Config } from '../../platform/config.js';

/**
 * Headers every response starts with. Routes that are meant to be cached
 * (JWKS, OAuth metadata, GraphiQL's assets) replace Cache-Control with their
 * own; everything else answers one caller (a planner's data, a guest's
 * invitation, a session's tokens) and must never be stored by a browser or
 * a proxy on the way, hence no-store by default.
 */
export function securityHeaders(config: Pick<Config, 'publicUrl'>): Record<string, string> {
  const headers: Record<string, string> = {
    // Browsers must not guess a type: a JSON error that echoes input is never run as HTML or script.
    'x-content-type-options': 'nosniff',
    // Guest links carry their token in the fragment; no URL of ours leaks to a page a link leads to.
    'referrer-policy': 'no-referrer',
    // Nothing here is meant to be framed (GraphiQL in a foreign frame would be a clickjacking target).
    'content-security-policy': "frame-ancestors 'none'",
    'cache-control': 'no-store',
  };
  // Only when the public address is https: HSTS over plain http (local development) would be ignored at best.
  if (new URL(config.publicUrl).protocol === 'https:') headers['strict-transport-security'] = 'max-age=31536000';
  return headers;
}

export function applySecurityHeaders(res: ServerResponse, headers: Record<string, string>) {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
}
