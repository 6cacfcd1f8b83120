import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The newcomer's path: `npm start` with no DATABASE_URL / REDIS_URL runs the
 * api on embedded PGlite, migrates, seeds the demo once, prints a pasteable
 * Authorization header, answers GraphQL, and stops cleanly on SIGTERM.
 */
const dataDir = mkdtempSync(path.join(tmpdir(), 'tov-embedded-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

interface Started {
  proc: ChildProcess;
  port: number;
  output: () => string;
}

async function startApi(): Promise<Started> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', NODE_ENV: 'development' };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  delete env.APP_KEY;
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/bin/api.ts'], { env, cwd: path.resolve(import.meta.dirname, '../..') });
  let out = '';
  proc.stdout!.on('data', (d) => (out += String(d)));
  proc.stderr!.on('data', (d) => (out += String(d)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`api did not start:\n${out}`)), 60_000);
    const check = () => {
      const m = /"port":(\d+).*listening/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    proc.stdout!.on('data', check);
    proc.on('exit', (code) => reject(new Error(`api exited with ${code}:\n${out}`)));
  });
  return { proc, port, output: () => out };
}

async function stop(p: Started): Promise<number | null> {
  return new Promise((resolve) => {
    p.proc.once('exit', (code) => resolve(code));
    p.proc.kill('SIGTERM');
  });
}

describe('embedded default (npm start)', () => {
  it('boots on PGlite with the demo, serves GraphQL, and survives a restart', async () => {
    // given a fresh data directory
    const first = await startApi();
    const header = /"Authorization": "Bearer ([^"]+)"/.exec(first.output());
    expect(header, first.output()).not.toBeNull();
    expect(first.output()).toContain('demo occasion seeded');

    // when the printed header is used
    const base = `http://127.0.0.1:${first.port}`;
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ checks: { database: true } });
    const r = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${header![1]}` },
      body: JSON.stringify({
        query:
          '{ me { email } occasions(first: 5) { totalCount edges { node { name events(first: 10) { totalCount } actors(first: 1, filter: { kinds: [PERSON] }) { totalCount } } } } }',
      }),
    });
    const body = await r.json();
    expect(body.errors).toBeUndefined();
    expect(body.data.me.email).toBe('planner@demo.tovplus.test');
    const occ = body.data.occasions.edges[0].node;
    expect(occ.events.totalCount).toBe(4);
    expect(occ.actors.totalCount).toBeGreaterThanOrEqual(40);

    // and the printed guest link works without an account: the household sees its invitation
    const guestToken = /Bearer (tovg_[A-Za-z0-9_-]+)/.exec(first.output());
    expect(guestToken, first.output()).not.toBeNull();
    const asGuest = async (token: string) =>
      (
        await fetch(`${base}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: '{ guestInvitation { unitName events { name open questions { key } } } }' }),
        })
      ).json();
    const g = await asGuest(guestToken![1]!);
    expect(g.errors).toBeUndefined();
    expect(g.data.guestInvitation.events.map((e: { name: string }) => e.name)).toEqual([
      'Henna night',
      'Chuppah (ceremony)',
      'Reception dinner',
      'Farewell brunch',
    ]);
    expect(g.data.guestInvitation.events[2].questions.map((q: { key: string }) => q.key)).toEqual(['meal', 'dietary']);

    // then SIGTERM drains and exits 0
    expect(await stop(first)).toBe(0);

    // and a second boot keeps the data and does not seed again
    const second = await startApi();
    expect(second.output()).not.toContain('demo occasion seeded');
    expect(second.output()).toContain('Authorization');
    // each boot prints a fresh guest link; the previous one stops working
    const secondGuest = /Bearer (tovg_[A-Za-z0-9_-]+)/.exec(second.output());
    expect(secondGuest![1]).not.toBe(guestToken![1]);
    expect(await stop(second)).toBe(0);
  }, 120_000);
});
