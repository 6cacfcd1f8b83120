import pino, { type Logger } from 'pino';
import { currentRequestId } from './request-context.js';

const SECRET_KEYS = [
  'password',
  'token',
  'refreshToken',
  'accessToken',
  'access_token',
  'secret',
  'clientSecret',
  'client_secret',
  'apiKey',
  'api_key',
  'authorization',
  'cookie',
  // Stored forms: a hash or ciphertext in a log line is still material an attacker wants.
  'secretHash',
  'tokenHash',
  'valueEnc',
  'privateKey',
  'privateKeyEnc',
];

/**
 * Paths pino blanks out wherever they appear in a log object (top level and
 * two levels down, e.g. `err.secret`, `input.credential.secret`). Tokens,
 * passwords and secrets never reach a log line, whatever a caller passes in;
 * GraphQL variables are covered where they carry secrets (setIntegrationSecret's
 * `value`).
 */
export const REDACT_PATHS = [
  ...SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]),
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'variables.input.password',
  'variables.input.refreshToken',
  'variables.input.token',
  'variables.input.value',
  'variables.password',
  'variables.token',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: { service: 'tovplus-api' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Every line logged while serving a request carries its id, whoever logs it.
      mixin: () => {
        const requestId = currentRequestId();
        return requestId ? { requestId } : {};
      },
    },
    destination,
  );
}

export type { Logger };
