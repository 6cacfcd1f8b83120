import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from './client.js';

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../prisma/migrations');
const LOCK_KEY = 7_310_001;
/** The migrator's own bookkeeping: part of what a migrated database is (migrationSetKey). */
const BOOKKEEPING = `CREATE TABLE IF NOT EXISTS "_tov_migrations" (
      name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`;

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

/** Migrations in Prisma's folder format: <timestamp>_<name>/migration.sql, in name order. */
export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

/** Names a migration set: every migration's name and checksum, and the bookkeeping (what a migrated template holds). */
export function migrationSetKey(migrations: Migration[]): string {
  const h = createHash('sha256').update(BOOKKEEPING);
  for (const m of migrations) h.update(`\0${m.name}\0${m.checksum}`);
  return h.digest('hex').slice(0, 20);
}

/**
 * Applies pending migrations, each in its own transaction, under an advisory
 * lock so several api processes starting together migrate once. Refuses to
 * start when an applied migration's file was edited afterwards: the database
 * would silently differ from what the code expects.
 */
export async function migrate(db: Pick<Database, 'withLock'>, migrations = readMigrations()): Promise<string[]> {
  return db.withLock(LOCK_KEY, async (conn) => {
    await conn.exec(BOOKKEEPING);
    const rows = await conn.query<{ name: string; checksum: string }>('SELECT name, checksum FROM "_tov_migrations"');
    const applied = new Map(rows.map((r) => [r.name, r.checksum]));
    for (const [name, checksum] of applied) {
      const m = migrations.find((x) => x.name === name);
      if (m && m.checksum !== checksum) {
        throw new Error(`Migration ${name} was modified after it was applied (checksum mismatch); restore it and add a new migration instead.`);
      }
    }
    const done: string[] = [];
    for (const m of migrations) {
      if (applied.has(m.name)) continue;
      const escaped = m.checksum.replace(/'/g, "''");
      const name = m.name.replace(/'/g, "''");
      await conn.exec(`BEGIN;\n${m.sql}\nINSERT INTO "_tov_migrations"(name, checksum) VALUES ('${name}', '${escaped}');\nCOMMIT;`);
      done.push(m.name);
    }
    return done;
  });
}
