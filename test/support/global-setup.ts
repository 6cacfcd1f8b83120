import type { TestProject } from 'vitest/node';
import { createDatabase } from '../../src/platform/db/client.js';
import { migrate } from '../../src/platform/db/migrate.js';
import { createScratchDb, dropScratchDb } from './scratch-db.js';

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
  const databaseUrl = await createScratchDb(dbName);
  const db = await createDatabase({ databaseUrl, poolSize: 2 });
  await migrate(db);
  await db.close();
  project.provide('databaseUrl', databaseUrl);
  return () => dropScratchDb(dbName);
}
