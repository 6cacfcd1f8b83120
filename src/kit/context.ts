import type { Logger } from 'pino';
import type { Config } from '../platform/config.js';
import type { PasswordHasher } from '../platform/crypto.js';
import type { LivePubSub } from '../platform/pubsub.js';
import type { Database, Prisma } from '../platform/db/client.js';
import type { Caller, Principal } from '../platform/principal.js';
import type { RateLimiter } from '../platform/rate-limit.js';
import type { RedisLike } from '../platform/redis.js';
import type { ObjectStorage } from '../platform/storage/storage.js';
import type { Authorization } from './authorization.js';
import type { CommitListener } from './live.js';
import type { TargetDefinitions, TargetLoaders } from './targets.js';

/*
 * The two objects every resolver sees. The kit declares the members it needs
 * itself; each layer above adds what it owns by declaration merging (as Pothos'
 * own plugins extend its types), next to the code that owns it:
 *
 *   declare module '../../kit/context.js' { interface AppServices { tokens: TokenService } }
 *
 * so the kit never imports a domain, and the composition root
 * (src/app/create-app.ts) is type-checked to build every member of both.
 */

/** Process-wide services, built once at start-up by the composition root (src/app). */
export interface AppServices {
  config: Config;
  db: Database;
  logger: Logger;
  /** Live updates for subscriptions: Redis across processes, in-process without REDIS_URL. */
  pubsub: LivePubSub;
  /** Hears of every committed transaction's events (capabilities/live publishes what subscribers need). */
  live: CommitListener;
  /** The shared Redis connection (readiness, counters), or null without REDIS_URL. */
  redis: RedisLike | null;
  /** Request counters: Redis across processes, in-process without REDIS_URL. */
  rateLimiter: RateLimiter;
  /** Every password hash and check, behind a bounded queue (PASSWORD_HASH_CONCURRENCY / PASSWORD_HASH_QUEUE). */
  passwords: PasswordHasher;
  /** How an id becomes a permission target, contributed by the domains, the modules and the interfaces. */
  targets: TargetDefinitions;
  /** Where asset bytes live: DATA_DIR/assets, or S3-compatible storage (S3_BUCKET). */
  storage: ObjectStorage;
}

/** The socket a graphql-ws subscription runs on, so access that ends mid-stream can close it. */
export interface LiveConnection {
  close(code: number, reason: string): void;
  /**
   * Sends this operation a `next` message whose payload (an execution result)
   * is already JSON, so a result serialized once goes to many sockets as is.
   * Sends nothing once the operation is over. A promise when the socket is
   * backed up: the caller waits before sending more.
   */
  sendNext?(payloadJson: string): void | Promise<void>;
}

/** Per request. A fresh object every time: scope-auth caches decisions on it. */
export interface Context {
  app: AppServices;
  requestId: string;
  principal: Principal;
  caller: Caller;
  /** The permission engine, for this caller (domains/permissions adds its full API). */
  authz: Authorization;
  prisma: Prisma;
  /** id → permission target, batched per request (see targets.ts). */
  targets: TargetLoaders;
  log: Logger;
  /** Users this request just signed in (sign-up, sign-in, refresh): they may read their own session's user. */
  sessionUserIds: Set<string>;
  /** When the caller's credential stops working (access token `exp`, guest link expiry); live streams end then. */
  credentialExpiresAt: Date | null;
  /** The refresh family (session) a user's access token belongs to; live streams end when it is revoked. */
  sessionId: string | null;
  /** Where the request came from (platform/client-address.ts), for per-address limits. */
  clientAddress: string;
  /** Set for operations over graphql-ws. */
  connection?: LiveConnection;
  /** The request's Accept-Language header as sent (capabilities/localization negotiates from it); null when absent. */
  acceptLanguage?: string | null;
  /** A signed-in user's saved locale (User.locale), read with their account; null for other callers (capabilities/localization). */
  userLocale?: string | null;
}
