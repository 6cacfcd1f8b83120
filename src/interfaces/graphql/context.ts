import type { Logger } from 'pino';
import type { Authorizer } from '../../domains/permissions/authorizer.js';
import type { ActionRegistry } from '../../domains/permissions/actions.js';
import type { ModuleRegistry } from '../../domains/modules/manifest.js';
import type { Config } from '../../platform/config.js';
import type { PasswordHasher } from '../../platform/crypto.js';
import type { LivePubSub } from '../../platform/pubsub.js';
import type { Database, Prisma } from '../../platform/db/client.js';
import type { Caller, Principal } from '../../platform/principal.js';
import type { TokenService } from '../../domains/identity/tokens.js';
import type { RateLimiter } from '../../platform/rate-limit.js';
import type { LiveNotifier } from './live.js';
import type { ModuleLoaders, TargetLoaders } from './targets.js';

/** Process-wide services, built once at start-up (src/app.ts). */
export interface AppServices {
  config: Config;
  db: Database;
  logger: Logger;
  tokens: TokenService;
  modules: ModuleRegistry;
  actions: ActionRegistry;
  /** Live updates for subscriptions: Redis across processes, in-process without REDIS_URL. */
  pubsub: LivePubSub;
  /** Hears of every committed transaction's events and publishes what subscribers need. */
  live: LiveNotifier;
  /** Request counters: Redis across processes, in-process without REDIS_URL. */
  rateLimiter: RateLimiter;
  /** Every password hash and check, behind a bounded queue (PASSWORD_HASH_CONCURRENCY / PASSWORD_HASH_QUEUE). */
  passwords: PasswordHasher;
  /**
   * Hands deliveries a request just made due (redeliver, test-send) to the
   * webhook queue at once. Unset: the worker's sweeper finds them within
   * WEBHOOK_SWEEP_INTERVAL_MS.
   */
  webhookDispatch?: (items: { id: string; runAt: Date }[]) => Promise<void>;
}

/** The socket a graphql-ws subscription runs on, so access that ends mid-stream can close it. */
export interface LiveConnection {
  close(code: number, reason: string): void;
}

/** Per request. A fresh object every time: scope-auth caches decisions on it. */
export interface Context {
  app: AppServices;
  requestId: string;
  principal: Principal;
  caller: Caller;
  authz: Authorizer;
  prisma: Prisma;
  targets: TargetLoaders;
  /** Module installations and enablements, batched per request. */
  modules: ModuleLoaders;
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
}
