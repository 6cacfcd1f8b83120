import { describe, expect, it } from 'vitest';
import { HashingBusyError, PasswordHasher } from '../../src/platform/crypto.js';

describe('PasswordHasher', () => {
  it('runs at most `concurrency` hashes, queues at most `maxQueue`, refuses the rest at once', async () => {
    const hasher = new PasswordHasher(1, 2);
    const stored = await new PasswordHasher(1, 0).hash('a long enough password');
    // Four checks asked for at once: one runs, two wait, the fourth is refused without waiting.
    const calls = [0, 1, 2, 3].map(() =>
      hasher.verify('a long enough password', stored).then(
        (ok) => ({ ok }),
        (error: unknown) => ({ error }),
      ),
    );
    expect(hasher.stats()).toMatchObject({ active: 1, queued: 2, refused: 1 });
    const results = await Promise.all(calls);
    expect(results.slice(0, 3)).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect((results[3] as { error: unknown }).error).toBeInstanceOf(HashingBusyError);
    expect(hasher.stats()).toEqual({ active: 0, queued: 0, peakActive: 1, peakQueued: 2, refused: 1, completed: 3 });
  });

  it('frees its slot when a hash fails', async () => {
    const hasher = new PasswordHasher(1, 0);
    expect(await hasher.verify('whatever password', 'scrypt$1$8$1$AAAA$AAAA').catch(() => 'failed')).toBeDefined();
    expect(hasher.stats().active).toBe(0);
    expect(await hasher.verify('whatever password', await hasher.hash('whatever password'))).toBe(true);
  });

  it('hashes at its own cost (production 2^15 by default), and verifies a stored hash at the cost it records', async () => {
    const cheap = new PasswordHasher(1, 0, 10);
    const strong = new PasswordHasher(1, 0);
    const cheapHash = await cheap.hash('a long enough password');
    const strongHash = await strong.hash('a long enough password');
    expect(cheapHash.split('$')[1]).toBe(String(2 ** 10));
    expect(strongHash.split('$')[1]).toBe(String(2 ** 15));
    expect(strong.dummyHash.split('$')[1]).toBe(String(2 ** 15));
    expect(cheap.dummyHash.split('$')[1]).toBe(String(2 ** 10));
    // Either hasher verifies either hash: the parameters come from the hash.
    expect(await strong.verify('a long enough password', cheapHash)).toBe(true);
    expect(await cheap.verify('a long enough password', strongHash)).toBe(true);
    expect(await cheap.verify('another password here', strongHash)).toBe(false);
  });
});
