import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createDatabase } from '../../src/platform/db/client.js';
import { migrate, readMigrations } from '../../src/platform/db/migrate.js';
import { createScratchDb, dropScratchDb } from '../support/scratch-db.js';
import { needs } from '../support/services.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
// The project's own helper: Prisma 6's WebAssembly schema engine, pinned, installed on first use from the npm registry.
const PRISMA_DIFF = path.resolve(ROOT, 'scripts/prisma-diff');

/** Tables, columns, indexes, constraints and enums: what a migration can get wrong. */
async function structure(url: string): Promise<string[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const q = async (sql: string) => (await c.query(sql)).rows.map((r) => JSON.stringify(r));
  const out = [
    ...(await q(`SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default
                 FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_tov_migrations'
                 ORDER BY table_name, column_name`)),
    ...(await q(`SELECT tablename, indexname, indexdef FROM pg_indexes
                 WHERE schemaname = 'public' AND tablename <> '_tov_migrations' ORDER BY indexname`)),
    ...(await q(`SELECT conrelid::regclass::text AS t, conname, contype, pg_get_constraintdef(oid) AS def FROM pg_constraint
                 WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '_tov_migrations' ORDER BY conname`)),
    ...(await q(`SELECT t.typname, e.enumlabel, e.enumsortorder FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid ORDER BY 1, 3`)),
  ];
  await c.end();
  return out;
}

describe('migrations', () => {
  it('build exactly the database schema.prisma describes (drift check)', async (ctx) => {
    needs(ctx, 'postgres');
    expect(existsSync(PRISMA_DIFF), `${PRISMA_DIFF} is needed to render schema.prisma as SQL`).toBe(true);
    // given: the SQL Prisma would write for schema.prisma from nothing …
    const fromSchema = execFileSync(PRISMA_DIFF, ['--from-empty', path.join(ROOT, 'prisma/schema.prisma')], { encoding: 'utf8', timeout: 240_000 });
    const a = `tovplus_drift_schema_${process.pid}`;
    const b = `tovplus_drift_migrations_${process.pid}`;
    const urlA = await createScratchDb(a);
    const urlB = await createScratchDb(b);
    try {
      const ca = new pg.Client({ connectionString: urlA });
      await ca.connect();
      await ca.query(fromSchema);
      await ca.end();
      // … and our migrations applied in order
      const db = await createDatabase({ databaseUrl: urlB, poolSize: 2 });
      await migrate(db);
      await db.close();
      // then both databases have the same structure
      expect(await structure(urlB)).toEqual(await structure(urlA));
    } finally {
      await dropScratchDb(a);
      await dropScratchDb(b);
    }
  }, 300_000);

  it('refuse to start when an applied migration was edited afterwards', async () => {
    const db = await createDatabase({ memory: true });
    try {
      const [first] = readMigrations();
      await migrate(db, [first!]);
      const edited = { ...first!, sql: first!.sql + '\n-- edited', checksum: 'different' };
      await expect(migrate(db, [edited])).rejects.toThrow(/modified after it was applied/);
      // re-running the untouched migrations applies nothing new
      expect(await migrate(db, [first!])).toEqual([]);
    } finally {
      await db.close();
    }
  });

  it('apply each migration once, even when several processes start together', async (ctx) => {
    needs(ctx, 'postgres');
    const name = `tovplus_migrate_race_${process.pid}`;
    const url = await createScratchDb(name);
    try {
      const dbs = await Promise.all([1, 2, 3].map(() => createDatabase({ databaseUrl: url, poolSize: 2 })));
      const applied = await Promise.all(dbs.map((d) => migrate(d)));
      expect(applied.flat().sort()).toEqual(
        readMigrations()
          .map((m) => m.name)
          .sort(),
      );
      await Promise.all(dbs.map((d) => d.close()));
    } finally {
      await dropScratchDb(name);
    }
  });
});
