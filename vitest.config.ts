import { defineConfig } from 'vitest/config';

/**
 * Two projects run the same integration suites: `pg` against the local
 * PostgreSQL (and Redis), `pglite` against embedded in-memory PGlite. Unit tests
 * (*.test.ts) run once, in the pg project.
 */
export default defineConfig({
  // Node resolves graphql 16 to its CommonJS build; make Vite do the same, so
  // our code and the libraries share one graphql module instance.
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default is one file at a time on a 2-core machine (cores - 1); these suites mostly
    // wait on PostgreSQL, Redis and sockets, so two at once finish sooner. Three starved the suites that
    // spawn processes (CLI, worker crash tests) past their timeouts.
    maxWorkers: 2,
    // Importing the app (schema, Prisma client) costs seconds; a worker keeps its modules for the next
    // file instead of importing them again (the harness builds the GraphQL schema once per worker, too).
    // Files still get their own server, database state and worker.
    isolate: false,
    projects: [
      {
        extends: true,
        test: {
          name: 'pg',
          include: ['test/**/*.test.ts'],
          // One migrated template database per run; see global-setup.ts.
          globalSetup: ['test/support/global-setup.ts'],
          env: { TEST_DB: 'pg' },
        },
      },
      {
        extends: true,
        test: {
          name: 'pglite',
          include: ['test/**/*.int.test.ts'],
          // One migrated PGlite dump per run (kept between runs); each file loads its own copy.
          globalSetup: ['test/support/global-setup-pglite.ts'],
          env: { TEST_DB: 'pglite' },
        },
      },
    ],
  },
});
