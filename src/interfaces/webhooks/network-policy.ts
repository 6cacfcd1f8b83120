import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr, { type IPv4, type IPv6 } from 'ipaddr.js';

/*
 * Where webhooks may go. A webhook URL is chosen by whoever configures an
 * endpoint, so without a guard the worker becomes a way to reach the
 * server's own network (SSRF): localhost admin ports, the cloud metadata
 * address, databases on the private network. Only public unicast addresses
 * are allowed unless config (WEBHOOK_ALLOWED_NETWORKS) opens loopback or
 * private ranges explicitly; link-local (169.254.169.254, the metadata
 * service) is never allowed. Checked on the resolved address at connect time,
 * so a DNS name that resolves to a private address (or is re-pointed after
 * the endpoint was saved) is refused too. An IPv6 address that carries an
 * IPv4 address (mapped, compatible, NAT64, 6to4, Teredo, ISATAP) is judged
 * as that IPv4 address: `[::169.254.169.254]` is the metadata service.
 */

export type AllowedNetwork = 'loopback' | 'private';

const RANGES_BY_NETWORK: Record<AllowedNetwork, string[]> = {
  loopback: ['loopback'],
  private: ['private', 'uniqueLocal', 'carrierGradeNat'],
};

export class AddressRefusedError extends Error {
  readonly code = 'EADDRREFUSED_POLICY';
  constructor(
    readonly address: string,
    readonly range: string,
  ) {
    super(`Webhook target address ${address} (${range}) is not allowed.`);
  }
}

/** IPv6 ranges that are only a wrapper around an IPv4 address: what counts is the IPv4 address inside. */
const TRANSLATION_RANGES = new Set(['unicast', 'ipv4Mapped', 'rfc6145', 'rfc6052', '6to4', 'teredo']);

const v4 = (b: number[], at: number[]) => new ipaddr.IPv4(at.map((i) => b[i]!));
const zero = (b: number[], from: number, to: number) => b.slice(from, to).every((x) => x === 0);
const is = (b: number[], prefix: number[]) => prefix.every((x, i) => b[i] === x);
const LAST_32 = [12, 13, 14, 15];

/**
 * Every IPv4 address an IPv6 address carries, by the standard ways of
 * carrying one. A packet to any of them ends up at (or is translated to) that
 * IPv4 host, so `::169.254.169.254` is the metadata service and
 * `2002:7f00:1::` is loopback, whatever the IPv6 range table says.
 * - ::a.b.c.d (IPv4-compatible, ::/96), ::ffff:a.b.c.d (mapped),
 *   ::ffff:0:a.b.c.d (SIIT, RFC 6145), 64:ff9b::a.b.c.d (NAT64, RFC 6052)
 * - 64:ff9b:1::/48 (local-use NAT64, RFC 8215): the translator picks where
 *   the IPv4 bits sit (/48, /56, /64 or /96 layout), so every plausible
 *   one is read and the strictest wins
 * - 2002:AABB:CCDD::/48 (6to4), Teredo 2001::/32 (server and the
 *   obfuscated client address), ISATAP interface ids (…:0:5efe:a.b.c.d)
 */
export function embeddedIpv4(ip: IPv6): IPv4[] {
  const b = ip.toByteArray();
  if (zero(b, 0, 12)) return [v4(b, LAST_32)];
  if (zero(b, 0, 10) && b[10] === 0xff && b[11] === 0xff) return [v4(b, LAST_32)];
  if (zero(b, 0, 8) && b[8] === 0xff && b[9] === 0xff && zero(b, 10, 12)) return [v4(b, LAST_32)];
  if (is(b, [0x00, 0x64, 0xff, 0x9b]) && zero(b, 4, 12)) return [v4(b, LAST_32)];
  if (is(b, [0x00, 0x64, 0xff, 0x9b, 0x00, 0x01])) {
    const layouts = [v4(b, [6, 7, 9, 10]), v4(b, [7, 9, 10, 11]), v4(b, [9, 10, 11, 12]), v4(b, LAST_32)];
    // A layout that reads 0.x.x.x is (almost always) the wrong one: no translator sends to "this network".
    const plausible = layouts.filter((a) => a.octets[0] !== 0);
    return plausible.length ? plausible : layouts;
  }
  if (is(b, [0x20, 0x02])) return [v4(b, [2, 3, 4, 5])];
  if (is(b, [0x20, 0x01, 0x00, 0x00])) return [v4(b, [4, 5, 6, 7]), new ipaddr.IPv4(LAST_32.map((i) => b[i]! ^ 0xff))];
  if ((b[8]! & 0xfc) === 0 && b[9] === 0 && b[10] === 0x5e && b[11] === 0xfe) return [v4(b, LAST_32)];
  return [];
}

