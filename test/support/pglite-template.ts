import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { migrate, readMigrations } from '../../src/platform/db/migrate.js';

/*
 * The pglite project's migrated database, made once and loaded by every file:
 * creating a PGlite cluster runs initdb in WebAssembly (~3-4 s of CPU) and the
 * migrations add ~0.3 s, where loading a dump of the migrated cluster takes
 * ~1 s. Each file still gets a database of its own (an in-memory copy).
 *
 * The dump is kept between runs under the OS temp folder, named after what
 * it is made from (every migration, the migrator and the PGlite version), so
 * a changed migration or an upgraded PGlite makes a new one.
 */

const CACHE_DIR = path.join(tmpdir(), 'tovplus-test-templates');
const STALE_MS = 7 * 24 * 3_600_000;

function templateKey(): string {
  const h = createHash('sha256');
  for (const m of readMigrations()) h.update(`${m.name}\0${m.checksum}\0`);
  h.update(readFileSync(fileURLToPath(new URL('../../src/platform/db/migrate.ts', import.meta.url))));
  h.update(pgliteVersion());
  return h.digest('hex').slice(0, 20);
}

/** The installed PGlite's version (its package.json is not exported: found from the entry point up). */
function pgliteVersion(): string {
  let dir = path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === '@electric-sql/pglite' && pkg.version) return pkg.version;
    } catch {
      // no package.json at this level
    }
    if (path.dirname(dir) === dir) throw new Error('cannot find the version of @electric-sql/pglite');
    dir = path.dirname(dir);
  }
}

/** Makes (or finds) the migrated PGlite dump; returns its path. Runs in vitest's main process (global setup). */
export async function pgliteTemplate(): Promise<string> {
  const file = path.join(CACHE_DIR, `pglite-${templateKey()}.tar`);
  try {
    if (statSync(file).size > 0) {
      // Marked as used: only dumps no run has used for a week are removed.
      utimesSync(file, new Date(), new Date());
      return file;
    }
  } catch {
    // not made yet
  }
  mkdirSync(CACHE_DIR, { recursive: true });
  const lite = await PGlite.create();
  try {
    const conn = {
      exec: async (sql: string) => void (await lite.exec(sql)),
      query: async <T>(sql: string, params?: unknown[]) => (await lite.query<T>(sql, params)).rows,
    };
    await migrate({ withLock: (_key, fn) => fn(conn) });
    const dump = await lite.dumpDataDir('none');
    // Written aside and renamed: a run starting meanwhile never reads half a file.
    const partial = `${file}.${process.pid}.${randomBytes(3).toString('hex')}`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, file);
  } finally {
    await lite.close();
  }
  for (const name of readdirSync(CACHE_DIR)) {
    const other = path.join(CACHE_DIR, name);
    try {
      if (other !== file && Date.now() - statSync(other).mtimeMs > STALE_MS) rmSync(other, { force: true });
    } catch {
      // another run removed it
    }
  }
  return file;
}

let loaded: { file: string; blob: Blob } | null = null;

/** The dump at `file`, read once per worker (files in a worker share the module state). */
export function loadPgliteTemplate(file: string): Blob {
  if (loaded?.file !== file) loaded = { file, blob: new Blob([readFileSync(file)]) };
  return loaded.blob;
}
