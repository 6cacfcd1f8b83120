import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';

/*
 * A new embedded database starts as a copy of a prepared one instead of running initdb (PostgreSQL's bootstrap, in
 * WebAssembly: most of a first start's time) and the migrations (most of the rest). Two templates, in
 * node_modules/.cache/tovplus/ under the version of the PGlite that made them:
 *
 * - initdb's output alone, left by the first new data directory on a machine (the one that ran initdb);
 * - that database once migrated, named after the migration set (migrationSetKey), left by the first new data
 *   directory that migrated to that set. A new directory starts from it when the set is the one being shipped; the
 *   migrator still runs (and finds nothing to do). A changed set starts from initdb's template and leaves its own,
 *   replacing the previous set's.
 *
 * Data come after either, as on any new database. They are caches: writing one is best effort (a read-only
 * node_modules just does the work every time), deleting one costs one initdb or migration run, and one that does not
 * load is deleted and initdb runs.
 */

const require = createRequire(import.meta.url);

/** The cache folder and this PGlite's version (null: PGlite's package cannot be found). */
function cache(): { dir: string; version: string } | null {
  try {
    const entry = require.resolve('@electric-sql/pglite');
    const marker = `${path.sep}node_modules${path.sep}`;
    const modules = entry.slice(0, entry.lastIndexOf(marker) + marker.length - 1);
    const { version } = JSON.parse(readFileSync(path.join(modules, '@electric-sql', 'pglite', 'package.json'), 'utf8')) as { version: string };
    return { dir: path.join(modules, '.cache', 'tovplus'), version };
  } catch {
    return null;
  }
}

/**
 * Where this PGlite's template lives: initdb's output, or with `migrationSet` that database migrated to the set (null:
 * PGlite's package cannot be found). Named by PGlite's version and the set alone, as createDatabase gives initdb no
 * options (user, database, extensions): any it is given belong in the name too.
 */
export function pgliteTemplateFile(migrationSet?: string): string | null {
  const c = cache();
  if (!c) return null;
  return path.join(c.dir, migrationSet ? `pglite-${c.version}-migrated-${migrationSet}.tar` : `pglite-${c.version}-initdb.tar`);
}

/** A data directory initdb has not run in yet. */
export const isNewDataDir = (dataDir: string) => !existsSync(path.join(dataDir, 'PG_VERSION'));

export function readPgliteTemplate(file: string | null): Blob | null {
  if (!file) return null;
  try {
    return new Blob([readFileSync(file)]);
  } catch {
    return null;
  }
}

/**
 * Keeps a database as a template (written aside and renamed: never seen half-written). A migrated one replaces the
 * templates of other migration sets, which nothing loads any more.
 */
export async function savePgliteTemplate(lite: PGlite, file: string | null): Promise<void> {
  if (!file) return;
  const partial = `${file}.${process.pid}.partial`;
  try {
    const tar = await lite.dumpDataDir('none');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(partial, new Uint8Array(await tar.arrayBuffer()));
    renameSync(partial, file);
  } catch {
    rmSync(partial, { force: true });
    return;
  }
  const migrated = /^(pglite-.+-migrated-)[^-]+\.tar$/.exec(path.basename(file));
  if (!migrated) return;
  try {
    for (const name of readdirSync(path.dirname(file))) {
      if (name.startsWith(migrated[1]!) && name.endsWith('.tar') && name !== path.basename(file))
        rmSync(path.join(path.dirname(file), name), { force: true });
    }
  } catch {
    // another process removed them meanwhile
  }
}

export function discardPgliteTemplate(file: string | null): void {
  if (file) rmSync(file, { force: true });
}

/** Every template of this PGlite (initdb's and the migrated ones): a machine's first start again. */
export function discardPgliteTemplates(): void {
  const c = cache();
  if (!c) return;
  try {
    for (const name of readdirSync(c.dir))
      if (name.startsWith(`pglite-${c.version}-`) && name.endsWith('.tar')) rmSync(path.join(c.dir, name), { force: true });
  } catch {
    // no cache folder yet
  }
}
