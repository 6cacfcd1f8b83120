import type { TestProject } from 'vitest/node';
import { createDatabase } from '../../src/platform/db/client.js';
import { migrate } from '../../src/platform/db/migrate.js';
import { createScratchDb, dropScratchDb } from './scratch-db.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    /** A migrated database nobody connects to: `createScratchDb(name, template)` copies it. */
    pgTemplate: string;
  }
}

/**
 * The pg project's databases for one test run (named after this process, so
 * parallel runs never meet), dropped at the end: a template migrated once, and
 * the shared database copied from it. Test files share that one and never
 * clean up: every test builds its own occasion and users, so suites run
 * concurrently and cross-tenant leaks show up. A suite that needs a database
 * of its own gets another copy of the template (harness `ownDatabase`), a
 * fraction of a second instead of running the migrations again.
 */
export default async function setup(project: TestProject) {
  const template = `tovplus_tpl_${process.pid}`;
  const dbName = `tovplus_test_${process.pid}`;
  const templateUrl = await createScratchDb(template);
  const db = await createDatabase({ databaseUrl: templateUrl, poolSize: 1 });
  try {
    await migrate(db);
  } finally {
    // Copying a database needs it to have no connections.
    await db.close();
  }
  project.provide('databaseUrl', await createScratchDb(dbName, template));
  project.provide('pgTemplate', template);
  return async () => {
    await dropScratchDb(dbName);
    await dropScratchDb(template);
  };
}
