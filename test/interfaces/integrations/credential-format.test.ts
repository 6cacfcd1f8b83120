import { describe, expect, it } from 'vitest';
import { isKeyId, isWellFormedSecret, newKeyId, newSecret, secretMatches } from '../../../src/interfaces/integrations/credential-format.js';

describe('integration credential format', () => {
  it('key ids and secrets carry their prefixes; the secret’s checksum catches a changed character', () => {
    const keyId = newKeyId();
    expect(isKeyId(keyId)).toBe(true);
    const { secret, hash, hint } = newSecret();
    expect(secret).toMatch(/^tovsk_[A-Za-z0-9_-]{43}_[0-9a-f]{8}$/);
    expect(isWellFormedSecret(secret)).toBe(true);
    expect(secret.startsWith(hint)).toBe(true);
    const i = 10;
    const typo = secret.slice(0, i) + (secret[i] === 'A' ? 'B' : 'A') + secret.slice(i + 1);
    expect(isWellFormedSecret(typo)).toBe(false);
    expect(secretMatches(secret, hash)).toBe(true);
    expect(secretMatches(typo, hash)).toBe(false);
    expect(hash).not.toContain(secret.slice(6, 20));
  });

  it('every secret is new', () => {
    const seen = new Set(Array.from({ length: 200 }, () => newSecret().secret));
    expect(seen.size).toBe(200);
  });
});
