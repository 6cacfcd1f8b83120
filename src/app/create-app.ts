import type { Logger } from 'pino';
import { TokenService } from '../domains/identity/tokens.js';
import type { AppServices } from '../kit/context.js';
import type { TargetDefinitions } from '../kit/targets.js';
import { publishAccessChanges } from '../capabilities/live/access-changes.js';
import { createLiveNotifier } from '../capabilities/live/notifier.js';
import { DOMAIN_TARGETS } from '../domains/targets.js';
import { INTEGRATION_TARGETS } from '../interfaces/integrations/integrations.targets.js';
import { WEBHOOK_TARGETS } from '../interfaces/webhooks/webhooks.targets.js';
import { createRateLimiter } from '../platform/rate-limit.js';
import { actionRegistry, moduleRegistry } from '../modules/registry.js';
import { registerModuleReactions } from '../domains/module-platform/manifest.js';
import { appKeyMismatch, resolveAppKey } from '../platform/app-key.js';
import { type Config, issuerOf } from '../platform/config.js';
import { DecryptionError, PasswordHasher } from '../platform/crypto.js';
import { createDatabase, type Database } from '../platform/db/client.js';
import { migrate, migrationSetKey, readMigrations } from '../platform/db/migrate.js';
import { createLogger } from '../platform/logger.js';
import { setPlatformOperators } from '../platform/operators.js';
import { createLivePubSub } from '../platform/pubsub.js';
import { createRedis } from '../platform/redis.js';
import { createConfiguredStorage } from '../platform/storage/configured.js';
import { collectAssetSubjects } from '../domains/assets/asset-subjects.js';
import { PUBLISHING_ASSET_SUBJECTS } from '../capabilities/publishing/artifact-files.js';
import { PUBLISHING_TARGETS } from '../capabilities/publishing/publishing.targets.js';
import { COLLABORATION_TARGETS } from '../capabilities/collaboration/collaboration.targets.js';
import { taskDeadlineScan } from '../capabilities/collaboration/deadlines/deadline-scan.js';
import { CORE_ASSET_SUBJECTS } from '../domains/assets/core-subjects.js';

export interface App extends AppServices {
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
  const migrations = readMigrations();
  const db =
    opts.db ??
    (await createDatabase({
      databaseUrl: config.DATABASE_URL,
      dataDir: config.DATA_DIR,
      memory: opts.memory,
      migrationSet: migrationSetKey(migrations),
    }));
  const applied = await migrate(db, migrations);
  if (applied.length) logger.info({ applied }, 'migrations applied');
  // A new embedded directory that ran the migrations: the next one starts from the result (before the demo writes).
  await db.saveMigratedTemplate?.();
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
  const storage = createConfiguredStorage(config);
  const pubsub = createLivePubSub({ redisUrl: config.REDIS_URL, logger });
  // Access changes first: a subscriber drops its cached grants before it re-decides for the next message.
  const live = createLiveNotifier({ db, pubsub, logger }, [publishAccessChanges, ...moduleRegistry.list().flatMap((m) => m.live ?? [])]);
  return {
    config,
    db,
    logger,
    tokens,
    redis,
    moduleRegistry,
    actions: actionRegistry,
    targets: collectTargets([
      DOMAIN_TARGETS,
      PUBLISHING_TARGETS,
      COLLABORATION_TARGETS,
      INTEGRATION_TARGETS,
      WEBHOOK_TARGETS,
      ...moduleRegistry.list().map((m) => m.targets ?? {}),
    ]),
    pubsub,
    live,
    rateLimiter: createRateLimiter(redis, logger, config.QUEUE_PREFIX),
    passwords: new PasswordHasher(config.PASSWORD_HASH_CONCURRENCY, config.PASSWORD_HASH_QUEUE, config.PASSWORD_HASH_COST),
    storage,
    // Each owner of a subject type adds its definitions here (the assets domain: Occasion, Event; publishing: ArtifactVersion).
    assetSubjects: collectAssetSubjects([CORE_ASSET_SUBJECTS, PUBLISHING_ASSET_SUBJECTS]),
    // Sent on the message sender's sweep, beside the RSVP reminders: tasks' reminders and overdue notices.
    scheduledScans: [taskDeadlineScan],
    async close() {
      // What already committed is still published before the connections go.
      await live.idle();
      await pubsub.close();
      await redis?.quit().catch(() => {});
      await storage.close();
      if (!opts.db) await db.close();
    },
  };
}

/** Every contributor's target definitions in one map; a name taken twice is a wiring mistake, caught at start-up. */
function collectTargets(contributions: TargetDefinitions[]): TargetDefinitions {
  const all: TargetDefinitions = {};
  for (const c of contributions) {
    for (const [name, d] of Object.entries(c)) {
      if (all[name]) throw new Error(`Permission target ${name} is defined twice`);
      all[name] = d;
    }
  }
  return all;
}
