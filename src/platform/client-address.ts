import type { IncomingMessage } from 'node:http';
import ipaddr from 'ipaddr.js';

/**
 * The address a request came from, for per-address rate limits.
 *
 * With `trustedProxies` 0 (the default) it is the socket's peer: a header the
 * caller writes cannot buy a fresh bucket. Behind N proxies of your own (a
 * load balancer: 1) every peer is a proxy, so the client is the Nth address
 * from the right of X-Forwarded-For, the last one a proxy we trust appended;
 * anything left of it was written by the client and is ignored.
 */
export function clientAddress(req: Pick<IncomingMessage, 'socket' | 'headers'> | undefined, trustedProxies = 0): string {
  const peer = normalize(req?.socket?.remoteAddress) ?? 'unknown';
  if (!req || trustedProxies <= 0) return peer;
  const header = req.headers['x-forwarded-for'];
  const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!hops.length) return peer;
  // Fewer hops than proxies: the request did not pass through all of them; the leftmost is the best we know.
  const candidate = hops[Math.max(0, hops.length - trustedProxies)];
  return normalize(candidate) ?? peer;
}

/**
 * A canonical address, or null when it is not an IP address. IPv4-mapped IPv6
 * becomes plain IPv4; other IPv6 addresses become their /64, since one
 * subscriber usually holds a whole /64 and could otherwise rotate through
 * fresh buckets at will.
 */
function normalize(a: string | undefined): string | null {
  if (!a || !ipaddr.isValid(a)) return null;
  const parsed = ipaddr.process(a);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 4).concat([0, 0, 0, 0]);
  return `${new ipaddr.IPv6(parts).toString()}/64`;
}
