import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Config } from './config.js';

/**
 * The 32-byte key that encrypts secrets at rest (signing keys, later partner
 * secrets). Production must configure APP_KEY; elsewhere one is generated once
 * under DATA_DIR so a newcomer's `npm start` just works.
 */
export function resolveAppKey(config: Config): Buffer {
  if (config.APP_KEY) {
    const key = Buffer.from(config.APP_KEY, 'base64');
    if (key.length !== 32) throw new Error('APP_KEY must be 32 bytes, base64-encoded (openssl rand -base64 32).');
    return key;
  }
  if (config.NODE_ENV === 'production') throw new Error('APP_KEY is required in production.');
  const file = path.resolve(config.DATA_DIR, 'app.key');
  if (existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  mkdirSync(path.dirname(file), { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, key.toString('base64'), { mode: 0o600 });
  return key;
}
