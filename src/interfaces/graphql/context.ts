import type { Logger } from 'pino';
import type { Authorizer } from '../../domains/permissions/authorizer.js';
import type { ActionRegistry } from '../../domains/permissions/actions.js';
import type { ModuleRegistry } from '../../domains/modules/manifest.js';
import type { Config } from '../../platform/config.js';
import type { Database, Prisma } from '../../platform/db/client.js';
import type { Caller, Principal } from '../../platform/principal.js';
import type { TokenService } from '../../domains/identity/tokens.js';
import type { TargetLoaders } from './targets.js';

/** Process-wide services, built once at start-up (src/app.ts). */
export interface AppServices {
  config: Config;
  db: Database;
  logger: Logger;
  tokens: TokenService;
  modules: ModuleRegistry;
  actions: ActionRegistry;
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
  log: Logger;
  /** Users this request just signed in (sign-up, sign-in, refresh): they may read their own session's user. */
  sessionUserIds: Set<string>;
}
