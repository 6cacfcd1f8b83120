import { describe, expect, it } from 'vitest';
import { clientAddress } from '../../src/platform/client-address.js';

const req = (remoteAddress: string, xff?: string) => ({ socket: { remoteAddress }, headers: xff ? { 'x-forwarded-for': xff } : {} }) as never;

describe('clientAddress', () => {
  it('is the socket peer unless proxies are trusted; X-Forwarded-For alone picks nothing', () => {
    expect(clientAddress(req('::ffff:203.0.113.9', '198.51.100.1'))).toBe('203.0.113.9');
    expect(clientAddress(req('203.0.113.9', '198.51.100.1'), 0)).toBe('203.0.113.9');
  });

  it('behind N trusted proxies, the Nth address from the right; what the client prepended is ignored', () => {
    expect(clientAddress(req('10.0.0.2', '6.6.6.6, 198.51.100.1'), 1)).toBe('198.51.100.1');
    expect(clientAddress(req('10.0.0.2', '6.6.6.6, 198.51.100.1, 10.0.0.1'), 2)).toBe('198.51.100.1');
    // Fewer hops than proxies: the leftmost; a garbage entry: the peer.
    expect(clientAddress(req('10.0.0.2', '198.51.100.1'), 2)).toBe('198.51.100.1');
    expect(clientAddress(req('10.0.0.2', 'not-an-ip'), 1)).toBe('10.0.0.2');
    expect(clientAddress(req('10.0.0.2'), 1)).toBe('10.0.0.2');
  });

  it('counts IPv6 clients by their /64 (one subscriber holds a whole /64)', () => {
    expect(clientAddress(req('2001:db8:1:2:aaaa::1'))).toBe('2001:db8:1:2::/64');
    expect(clientAddress(req('2001:db8:1:2:bbbb::7'))).toBe('2001:db8:1:2::/64');
  });
});
