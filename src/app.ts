import type { Logger } from 'pino';
import { TokenService } from './domains/identity/tokens.js';
import type { AppServices } from './interfaces/graphql/context.js';
import { createLiveNotifier } from './interfaces/graphql/live.js';
import { createRateLimiter } from './platform/rate-limit.js';
import { actionRegistry, moduleRegistry } from './modules/registry.js';
import { registerModuleReactions } from './domains/modules/manifest.js';
import { appKeyMismatch, resolveAppKey } from './platform/app-key.js';
import { type Config, issuerOf } from './platform/config.js';
import { DecryptionError, PasswordHasher } from './platform/crypto.js';
import { createDatabase, type Database } from './platform/db/client.js';
import { migrate } from './platform/db/migrate.js';
import { createLogger } from './platform/logger.js';
import { setPlatformOperators } from './platform/operators.js';
import { createLivePubSub } from './platform/pubsub.js';
import { createRedis, type RedisLike } from './platform/redis.js';

export interface App extends AppServices {
  redis: RedisLike | null;
  close(): Promise<void>;
}

export interface AppOptions {
  logger?: Logger;
  /** Use this database instead of opening one from config (tests share one per file). */
  db?: Database;
  memory?: boolean;
}

/** Composition root: config → database (migrated) → keys → services. Shared by api, worker, cli and tests. */
export async function createApp(config: Config, opts: AppOptions = {}): Promise<App> {
  const logger = opts.logger ?? createLogger(config.LOG_LEVEL);
  const db = opts.db ?? (await createDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, memory: opts.memory }));
  const applied = await migrate(db);
  if (applied.length) logger.info({ applied }, 'migrations applied');
  registerModuleReactions(moduleRegistry);
  setPlatformOperators(config.PLATFORM_OPERATORS);
  const tokens = new TokenService(db.prisma, resolveAppKey(config), config.ACCESS_TOKEN_TTL_SECONDS, issuerOf(config));
  try {
    await tokens.init();
  } catch (e) {
    // The signing keys are the first secrets read: a wrong APP_KEY shows here, before anything serves.
    if (!opts.db) await db.close().catch(() => {});
    throw e instanceof DecryptionError ? appKeyMismatch(config) : e;
  }
  const redis = config.REDIS_URL ? createRedis(config.REDIS_URL) : null;
  const pubsub = createLivePubSub({ redisUrl: config.REDIS_URL, logger });
  const live = createLiveNotifier({ db, pubsub, logger });
  return {
    config,
    db,
    logger,
    tokens,
    redis,
    modules: moduleRegistry,
    actions: actionRegistry,
    pubsub,
    live,
    rateLimiter: createRateLimiter(redis, logger, config.QUEUE_PREFIX),
    passwords: new PasswordHasher(config.PASSWORD_HASH_CONCURRENCY, config.PASSWORD_HASH_QUEUE),
    async close() {
      // What already committed is still published before the connections go.
      await live.idle();
      await pubsub.close();
      await redis?.quit().catch(() => {});
      if (!opts.db) await db.close();
    },
  };
}
