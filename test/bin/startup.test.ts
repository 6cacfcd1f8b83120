import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app/create-app.js';
import { loadConfig } from '../../src/platform/config.js';
import { createLogger } from '../../src/platform/logger.js';
import { type BinName, binArgs } from '../support/bin.js';
import { createScratchDb, dropScratchDb } from '../support/scratch-db.js';
import { needs } from '../support/services.js';

/**
 * Start-up as an operator meets it, with real processes (the build, as `npm start` runs it): production never
 * gets the demo, the embedded database refuses a second process, and a wrong
 * APP_KEY is one line that says what to do (api, worker and CLI).
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'tov-startup-'));
  dirs.push(d);
  return d;
};
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const KEY_A = randomBytes(32).toString('base64');
const KEY_B = randomBytes(32).toString('base64');

function spawnScript(script: BinName, args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, binArgs(script, ...args), {
    cwd: ROOT,
    // Only what is given: nothing from the test runner's environment (DATABASE_URL, APP_KEY) leaks in.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', (d) => (stderr += String(d)));
  return { child, out: () => ({ stdout, stderr, all: stdout + stderr }) };
}

/** Runs a bin script to its exit. */
function run(script: BinName, args: string[], env: Record<string, string>) {
  const p = spawnScript(script, args, env);
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} ${args.join(' ')} did not exit:\n${p.out().all}`)), 90_000);
    p.child.once('exit', (code) => {
      clearTimeout(timer);
      // 'exit' can come before the pipes drain.
      setTimeout(() => resolve({ code, ...p.out() }), 50);
    });
  });
}

interface Api {
  child: ChildProcess;
  url: string;
  out: () => { stdout: string; stderr: string; all: string };
  stop(): Promise<number | null>;
}
/** The api until it listens. */
async function startApi(env: Record<string, string>): Promise<Api> {
  const p = spawnScript('api', [], env);
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`api did not start:\n${p.out().all}`)), 90_000);
    const check = () => {
      const m = /"port":(\d+).*listening/.exec(p.out().stdout);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    p.child.stdout.on('data', check);
    p.child.once('exit', (code) => reject(new Error(`api exited with ${code}:\n${p.out().all}`)));
  });
  return {
    child: p.child,
    url: `http://127.0.0.1:${port}`,
    out: p.out,
    stop: () =>
      new Promise((resolve) => {
        p.child.once('exit', (code) => resolve(code));
        p.child.kill('SIGTERM');
      }),
  };
}

/** A refusal an operator can act on: one line, no stack trace. */
function expectOneLine(stderr: string) {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/^\s+at /m);
}

describe('NODE_ENV=production on the embedded default', () => {
  it('seeds no demo, prints no credentials, and says so', async () => {
    const api = await startApi({ NODE_ENV: 'production', APP_KEY: KEY_A, DATA_DIR: tmp() });
    try {
      const { all } = api.out();
      expect(all).not.toContain('Bearer');
      expect(all).not.toContain('demo-planner-2027');
      expect(all).not.toContain('tovg_');
      expect(all).toContain('demo not seeded, no credentials printed (NODE_ENV=production)');
      // The published demo login does not exist.
      const r = await fetch(`${api.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          query: 'mutation { signIn(input: { email: "planner@demo.tovplus.test", password: "demo-planner-2027" }) { __typename } }',
        }),
      });
      expect((await r.json()).data.signIn.__typename).toBe('InvalidCredentialsError');
    } finally {
      expect(await api.stop()).toBe(0);
    }
  }, 120_000);

  it('refuses SEED_DEMO=true in production with one line, exit code 1, nothing created', async () => {
    const dir = tmp();
    const r = await run('api', [], { NODE_ENV: 'production', APP_KEY: KEY_A, DATA_DIR: dir, SEED_DEMO: 'true' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('SEED_DEMO=true is refused with NODE_ENV=production');
    expectOneLine(r.stderr);
    expect(existsSync(path.join(dir, 'pglite'))).toBe(false);
  }, 120_000);
});

describe('the embedded database belongs to one process', () => {
  it('refuses the CLI and a second api while an api runs, and takes over the lock of a killed one', async () => {
    // given a running api on a data directory
    const dir = tmp();
    const env = { NODE_ENV: 'development', DATA_DIR: dir, SEED_DEMO: 'false' };
    const api = await startApi(env);

    // when the CLI and a second api open the same directory
    const cli = await run('cli', ['integration', 'create', '--name', 'Beside the api', '--role', 'partner', '--env', 'development'], env);
    const second = await run('api', [], env);

    // then both are refused, naming the directory and the running api's pid
    for (const r of [cli, second]) {
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(`The embedded database in ${path.join(dir, 'pglite')} is in use by api (pid ${api.child.pid}`);
      expectOneLine(r.stderr);
    }
    // and the api is unharmed
    expect((await fetch(`${api.url}/readyz`)).status).toBe(200);

    // when the api is SIGKILLed, its lock is stale: the CLI runs, and wrote nothing before
    api.child.kill('SIGKILL');
    await new Promise((r) => api.child.once('exit', r));
    const list = await run('cli', ['integration', 'list'], env);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).not.toContain('Beside the api');
    // and after it exits, the directory is free again
    const created = await run('cli', ['integration', 'create', '--name', 'After the api', '--role', 'partner', '--env', 'development'], env);
    expect(created.code, created.stderr).toBe(0);
    expect(existsSync(path.join(dir, 'pglite.lock'))).toBe(false);
  }, 300_000);
});

describe('a wrong APP_KEY', () => {
  it('stops the api and the CLI with one line naming APP_KEY and the key file (embedded)', async () => {
    // given an embedded database whose secrets were encrypted with the generated key
    const dir = tmp();
    const first = await startApi({ NODE_ENV: 'development', DATA_DIR: dir, SEED_DEMO: 'false' });
    expect(await first.stop()).toBe(0);

    for (const [script, args] of [
      ['api', []],
      ['cli', ['integration', 'list']],
    ] as const) {
      const r = await run(script, [...args], { NODE_ENV: 'development', DATA_DIR: dir, APP_KEY: KEY_B });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain('APP_KEY does not decrypt the secrets in the embedded database');
      expect(r.stderr).toContain(path.join(dir, 'app.key'));
      expect(r.stderr).not.toContain('Unsupported state');
      expectOneLine(r.stderr);
    }
    // and with the right key (the generated one, APP_KEY unset) it starts again: nothing was damaged
    const again = await startApi({ NODE_ENV: 'development', DATA_DIR: dir, SEED_DEMO: 'false' });
    expect(await again.stop()).toBe(0);
  }, 300_000);

  it('stops the worker the same way (PostgreSQL)', async (ctx) => {
    needs(ctx, 'postgres');
    const name = `tovplus_startup_${process.pid}_${randomBytes(3).toString('hex')}`;
    const url = await createScratchDb(name);
    try {
      // given a database whose signing key was encrypted with key A
      const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: url, APP_KEY: KEY_A, LOG_LEVEL: 'silent' });
      const app = await createApp(config, { logger: createLogger('silent') });
      await app.close();

      const r = await run('worker', [], { NODE_ENV: 'production', DATABASE_URL: url, APP_KEY: KEY_B });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(
        'APP_KEY does not decrypt the secrets in the database at DATABASE_URL: set APP_KEY to the key the data was encrypted with',
      );
      expectOneLine(r.stderr);
    } finally {
      await dropScratchDb(name);
    }
  }, 120_000);
});