/**
 * Every range an address falls in: one for IPv4; for IPv6 its own range and,
 * when it carries IPv4 addresses, theirs (instead of a mere translation
 * range, beside any other). Loopback `::1` and unspecified `::` are
 * themselves, not the IPv4 addresses 0.0.0.1 and 0.0.0.0.
 */
function rangesOf(address: string): string[] {
  const ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv4') return [ip.range()];
  const own = ip.range();
  if (own === 'loopback' || own === 'unspecified') return [own];
  const inner = embeddedIpv4(ip as IPv6).map((a) => a.range());
  if (!inner.length) return [own];
  return TRANSLATION_RANGES.has(own) ? inner : [own, ...inner];
}

/** The range an address is judged by: the first one that is not public ('unicast' when all are). */
export function rangeOf(address: string): string {
  return rangesOf(address).find((r) => r !== 'unicast') ?? 'unicast';
}

export function addressAllowed(address: string, allowed: readonly AllowedNetwork[]): boolean {
  return rangesOf(address).every((range) => range === 'unicast' || allowed.some((n) => RANGES_BY_NETWORK[n].includes(range)));
}

/** Throws AddressRefusedError unless the address may be connected to. */
export function assertAddressAllowed(address: string, allowed: readonly AllowedNetwork[]): void {
  if (!addressAllowed(address, allowed)) throw new AddressRefusedError(address, rangeOf(address));
}

/** A lookup for net/tls.connect that resolves as usual and refuses disallowed addresses. */
export function guardedLookup(allowed: readonly AllowedNetwork[]): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const refused = addresses.find((a) => !addressAllowed(a.address, allowed));
      if (refused) return callback(new AddressRefusedError(refused.address, rangeOf(refused.address)), '', 0);
      if ((options as { all?: boolean }).all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

/** The host of a URL when it is an IP literal (connect skips the lookup for those), else null. */
export function literalAddress(url: URL): string | null {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return ipaddr.isValid(host) ? host : null;
}

/** localhost, any name under .localhost, with or without the root dot (RFC 6761 reserves them all for loopback). */
const isLoopbackName = (host: string) => /(^|\.)localhost\.?$/i.test(host);

/**
 * Is this URL acceptable as a webhook endpoint? https anywhere; plain http
 * only to a loopback host when loopback is allowed (a receiver on the same
 * machine in development and tests). Null when fine, else why not.
 */
export function urlProblem(raw: string, allowed: readonly AllowedNetwork[]): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'Not a URL.';
  }
  if (url.username || url.password) return 'Credentials in the URL are not allowed; the payload is signed instead.';
  if (url.hash) return 'A URL fragment is not sent; remove it.';
  const literal = literalAddress(url);
  if (literal && !addressAllowed(literal, allowed)) return `Address ${literal} (${rangeOf(literal)}) is not allowed as a webhook target.`;
  const loopbackName = isLoopbackName(url.hostname);
  // Resolvers answer localhost names with loopback without asking DNS (RFC 6761): refused now, not only at delivery.
  if (loopbackName && !allowed.includes('loopback')) return `${url.hostname} is this server itself: not allowed as a webhook target.`;
  const loopbackHost = loopbackName || (literal !== null && rangeOf(literal) === 'loopback');
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && loopbackHost && allowed.includes('loopback')) return null;
  return 'The URL must use https.';
}
