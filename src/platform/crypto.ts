import { createCipheriv, createDecipheriv, createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number, opts: object) => Promise<Buffer>;

// scrypt parameters (N=2^15, r=8, p=1: ~32 MiB, OWASP's minimum for scrypt). A hash records its own
// parameters, so verifying never depends on the cost hashes are made with now.
export const DEFAULT_PASSWORD_HASH_COST = 15;
const R = 8;
const P = 1;
const KEYLEN = 32;

/** `cost` is log2 of scrypt's N; below the default only in tests (config.ts refuses it elsewhere). */
export async function hashPassword(password: string, cost = DEFAULT_PASSWORD_HASH_COST): Promise<string> {
  const salt = randomBytes(16);
  const N = 2 ** cost;
  const hash = await scrypt(password.normalize('NFKC'), salt, KEYLEN, { N, r: R, p: P, maxmem: 64 * 1024 * 1024 });
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, salt, hash] = stored.split('$');
  if (alg !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scrypt(password.normalize('NFKC'), Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: 64 * 1024 * 1024,
  });
  return timingSafeEqual(expected, actual);
}

/** Thrown when the hashing queue is full: the caller should come back shortly (it is load, not a wrong password). */
export class HashingBusyError extends Error {
  constructor() {
    super('Too many password checks in progress; retry shortly.');
  }
}

export interface PasswordHashingStats {
  active: number;
  queued: number;
  /** The most hashes ever computed at once (what a test asserts the bound on). */
  peakActive: number;
  /** The most ever waiting at once. */
  peakQueued: number;
  /** Attempts refused because the queue was full. */
  refused: number;
  /** Hashes computed (hash and verify alike). */
  completed: number;
}

/**
 * hashPassword/verifyPassword behind a semaphore: at most `concurrency` scrypt
 * runs at once and at most `maxQueue` wait. scrypt runs on libuv's thread pool,
 * so without a bound every anonymous sign-in alias takes a core (and the pool
 * threads file and DNS work share) from signed-in requests; with it, the
 * excess waits in a short queue or is refused at once.
 */
export class PasswordHasher {
  private active = 0;
  private peakActive = 0;
  private peakQueued = 0;
  private refused = 0;
  private completed = 0;
  private readonly waiting: (() => void)[] = [];

  /** A hash to compare against when the user does not exist, made at this hasher's cost, so sign-in takes the same time either way. */
  readonly dummyHash: string;

  constructor(
    readonly concurrency: number,
    readonly maxQueue: number,
    readonly cost = DEFAULT_PASSWORD_HASH_COST,
  ) {
    this.dummyHash = `scrypt$${2 ** cost}$${R}$${P}$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(32).toString('base64')}`;
  }

  hash(password: string): Promise<string> {
    return this.run(() => hashPassword(password, this.cost));
  }

  verify(password: string, stored: string): Promise<boolean> {
    return this.run(() => verifyPassword(password, stored));
  }

  stats(): PasswordHashingStats {
    const { active, peakActive, peakQueued, refused, completed } = this;
    return { active, queued: this.waiting.length, peakActive, peakQueued, refused, completed };
  }

  private async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.concurrency) {
      if (this.waiting.length >= this.maxQueue) {
        this.refused++;
        throw new HashingBusyError();
      }
      // A finishing run hands its slot straight over (the finally below), so `active` never exceeds the bound, even briefly.
      const queued = new Promise<void>((resolve) => this.waiting.push(resolve));
      this.peakQueued = Math.max(this.peakQueued, this.waiting.length);
      await queued;
    } else {
      this.active++;
    }
    this.peakActive = Math.max(this.peakActive, this.active);
    try {
      return await fn();
    } finally {
      this.completed++;
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

/** An unguessable URL-safe token (256 bits). */
export function randomToken(prefix = ''): string {
  return prefix + randomBytes(32).toString('base64url');
}

/** Tokens are stored only as their SHA-256: a leaked table grants nothing. */
export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** AES-256-GCM with a 32-byte key; output is `v1.<iv>.<tag>.<ciphertext>` in base64url. */
export function encrypt(plaintext: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
}

/** The ciphertext does not authenticate under this key: encrypted with another APP_KEY, or altered. */
export class DecryptionError extends Error {
  override name = 'DecryptionError';
}

export function decrypt(box: string, key: Buffer): string {
  const [v, iv, tag, ct] = box.split('.');
  if (v !== 'v1' || !iv || !tag || ct === undefined) throw new Error('Unrecognised ciphertext');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  try {
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    // Node says only "Unsupported state or unable to authenticate data"; callers turn this into what to do.
    throw new DecryptionError('Ciphertext does not authenticate with this key.');
  }
}
