import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { createDatabase } from '../../src/platform/db/client.js';
import { migrate } from '../../src/platform/db/migrate.js';
import { TEST_PG_ADMIN_URL } from './env.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

/**
 * One fresh PostgreSQL database per test run (named after this process, so
 * parallel runs never meet), migrated once and dropped at the end. Test files
 * share it and never clean up: every test builds its own occasion and users,
 * so suites run concurrently and cross-tenant leaks show up.
 */
export default async function setup(project: TestProject) {
  const dbName = `tovplus_test_${process.pid}`;
  const admin = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${dbName}"`);
  await admin.end();
  const url = new URL(TEST_PG_ADMIN_URL);
  url.pathname = `/${dbName}`;
  const databaseUrl = url.toString();
  const db = await createDatabase({ databaseUrl, poolSize: 2 });
  await migrate(db);
  await db.close();
  project.provide('databaseUrl', databaseUrl);
  return async () => {
    const a = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
    await a.connect();
    await a.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await a.end();
  };
}
