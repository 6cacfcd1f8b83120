import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';

/*
 * A new embedded database starts as a copy of a freshly initialised one instead of running initdb (PostgreSQL's
 * bootstrap, in WebAssembly: most of a first start's time). The first new data directory on a machine runs initdb
 * as usual and leaves its result behind as the template, in node_modules/.cache/tovplus/ under the version of the
 * PGlite that made it. Only initdb's output is kept: migrations and data come after, as on any new database. It is
 * a cache: writing it is best effort (a read-only node_modules just runs initdb every time), deleting it costs one
 * initdb, and one that does not load is deleted and initdb runs.
 */

const require = createRequire(import.meta.url);

/**
 * Where this PGlite's template lives (null: PGlite's package cannot be found). Named by PGlite's version alone, as
 * createDatabase gives initdb no options (user, database, extensions): any it is given belong in the name too.
 */
export function pgliteTemplateFile(): string | null {
  try {
    const entry = require.resolve('@electric-sql/pglite');
    const marker = `${path.sep}node_modules${path.sep}`;
    const modules = entry.slice(0, entry.lastIndexOf(marker) + marker.length - 1);
    const { version } = JSON.parse(readFileSync(path.join(modules, '@electric-sql', 'pglite', 'package.json'), 'utf8')) as { version: string };
    return path.join(modules, '.cache', 'tovplus', `pglite-${version}-initdb.tar`);
  } catch {
    return null;
  }
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

/** Keeps a just-initialised database as the template (written aside and renamed: never seen half-written). */
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
  }
}

export function discardPgliteTemplate(file: string | null): void {
  if (file) rmSync(file, { force: true });
}
