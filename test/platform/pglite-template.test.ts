import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDatabase } from '../../src/platform/db/client.js';
import { migrate, migrationSetKey, readMigrations } from '../../src/platform/db/migrate.js';

/*
 * A new embedded data directory starts from the migrated template of the shipped migration set (pglite-template.ts),
 * made by the first new directory that migrated to it. The machine's cache is the real one (node_modules/.cache):
 * the first directory here either finds the template or makes it; the second must start from it.
 */
const dirs: string[] = [];
const newDataDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'tov-template-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('the migrated PGlite template', () => {
  it('is named by every migration and its checksum', () => {
    const migrations = readMigrations();
    const last = migrations[migrations.length - 1]!;
    expect(migrationSetKey(migrations)).toBe(migrationSetKey(readMigrations()));
    expect(migrationSetKey([...migrations.slice(0, -1), { ...last, checksum: 'edited' }])).not.toBe(migrationSetKey(migrations));
    expect(migrationSetKey(migrations.slice(0, -1))).not.toBe(migrationSetKey(migrations));
  });

  it('gives a second new data directory the migrated database, with nothing left to apply and nothing else in it', async () => {
    const migrations = readMigrations();
    const migrationSet = migrationSetKey(migrations);
    // given a first new directory, migrated (and kept as the template when there was none)
    const first = await createDatabase({ dataDir: newDataDir(), migrationSet });
    try {
      await migrate(first, migrations);
      await first.saveMigratedTemplate?.();
    } finally {
      await first.close();
    }

    // when a second new directory opens
    const second = await createDatabase({ dataDir: newDataDir(), migrationSet });
    try {
      // then it started from that template: every migration recorded, none applied again, no data
      expect(second.saveMigratedTemplate).toBeUndefined();
      const recorded = await second.query<{ name: string }>('SELECT name FROM "_tov_migrations" ORDER BY name');
      expect(recorded.map((r) => r.name)).toEqual(migrations.map((m) => m.name));
      expect(await migrate(second, migrations)).toEqual([]);
      expect(await second.prisma.user.count()).toBe(0);
    } finally {
      await second.close();
    }

    // and a directory migrating to another set does not start from it
    const other = await createDatabase({ dataDir: newDataDir(), migrationSet: `${migrationSet}x` });
    try {
      expect(other.saveMigratedTemplate).toBeTypeOf('function');
      expect(await other.query('SELECT 1 FROM pg_tables WHERE tablename = $1', ['_tov_migrations'])).toEqual([]);
    } finally {
      await other.close();
    }
  }, 120_000);
});
