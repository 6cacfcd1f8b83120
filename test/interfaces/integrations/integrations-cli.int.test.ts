import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../../src/app/create-app.js';
import { cliFailureMessage, runIntegrationCommand } from '../../../src/interfaces/integrations/integrations.cli.js';
import { loadConfig } from '../../../src/platform/config.js';
import { sha256 } from '../../../src/platform/crypto.js';
import { binArgs } from '../../support/bin.js';
import { TEST_APP_KEY, usePglite } from '../../support/env.js';
import { createScratchDb, dropScratchDb } from '../../support/scratch-db.js';

/*
 * The operators' CLI as they run it: a real `src/bin/cli.ts` process (its build) against
 * a PostgreSQL database of its own (migrated by the CLI itself on first use),
 * for the first command, signing keys and a usage error. The many steps in
 * between run the same command code in this process (runIntegrationCommand,
 * and the bin's own failure line): a process costs seconds of start-up each.
 * PostgreSQL only: an embedded PGlite database cannot be shared between
 * processes.
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const run = promisify(execFile);
const DB = `tov_cli_${process.pid}_${Date.now()}`;
let url = '';

async function cli(...args: string[]) {
  return command('integration', ...args);
}

let app: App | null = null;

/** `integration <args>` as the bin runs it, in this process: its printed lines, or its one failure line and code 1. */
async function inProcess(...args: string[]) {
  app ??= await createApp(loadConfig({ NODE_ENV: 'test', DATABASE_URL: url, APP_KEY: TEST_APP_KEY, SEED_DEMO: 'false', LOG_LEVEL: 'silent' }));
  try {
    return { code: 0, stdout: (await runIntegrationCommand(app, args)).join('\n'), stderr: '' };
  } catch (e) {
    const message = cliFailureMessage(e);
    if (message === null) throw e;
    return { code: 1, stdout: '', stderr: message };
  }
}

async function command(...args: string[]) {
  try {
    const r = await run(process.execPath, binArgs('cli', ...args), {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        NODE_ENV: 'test',
        DATABASE_URL: url,
        APP_KEY: TEST_APP_KEY,
        SEED_DEMO: 'false',
      },
      timeout: 60_000,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

async function query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

describe.skipIf(usePglite())('integration CLI', () => {
  beforeAll(async () => {
    url = await createScratchDb(DB);
  }, 60_000);
  afterAll(async () => {
    await app?.close();
    await dropScratchDb(DB);
  });

  it('create, rotate (secret printed once, stored hashed), revoke a credential, list, revoke the integration', async () => {
    const created = await cli('create', '--name', 'Acme Print', '--role', 'partner', '--env', 'production', '--flags', 'inbound,outbound');
    expect(created.code, created.stderr).toBe(0);
    const id = /created integration ([0-9a-f-]{36})/.exec(created.stdout)![1]!;
    const [app] = await query<{ flags: string; business_role: string; status: string }>(
      'select flags::text, business_role::text, status::text from integration_apps where id = $1',
      [id],
    );
    expect(app).toMatchObject({ flags: '{INBOUND,OUTBOUND}', business_role: 'PARTNER', status: 'DEFINED' });

    const first = await inProcess('rotate', id);
    const second = await inProcess('rotate', id);
    expect(first.code, first.stderr).toBe(0);
    const keyId = /keyId:\s+(tovk_\S+)/.exec(first.stdout)![1]!;
    const secret = /secret:\s+(tovsk_\S+)/.exec(first.stdout)![1]!;
    const [row] = await query<{ secret_hash: string }>('select secret_hash from integration_credentials where key_id = $1', [keyId]);
    expect(row!.secret_hash).toBe(sha256(secret));
    expect(second.stdout).not.toContain(secret);

    // enable walks a new integration through CONFIGURED to ENABLED; disable and enable again work
    const enabled = await inProcess('enable', id);
    expect(enabled.stdout, enabled.stderr).toContain('is ENABLED');
    expect((await inProcess('disable', id)).stdout).toContain('is DISABLED');
    expect((await inProcess('enable', id)).stdout).toContain('is ENABLED');

    // operator views: the new, never-used credentials are not flagged yet; health has no calls; an operation needing grants it lacks is refused
    expect((await inProcess('health')).stdout).toContain(`${id}  INACTIVE`);
    expect((await inProcess('review', '--unused-days', '0')).stdout).toContain('CREDENTIAL_UNUSED');
    const ops = await inProcess('operations', id, 'CateringSummary');
    expect(ops.code).toBe(1);
    expect(ops.stderr).toContain('rsvp:read_catering');

    const revoked = await inProcess('revoke', keyId);
    expect(revoked.stdout).toContain(`revoked credential ${keyId}`);
    const list = await inProcess('list');
    expect(list.stdout).toContain(id);
    expect(list.stdout).not.toContain(keyId);
    expect(list.stdout).toContain(/keyId:\s+(tovk_\S+)/.exec(second.stdout)![1]!);
    expect(list.stdout + list.stderr).not.toContain(secret);

    const gone = await inProcess('revoke', id);
    expect(gone.code, gone.stderr).toBe(0);
    const again = await inProcess('revoke', id);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('ILLEGAL_TRANSITION');
    const noMore = await inProcess('rotate', id);
    expect(noMore.code).toBe(1);
    expect(noMore.stderr).toContain('CONFLICT');

    const audit = await query<{ action: string; principal_type: string }>(
      `select action, principal_type from audit_log where target_id = $1 or target_type = 'IntegrationCredential' order by id`,
      [id],
    );
    expect(audit.map((a) => a.action)).toEqual([
      'integration:create',
      'integration:credential_issue',
      'integration:credential_issue',
      'integration:transition', // enable: DEFINED → CONFIGURED
      'integration:transition', // → ENABLED
      'integration:transition', // disable
      'integration:transition', // enable again
      'integration:credential_revoke',
      'integration:transition', // revoke
    ]);
    expect(new Set(audit.map((a) => a.principal_type))).toEqual(new Set(['system']));
  }, 180_000);

  it('keys rotate adds a signing key; the older one stays published for the tokens it signed', async () => {
    const before = (await command('keys', 'list')).stdout.trim().split('\n').filter(Boolean);
    const r = await command('keys', 'rotate');
    expect(r.code, r.stderr).toBe(0);
    const kid = /new signing key (\S+)/.exec(r.stdout)![1]!;
    const after = (await command('keys', 'list')).stdout.trim().split('\n');
    expect(after).toHaveLength(before.length + 1);
    expect(after.at(-1)).toContain(kid);
  }, 120_000);

  it('bad usage is a message and exit code 1', async () => {
    const r = await cli('create', '--name', 'X', '--role', 'overlord', '--env', 'production');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--role must be one of');
  }, 60_000);
});
