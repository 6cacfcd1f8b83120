import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { print } from 'graphql';
import { type BinName, binArgs } from './bin.js';
import type { TestServer } from './harness.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ApiProcess {
  url: string;
  child: ChildProcess;
  /** Log lines the process wrote (stdout and stderr). */
  logs: string[];
  stop(): Promise<void>;
}

export interface NodeProcess {
  child: ChildProcess;
  /** Log lines the process wrote (stdout and stderr). */
  logs: string[];
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL: no shutdown at all, as when a machine dies. */
  kill(): Promise<void>;
}

export interface ApiProcess extends NodeProcess {
  url: string;
}

/**
 * A real bin process (its build, as `npm start` runs it), as an operator runs it; resolves once a
 * JSON log line satisfies `ready` (its return value is handed back).
 */
async function startProcess<T>(
  script: BinName,
  env: Record<string, string>,
  ready: (entry: Record<string, unknown>) => T | undefined,
  timeoutMs: number,
) {
  const child = spawn(process.execPath, binArgs(script), {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', HOST: '127.0.0.1', SEED_DEMO: 'false', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  createInterface({ input: child.stderr }).on('line', (l) => logs.push(l));
  const value = await new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start:\n${logs.join('\n')}`)), timeoutMs);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}:\n${logs.join('\n')}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      logs.push(line);
      try {
        const v = ready(JSON.parse(line) as Record<string, unknown>);
        if (v !== undefined) {
          clearTimeout(timer);
          resolve(v);
        }
      } catch {
        // not a log line (the demo banner): ignore
      }
    });
  });
  const exited = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
    });
  const proc: NodeProcess = {
    child,
    logs,
    stop: () => {
      const done = exited();
      child.kill('SIGTERM');
      return done;
    },
    kill: () => {
      const done = exited();
      child.kill('SIGKILL');
      return done;
    },
  };
  return { proc, value };
}

/** A real api process (src/bin/api.ts, built) on an ephemeral port; resolves once it logs that it is listening. */
export async function startApiProcess(env: Record<string, string>, timeoutMs = 45_000): Promise<ApiProcess> {
  const { proc, value: port } = await startProcess(
    'api',
    env,
    (e) => (typeof e.port === 'number' && String(e.msg).includes('listening') ? e.port : undefined),
    timeoutMs,
  );
  return { ...proc, url: `http://127.0.0.1:${port}` };
}

/** A real worker process (src/bin/worker.ts, built); resolves once it logs that it runs. */
export async function startWorkerProcess(env: Record<string, string>, timeoutMs = 45_000): Promise<NodeProcess> {
  const { proc } = await startProcess('worker', env, (e) => (String(e.msg).includes('worker running') ? true : undefined), timeoutMs);
  return proc;
}

/** Enough of a TestServer for the factories (they only call gql) against a server in another process. */
export function remoteServer(url: string, opts: { databaseUrl?: string } = {}): TestServer {
  return {
    url,
    databaseUrl: opts.databaseUrl,
    fetch: (path: string, init?: RequestInit) => fetch(url + path, init),
    async gql(query, variables, opts = {}) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          ...opts.headers,
        },
        body: JSON.stringify({ query: typeof query === 'string' ? query : print(query), variables }),
      });
      return { status: res.status, headers: res.headers, body: await res.json() };
    },
  } as TestServer;
}
