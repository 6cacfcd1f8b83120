import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { StartupError } from '../startup-error.js';

export interface DataDirLock {
  release(): void;
}

interface Holder {
  pid: number;
  command: string;
  startedAt: string;
}

/**
 * PGlite is one process's database: a second process opening the same data
 * directory (the CLI beside `npm start`, or two `npm start`s) writes pages
 * the first never sees, and both corrupt it. The first to open it holds an
 * exclusive lock file with its pid; others are refused with who holds it. A
 * lock whose pid is no longer running (a SIGKILLed api) is stale and taken over.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  // Beside the directory, not in it: PGlite owns what is inside.
  const file = `${dataDir}.lock`;
  const me: Holder = { pid: process.pid, command: commandName(), startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      // 'wx': created only if absent, atomically, so exactly one process wins.
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
      const release = () => {
        process.off('exit', release);
        // Only our own lock: never one a later process took over.
        if (readHolder(file)?.pid === process.pid) unlinkSync(file);
      };
      // process.exit() on a failed start skips close(); the lock must not outlive us all the same.
      process.on('exit', release);
      return { release };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = readHolder(file);
      // Our own pid is not another process: a container restarted on the same volume gets the same pid again.
      if (holder && holder.pid !== process.pid && isRunning(holder.pid)) throw inUse(dataDir, file, holder);
      // Stale (its process is gone) or unreadable (a crash between create and write): take it over.
      try {
        unlinkSync(file);
      } catch {
        // another process took it over first; the next attempt finds its lock
      }
    }
  }
  const holder = readHolder(file);
  throw inUse(dataDir, file, holder ?? { pid: 0, command: 'another process', startedAt: '?' });
}

function inUse(dataDir: string, file: string, h: Holder): StartupError {
  return new StartupError(
    `The embedded database in ${dataDir} is in use by ${h.command} (pid ${h.pid}, since ${h.startedAt}): ` +
      'PGlite serves one process only. Stop that process first, or change data through its GraphQL API while it runs ' +
      `(several processes need PostgreSQL: set DATABASE_URL). If no such process is running, delete ${file}.`,
  );
}

function readHolder(file: string): Holder | null {
  try {
    const h = JSON.parse(readFileSync(file, 'utf8')) as Holder;
    return Number.isInteger(h.pid) && h.pid > 0 ? h : null;
  } catch {
    return null;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, as another user's process.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** "api", "cli integration create", ...: what the refused operator is told is holding the database. */
function commandName(): string {
  const script = path.basename(process.argv[1] ?? 'node').replace(/\.[cm]?[jt]s$/, '');
  return [script, ...process.argv.slice(2, 4)].join(' ');
}
