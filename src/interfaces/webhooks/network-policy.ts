import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/*
 * Where webhooks may go. A webhook URL is chosen by whoever configures an
 * endpoint, so without a guard the worker becomes a way to reach the
 * server's own network (SSRF): localhost admin ports, the cloud metadata
 * address, databases on the private network. Only public unicast addresses
 * are allowed unless config (WEBHOOK_ALLOWED_NETWORKS) opens loopback or
 * private ranges explicitly; link-local (169.254.169.254, the metadata
 * service) is never allowed. Checked on the resolved address at connect time,
 * so a DNS name that resolves to a private address (or is re-pointed after
 * the endpoint was saved) is refused too.
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

/** The range of an address ('unicast' for public ones), IPv4-mapped IPv6 read as IPv4. */
export function rangeOf(address: string): string {
  return ipaddr.process(address).range();
}

export function addressAllowed(address: string, allowed: readonly AllowedNetwork[]): boolean {
  const range = rangeOf(address);
  return range === 'unicast' || allowed.some((n) => RANGES_BY_NETWORK[n].includes(range));
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
      if (refused) return callback(new AddressRefusedError(refused.address, rangeOf(refused.address)) as never, '', 0);
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

const LOOPBACK_NAMES = new Set(['localhost']);

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
  const loopbackHost = LOOPBACK_NAMES.has(url.hostname) || (literal !== null && rangeOf(literal) === 'loopback');
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && loopbackHost && allowed.includes('loopback')) return null;
  return 'The URL must use https.';
}
