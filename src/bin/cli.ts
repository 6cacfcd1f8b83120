import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../platform/config.js';
import { createLogger } from '../platform/logger.js';
import { exitOnStartupError } from '../platform/startup-error.js';
import pino from 'pino';

/** The repository: the nearest folder with a package.json, from src/bin (tsx) as from dist/src/bin (the build). */
function repositoryRoot(dir = path.dirname(fileURLToPath(import.meta.url))): string {
  return existsSync(path.join(dir, 'package.json')) || path.dirname(dir) === dir ? dir : repositoryRoot(path.dirname(dir));
}
const ROOT = repositoryRoot();
const SCHEMA_FILE = path.join(ROOT, 'schema.graphql');

// Each command imports what it needs when it runs: the schema's commands open no database, the others build no schema.
async function printedSchema() {
  const [{ buildSchema }, { printSchemaFile }] = await Promise.all([
    import('../interfaces/graphql/schema.js'),
    import('../interfaces/graphql/print.js'),
  ]);
  return printSchemaFile(buildSchema());
}

/**
 * The app for a command that needs the database. Logs go to stderr, so stdout carries only the command's answer
 * (a secret to copy, a list to pipe); a start-up failure (the embedded database in use by a running api, a wrong
 * APP_KEY) is its one line and exit code 1.
 */
async function openApp() {
  try {
    const config = loadConfig();
    const { createApp } = await import('../app/create-app.js');
    return await createApp(config, { logger: createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL, pino.destination(2)) });
  } catch (e) {
    exitOnStartupError(e);
  }
}

const [cmd, ...args] = process.argv.slice(2);
switch (cmd) {
  case 'schema:print': {
    writeFileSync(SCHEMA_FILE, await printedSchema());
    console.log(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}`);
    break;
  }
  case 'schema:check': {
    const printed = await printedSchema();
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    if (printed !== committed) {
      console.error('schema.graphql differs from the schema printed from code. Run `npm run schema:print` and commit the result.');
      process.exit(1);
    }
    console.log('schema.graphql matches the code.');
    break;
  }
  case 'integration':
  case 'webhooks':
  case 'messages': {
    const [app, { cliFailureMessage, runIntegrationCommand }, { runWebhooksCommand }, { runMessagesCommand }] = await Promise.all([
      openApp(),
      import('../interfaces/integrations/integrations.cli.js'),
      import('../interfaces/webhooks/webhooks.cli.js'),
      import('../interfaces/communications/messages.cli.js'),
    ]);
    try {
      const run = cmd === 'webhooks' ? runWebhooksCommand : cmd === 'messages' ? runMessagesCommand : runIntegrationCommand;
      for (const line of await run(app, args)) console.log(line);
    } catch (e) {
      // Expected failures (usage, illegal transition, not found, conflict) are a message and exit code 1, not a stack trace.
      const message = cliFailureMessage(e);
      if (message === null) throw e;
      console.error(message);
      process.exitCode = 1;
    } finally {
      await app.close();
    }
    break;
  }
  case 'keys': {
    // Signing keys (user and integration JWTs, published at /.well-known/jwks.json). A new key signs from now on;
    // older ones keep verifying the tokens they signed (at most a few minutes' worth) and stay in the JWKS.
    const app = await openApp();
    try {
      if (args[0] === 'rotate') console.log(`new signing key ${await app.tokens.rotate()}`);
      else if (args[0] === 'list') {
        for (const k of await app.db.prisma.signingKey.findMany({ orderBy: { createdAt: 'asc' } }))
          console.log(`${k.kid}  ${k.alg}  created ${k.createdAt.toISOString()}${k.retiredAt ? `  retired ${k.retiredAt.toISOString()}` : ''}`);
      } else {
        console.error('usage: cli keys <rotate|list>');
        process.exitCode = 1;
      }
    } finally {
      await app.close();
    }
    break;
  }
  default:
    console.error('usage: cli <schema:print|schema:check|integration ...|webhooks ...|messages ...|keys rotate|keys list>');
    process.exit(2);
}
