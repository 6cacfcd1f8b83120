import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { print } from 'graphql';
import type { TestServer } from './harness.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ApiProcess {
  url: string;
  child: ChildProcess;
  /** Log lines the process wrote (stdout and stderr). */
  logs: string[];
  stop(): Promise<void>;
}

/**
 * A real `src/bin/api.ts` process on an ephemeral port, as an operator runs
 * it; resolves once it logs that it is listening.
 */
export async function startApiProcess(env: Record<string, string>, timeoutMs = 45_000): Promise<ApiProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/bin/api.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', HOST: '127.0.0.1', SEED_DEMO: 'false', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (l) => logs.push(l));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`api process did not start:\n${logs.join('\n')}`)), timeoutMs);
    child.once('exit', (code) => reject(new Error(`api process exited with ${code}:\n${logs.join('\n')}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      logs.push(line);
      try {
        const entry = JSON.parse(line) as { port?: number; msg?: string };
        if (entry.port && entry.msg?.includes('listening')) {
          clearTimeout(timer);
          resolve(entry.port);
        }
      } catch {
        // not a log line (the demo banner): ignore
      }
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    logs,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Enough of a TestServer for the factories (they only call gql) against a server in another process. */
export function remoteServer(url: string): TestServer {
  return {
    url,
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
