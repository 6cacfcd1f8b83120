import type { Logger } from 'pino';
import type { AppServices } from '../../kit/context.js';
import { resolveAppKey } from '../../platform/app-key.js';
import type { Config } from '../../platform/config.js';
import type { Database } from '../../platform/db/client.js';
import type { ObjectStorage } from '../../platform/storage/storage.js';

/** What the assets services need from the app: storage, the database for housekeeping, limits, URL signing. */
export interface AssetsEnv {
  storage: ObjectStorage;
  db: Database;
  logger: Logger;
  limits: AssetLimits;
  /** Signs the API's own upload and download URLs (local store). */
  appKey: Buffer;
  /** Where those URLs point. */
  publicUrl: string;
}

export interface AssetLimits {
  maxBytes: number;
  inlineMaxBytes: number;
  quotaBytes: number;
  urlTtlSeconds: number;
  uploadTtlSeconds: number;
}

export const assetLimits = (c: Config): AssetLimits => ({
  maxBytes: c.ASSET_MAX_BYTES,
  inlineMaxBytes: c.ASSET_INLINE_MAX_BYTES,
  quotaBytes: c.ASSET_QUOTA_BYTES,
  urlTtlSeconds: c.ASSET_URL_TTL_SECONDS,
  uploadTtlSeconds: c.ASSET_UPLOAD_TTL_SECONDS,
});

const built = new WeakMap<AppServices, AssetsEnv>();

export function assetsEnv(app: AppServices): AssetsEnv {
  let env = built.get(app);
  if (!env) {
    env = {
      // Read from the app each time: a test may wrap the store after the app was built.
      get storage() {
        return app.storage;
      },
      db: app.db,
      logger: app.logger,
      limits: assetLimits(app.config),
      appKey: resolveAppKey(app.config),
      publicUrl: app.config.publicUrl.replace(/\/+$/, ''),
    };
    built.set(app, env);
  }
  return env;
}
