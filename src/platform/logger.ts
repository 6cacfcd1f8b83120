import pino, { type Logger } from 'pino';
import { currentRequestId } from './request-context.js';

/**
 * Paths pino blanks out wherever they appear in a log object. Tokens, passwords
 * and secrets never reach a log line, whatever a caller passes in.
 */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'refreshToken',
  '*.refreshToken',
  'accessToken',
  '*.accessToken',
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'variables.input.password',
  'variables.input.refreshToken',
  'variables.input.token',
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
