import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSchema } from '../interfaces/graphql/schema.js';
import { printSchemaFile } from '../interfaces/graphql/print.js';
import { createApp } from '../app.js';
import { CliUsageError, runIntegrationCommand } from '../interfaces/integrations/integrations.cli.js';
import { loadConfig } from '../platform/config.js';
import { DomainError } from '../platform/errors.js';
import { createLogger } from '../platform/logger.js';
import pino from 'pino';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SCHEMA_FILE = path.join(ROOT, 'schema.graphql');

const [cmd, ...args] = process.argv.slice(2);
switch (cmd) {
  case 'schema:print': {
    writeFileSync(SCHEMA_FILE, printSchemaFile(buildSchema()));
    console.log(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}`);
    break;
  }
  case 'schema:check': {
    const printed = printSchemaFile(buildSchema());
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    if (printed !== committed) {
      console.error('schema.graphql differs from the schema printed from code. Run `npm run schema:print` and commit the result.');
      process.exit(1);
    }
    console.log('schema.graphql matches the code.');
    break;
  }
  case 'integration': {
    const config = loadConfig();
    // Logs to stderr, so stdout carries only the command's answer (a secret to copy, a list to pipe).
    const app = await createApp(config, { logger: createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, pino.destination(2)) });
    try {
      for (const line of await runIntegrationCommand(app, args)) console.log(line);
    } catch (e) {
      // Expected failures (usage, illegal transition, not found, conflict) are a message and exit code 1, not a stack trace.
      const code = (e as { extensions?: { code?: string } }).extensions?.code;
      if (e instanceof CliUsageError || e instanceof DomainError || code) {
        console.error(e instanceof DomainError ? `${e.code}: ${e.message}` : code ? `${code}: ${(e as Error).message}` : (e as Error).message);
        process.exitCode = 1;
      } else throw e;
    } finally {
      await app.close();
    }
    break;
  }
  default:
    console.error('usage: cli <schema:print|schema:check|integration ...>');
    process.exit(2);
}
