import { describe, expect, it } from 'vitest';
import { addressAllowed, rangeOf, urlProblem } from '../../../src/interfaces/webhooks/network-policy.js';

/**
 * The address classification the URL check and the connect-time guard share.
 * An IPv6 address that carries an IPv4 address reaches that IPv4 host, so it
 * is judged as that host: none of these is a way round the policy.
 */

describe('webhook network policy', () => {
  it.each([
    // [address, range it is judged by, allowed with nothing opened, allowed with loopback + private]
    ['::a9fe:a9fe', 'linkLocal', false, false], // ::169.254.169.254, IPv4-compatible: the metadata service
    ['::7f00:1', 'loopback', false, true], // ::127.0.0.1
    ['::a00:1', 'private', false, true], // ::10.0.0.1
    ['::ffff:a9fe:a9fe', 'linkLocal', false, false], // IPv4-mapped
    ['::ffff:0:7f00:1', 'loopback', false, true], // SIIT ::ffff:0:a.b.c.d
    ['64:ff9b::a9fe:a9fe', 'linkLocal', false, false], // NAT64 well-known prefix
    ['64:ff9b::808:808', 'unicast', true, true], // … of a public address: fine
    ['64:ff9b:1:a9fe:a9:fe00::', 'linkLocal', false, false], // local-use NAT64, /48 layout
    ['64:ff9b:1::a00:1', 'private', false, true], // local-use NAT64, /96 layout
    ['2002:7f00:1::', 'loopback', false, true], // 6to4 of 127.0.0.1
    ['2002:a9fe:a9fe::1', 'linkLocal', false, false],
    ['2002:808:808::1', 'unicast', true, true],
    ['2001:0:808:808::80ff:fffe', 'loopback', false, true], // Teredo, client 127.0.0.1 (obfuscated)
    ['2001:4860::5efe:a00:1', 'private', false, true], // ISATAP interface id
    ['::1', 'loopback', false, true],
    ['::', 'unspecified', false, false],
    ['2606:4700::1111', 'unicast', true, true],
    ['169.254.169.254', 'linkLocal', false, false],
    ['8.8.8.8', 'unicast', true, true],
  ] as const)('%s is %s', (address, range, strict, open) => {
    expect(rangeOf(address)).toBe(range);
    expect(addressAllowed(address, [])).toBe(strict);
    expect(addressAllowed(address, ['loopback', 'private'])).toBe(open);
  });

  it('refuses bracketed IPv4-in-IPv6 URLs and localhost names at creation unless loopback is allowed', () => {
    expect(urlProblem('https://[::169.254.169.254]/', ['loopback', 'private'])).toContain('linkLocal');
    expect(urlProblem('https://[::127.0.0.1]/', [])).toContain('loopback');
    expect(urlProblem('https://[::10.0.0.1]/', ['loopback'])).toContain('private');
    for (const host of ['localhost', 'LOCALHOST', 'localhost.', 'api.localhost', 'a.b.localhost.']) {
      expect(urlProblem(`https://${host}/h`, []), host).toContain('this server itself');
      expect(urlProblem(`https://${host}/h`, ['loopback']), host).toBeNull();
    }
    // Names that merely contain the word are ordinary names, checked at connect time like any other.
    expect(urlProblem('https://localhost.example.com/h', [])).toBeNull();
    expect(urlProblem('https://notlocalhost/h', [])).toBeNull();
  });
});
