import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type JWK, type JWTPayload, jwtVerify, SignJWT, errors as joseErrors } from 'jose';
import type { Prisma } from '../../platform/db/client.js';
import { decrypt, encrypt } from '../../platform/crypto.js';

declare module '../../kit/context.js' {
  interface AppServices {
    tokens: TokenService;
  }
}

/** `aud` of user access tokens. Other kinds of token pass their own audience, so one kind can never pass for another. */
export const AUDIENCE = 'tovplus-api';
const ALG = 'ES256';

type Key = CryptoKey | Uint8Array;

interface LoadedKey {
  kid: string;
  publicKey: Key;
  privateKey: Key;
  publicJwk: JWK;
  retiredAt: Date | null;
}

export class TokenError extends Error {
  constructor(readonly reason: 'expired' | 'invalid' | 'unknown_key') {
    super(reason === 'expired' ? 'Access token expired.' : 'Access token is invalid.');
  }
}

/**
 * Asymmetric (ES256) access tokens. Keys live in signing_keys so every api
 * process signs and verifies alike; private halves are encrypted with the app
 * key. Verification pins the algorithm, issuer, audience and token type, so
 * `alg: none`, HS256-with-the-public-key and foreign tokens are all refused.
 */
export class TokenService {
  private keys = new Map<string, LoadedKey>();
  /** When keys were last read: an unknown kid triggers at most one reload per interval (no reload storm from forged tokens). */
  private lastReloadAt = 0;
  private reloading: Promise<void> | null = null;
  static readonly RELOAD_INTERVAL_MS = 1_000;
  /**
   * Tokens this process has verified, by their exact text (and typ and audience): an ES256 check costs more CPU
   * than the rest of a small request's authentication, and a client sends the same token until it expires. Only
   * verified tokens enter, so a forged one is checked every time; a hit still checks expiry and that its key is
   * still known (a deleted key stops its tokens here too). Bounded: the oldest entry leaves first.
   */
  private verified = new Map<string, { payload: JWTPayload & { sub: string; exp: number }; kid: string }>();
  static readonly VERIFIED_CACHE_SIZE = 10_000;

  constructor(
    private readonly prisma: Prisma,
    private readonly appKey: Buffer,
    readonly accessTtlSeconds: number,
    /** `iss` of every token: the server's public URL, as its OAuth metadata publishes it (RFC 8414). */
    readonly issuer: string,
  ) {}

  /** Loads keys, creating the first one on an empty database. */
  async init(): Promise<void> {
    await this.reload();
    if (![...this.keys.values()].some((k) => !k.retiredAt)) await this.rotate();
  }

  private async reload(): Promise<void> {
    this.lastReloadAt = Date.now();
    const rows = await this.prisma.signingKey.findMany({ orderBy: { createdAt: 'asc' } });
    const next = new Map<string, LoadedKey>();
    for (const r of rows) {
      const privateJwk = JSON.parse(decrypt(r.privateJwkEnc, this.appKey)) as JWK;
      next.set(r.kid, {
        kid: r.kid,
        publicJwk: r.publicJwk as JWK,
        publicKey: await importJWK(r.publicJwk as JWK, ALG),
        privateKey: await importJWK(privateJwk, ALG),
        retiredAt: r.retiredAt,
      });
    }
    this.keys = next;
  }

  /** New signing key; older ones keep verifying until they are retired and their tokens expire. */
  async rotate(): Promise<string> {
    const { publicKey, privateKey } = await generateKeyPair(ALG, { extractable: true });
    const kid = randomUUID();
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: ALG, use: 'sig' };
    const privateJwk = await exportJWK(privateKey);
    await this.prisma.signingKey.create({
      data: { kid, alg: ALG, publicJwk, privateJwkEnc: encrypt(JSON.stringify(privateJwk), this.appKey) },
    });
    await this.reload();
    return kid;
  }

  private current(): LoadedKey {
    const active = [...this.keys.values()].filter((k) => !k.retiredAt);
    const k = active[active.length - 1];
    if (!k) throw new Error('No active signing key');
    return k;
  }

  /** Public keys for JWKS publication. */
  publicJwks(): { keys: JWK[] } {
    return { keys: [...this.keys.values()].map((k) => k.publicJwk) };
  }

  async sign(
    claims: JWTPayload & { sub: string },
    typ: string,
    ttlSeconds = this.accessTtlSeconds,
    audience = AUDIENCE,
  ): Promise<{ token: string; expiresAt: Date }> {
    const key = this.current();
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: ALG, kid: key.kid, typ })
      .setIssuer(this.issuer)
      .setAudience(audience)
      .setIssuedAt(now)
      .setExpirationTime(now + ttlSeconds)
      .setJti(randomUUID())
      .sign(key.privateKey);
    return { token, expiresAt: new Date((now + ttlSeconds) * 1000) };
  }

  async verify(token: string, typ: string, audience = AUDIENCE): Promise<JWTPayload & { sub: string }> {
    const cacheKey = `${typ} ${audience} ${token}`;
    const hit = this.verified.get(cacheKey);
    if (hit && this.keys.has(hit.kid)) {
      // jose's rule: expired once `exp` is not after now (seconds).
      if (hit.payload.exp <= Math.floor(Date.now() / 1000)) {
        this.verified.delete(cacheKey);
        throw new TokenError('expired');
      }
      return hit.payload;
    }
    try {
      const { payload, protectedHeader } = await jwtVerify(
        token,
        async (header) => {
          let k = header.kid ? this.keys.get(header.kid) : undefined;
          if (!k && header.kid && Date.now() - this.lastReloadAt >= TokenService.RELOAD_INTERVAL_MS) {
            // Another process may have rotated; look once more (one shared read) before refusing.
            this.reloading ??= this.reload().finally(() => (this.reloading = null));
            await this.reloading;
            k = this.keys.get(header.kid);
          }
          if (!k) throw new TokenError('unknown_key');
          return k.publicKey;
        },
        { issuer: this.issuer, audience, algorithms: [ALG], typ, requiredClaims: ['sub', 'exp', 'iat', 'jti'] },
      );
      const verified = Object.freeze(payload) as JWTPayload & { sub: string; exp: number };
      if (this.verified.size >= TokenService.VERIFIED_CACHE_SIZE) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(cacheKey, { payload: verified, kid: protectedHeader.kid! });
      return verified;
    } catch (e) {
      if (e instanceof joseErrors.JWTExpired) throw new TokenError('expired');
      if (e instanceof TokenError) throw e;
      throw new TokenError('invalid');
    }
  }
}
