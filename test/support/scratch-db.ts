import pg from 'pg';
import { TEST_PG_ADMIN_URL } from './env.js';

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** A fresh PostgreSQL database, empty or a copy of `template` (which must have no connections); returns its URL. */
export async function createScratchDb(name: string, template?: string): Promise<string> {
  await admin(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await c.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`);
    // A test database need not survive a crash of the server: a commit returns without waiting for its
    // WAL flush (~3 ms each here, and suites commit tens of thousands of times). Every connection to it,
    // the bins the tests start included, gets this; a template's setting is not copied, so set on each.
    await c.query(`ALTER DATABASE "${name}" SET synchronous_commit = off`);
  });
  const u = new URL(TEST_PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function dropScratchDb(name: string): Promise<void> {
  await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}
