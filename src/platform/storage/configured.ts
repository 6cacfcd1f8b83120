import { join } from 'node:path';
import type { Config } from '../config.js';
import { createLocalStorage } from './local.js';
import { createS3Storage } from './s3.js';
import type { ObjectStorage } from './storage.js';

/** S3-compatible storage when S3_BUCKET is set, else files under DATA_DIR/assets (the embedded default). */
export function createConfiguredStorage(config: Config): ObjectStorage {
  if (!config.S3_BUCKET) return createLocalStorage(join(config.DATA_DIR, 'assets'));
  return createS3Storage({
    bucket: config.S3_BUCKET,
    endpoint: config.S3_ENDPOINT,
    region: config.S3_REGION,
    // loadConfig refuses S3_BUCKET without both keys.
    accessKeyId: config.S3_ACCESS_KEY_ID!,
    secretAccessKey: config.S3_SECRET_ACCESS_KEY!,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
  });
}
