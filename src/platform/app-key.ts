import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Config } from './config.js';
import { StartupError } from './startup-error.js';

/**
 * The 32-byte key that encrypts secrets at rest (signing keys, later partner
 * secrets). Production must configure APP_KEY; elsewhere one is generated once
 * under DATA_DIR so a newcomer's `npm start` just works.
 */
export function resolveAppKey(config: Config): Buffer {
  // Asked for per request (guest links keep their token with it, messages encrypt their links): read once per config.
  const known = resolved.get(config);
  if (known) return known;
  const key = readOrCreate(config);
  resolved.set(config, key);
  return key;
}

const resolved = new WeakMap<Config, Buffer>();

function readOrCreate(config: Config): Buffer {
  if (config.APP_KEY) {
    const key = Buffer.from(config.APP_KEY, 'base64');
    if (key.length !== 32) throw new StartupError('APP_KEY must be 32 bytes, base64-encoded (openssl rand -base64 32).');
    return key;
  }
  if (config.NODE_ENV === 'production') throw new StartupError('APP_KEY is required in production (32 bytes, base64: openssl rand -base64 32).');
  const file = appKeyFile(config);
  if (existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  mkdirSync(path.dirname(file), { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, key.toString('base64'), { mode: 0o600 });
  return key;
}

const appKeyFile = (config: Config) => path.resolve(config.DATA_DIR, 'app.key');

/**
 * The secrets in the database (JWT signing keys) do not decrypt with the key
 * in use: one line saying which key that was and where the right one is
 * usually found, instead of Node's "unable to authenticate data" and a stack.
 */
export function appKeyMismatch(config: Config): StartupError {
  const file = appKeyFile(config);
  const where = config.DATABASE_URL ? 'the database at DATABASE_URL' : `the embedded database in ${path.resolve(config.DATA_DIR)}`;
  const used = config.APP_KEY ? 'APP_KEY' : `The generated key in ${file} (used because APP_KEY is unset)`;
  const fix = config.APP_KEY
    ? `set APP_KEY to the key the data was encrypted with${config.DATABASE_URL ? '' : ` (without APP_KEY, the embedded default uses ${file})`}, or unset it to use that file`
    : 'set APP_KEY to the key the data was encrypted with, or restore that file';
  return new StartupError(`${used} does not decrypt the secrets in ${where}: ${fix}. A new key cannot read existing secrets.`);
}
