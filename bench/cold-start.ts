/**
 * `npm run bench:cold-start`: how long the api takes from being started to
 * answering `GET /readyz` with 200, on the embedded default (PGlite under
 * DATA_DIR, demo seeded as `npm start` does outside production).
 *
 * - first: a new, empty DATA_DIR and no templates (src/platform/db/pglite-template.ts): a machine's first
 *          start (initdb, its template written, migrations, the migrated template written, demo seed, new keys);
 * - fresh: a new, empty DATA_DIR each run, started from the migrated template a first start left;
 * - warm:  one DATA_DIR the first (uncounted) run created, started again and again.
 *
 * Each run spawns the command in its own process group with DATA_DIR and a free
 * PORT, polls /readyz every 20 ms, prints the elapsed ms, then SIGTERMs the
 * group and waits for it to exit (the data directory is one process's). Beside
 * the wall-clock time it prints the CPU time the group had used by then (user +
 * system, Linux /proc; children that already exited, such as a build, included):
 * on a machine others are loading, the wall clock grows with their load, the CPU
 * time much less.
 *
 *   npm run bench:cold-start                         # `node dist/src/bin/api.js` (built first if stale), 5 fresh + 5 warm
 *   npm run bench:cold-start -- npm start            # any command: what a user types
 *   npm run bench:cold-start -- npx tsx src/bin/api.ts
 *
 * Env: COLD_START_RUNS (5), COLD_START_MODES (`fresh,warm`; `first` deletes the templates before each run). The command runs
 * from the repository root with the caller's environment minus DATABASE_URL,
 * REDIS_URL and APP_KEY.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { discardPgliteTemplates } from '../src/platform/db/pglite-template.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RUNS = Math.max(1, Number(process.env.COLD_START_RUNS ?? 5));
const MODES = (process.env.COLD_START_MODES ?? 'fresh,warm').split(',').map((m) => m.trim()) as ('first' | 'fresh' | 'warm')[];
const COMMAND = process.argv.slice(2).length ? process.argv.slice(2) : [process.execPath, 'dist/src/bin/api.js'];
const TIMEOUT_MS = 120_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const force = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    try {
      // The whole group: `npm start` is npm → sh → node.
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      resolve();
    }
  });
}

const TICK_MS = 10; // USER_HZ = 100 on Linux

/** CPU ms used so far by the processes of a group (and their exited, waited-for children); null off Linux. */
function groupCpuMs(pgid: number): number | null {
  let ticks = 0;
  try {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let stat: string;
      try {
        stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      } catch {
        continue; // gone meanwhile
      }
      // pid (comm) state ppid pgrp … utime(14) stime(15) cutime(16) cstime(17): fields after the ')' of comm.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(f[2]) !== pgid) continue;
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    }
  } catch {
    return null;
  }
  return ticks * TICK_MS;
}

/** One start: spawn → first 200 from /readyz: wall-clock ms, and the CPU ms the process group used. */
async function once(dataDir: string): Promise<{ wall: number; cpu: number | null }> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  delete env.APP_KEY;
  delete env.NODE_OPTIONS;
  const started = performance.now();
  const child = spawn(COMMAND[0]!, COMMAND.slice(1), { cwd: ROOT, env, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${COMMAND.join(' ')} exited with ${child.exitCode}:\n${stderr}`);
      if (performance.now() - started > TIMEOUT_MS) throw new Error(`no 200 from /readyz within ${TIMEOUT_MS} ms:\n${stderr}`);
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(1_000) })
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ok) return { wall: Math.round(performance.now() - started), cpu: groupCpuMs(child.pid!) };
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await stop(child);
  }
}

const stats = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  return { median: s[Math.floor((s.length - 1) / 2)]!, min: s[0]!, max: s[s.length - 1]! };
};

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'tov-cold-start-'));
  dirs.push(d);
  return d;
};
process.on('exit', () => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

if (!process.argv[2]) execFileSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { cwd: ROOT, stdio: 'inherit' });
console.log(`cold start of \`${COMMAND.join(' ')}\` → GET /readyz 200; ${cpus().length} cores, load ${loadavg()[0]!.toFixed(2)}`);
const results: string[] = [];
for (const mode of MODES) {
  const warmDir = mode === 'warm' ? tmp() : '';
  // warm: creates, migrates and seeds the directory; fresh: makes sure there is a template. Not counted.
  if (mode !== 'first') await once(mode === 'warm' ? warmDir : tmp());
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    if (mode === 'first') discardPgliteTemplates();
    const t = await once(mode === 'warm' ? warmDir : tmp());
    wall.push(t.wall);
    if (t.cpu !== null) cpu.push(t.cpu);
    console.log(`  ${mode} #${i + 1}: ${t.wall} ms${t.cpu === null ? '' : `  (cpu ${t.cpu} ms)`}  load ${loadavg()[0]!.toFixed(2)}`);
  }
  const w = stats(wall);
  const c = cpu.length ? stats(cpu) : null;
  results.push(
    `${mode.padEnd(5)}  median ${w.median} ms  (min ${w.min}, max ${w.max}, ${RUNS} runs)` +
      (c ? `   cpu median ${c.median} ms  (min ${c.min}, max ${c.max})` : ''),
  );
}
console.log(results.join('\n'));
