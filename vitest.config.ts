import { configDefaults, defineConfig, type TestProjectInlineConfiguration, type ViteUserConfig } from 'vitest/config';
import { probeServices } from './test/support/service-probe.js';
import { ServicesReporter } from './test/support/services-reporter.js';
import { missingMessage, planRun } from './test/support/services.js';

/** Stops vitest before it runs anything, with just this message (no trace into vite's config loader). */
function fail(message: string): never {
  const e = new Error(message);
  e.stack = `Error: ${message}`;
  throw e;
}

/** Browser tests (test/support/browser.ts): integration tests, run by one project only. */
const BROWSER_TESTS = 'test/**/*.browser.int.test.ts';

/** Whether the command line names this project (`--project pg`, `--project=pg`). */
function askedForProject(name: string): boolean {
  return process.argv.some((a, i) => a === `--project=${name}` || (a === '--project' && process.argv[i + 1] === name));
}

/**
 * Three projects: `unit` (*.test.ts but *.int.test.ts) once; the integration
 * suites (*.int.test.ts) twice, `pg` against the local PostgreSQL and Redis,
 * `pglite` against embedded in-memory PGlite.
 *
 * The services are looked for first (test/support/services.ts): without
 * PostgreSQL the pg project is left out, without Redis it runs on in-process
 * queues, and the run ends with one line saying what was not run and why.
 * REQUIRE_SERVICES=1 (.ci/run) makes a missing service an error instead.
 * Chromium counts as a service: without it the browser tests skip.
 */
export default defineConfig(async (): Promise<ViteUserConfig> => {
  const states = await probeServices();
  const plan = planRun(states, process.env.REQUIRE_SERVICES === '1');
  if (plan.error) fail(plan.error);
  // `--project pg` without PostgreSQL: say why, rather than vitest's "No projects matched the filter".
  if (!plan.pg && askedForProject('pg')) fail(`The pg project needs PostgreSQL: ${missingMessage(states, 'postgres')}`);
  // What the workers need to know: which services to do without (harness.ts, needs() in services.ts).
  const services = { TEST_SERVICES_MISSING: plan.missing.join(',') };
  const pg: TestProjectInlineConfiguration = {
    extends: true,
    test: {
      name: 'pg',
      include: ['test/**/*.int.test.ts'],
      exclude: [...configDefaults.exclude, ...plan.pgExclude],
      // One migrated template database per run; see global-setup.ts.
      globalSetup: ['test/support/build-setup.ts', 'test/support/global-setup.ts'],
      env: { ...services, TEST_DB: 'pg' },
    },
  };
  return {
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
      // Before every file: the harness's clean-ups run when the file ends (test/support/file-end.ts).
      setupFiles: ['test/support/setup-file.ts'],
      reporters: ['default', new ServicesReporter(states, plan)],
      projects: [
        {
          extends: true,
          test: {
            name: 'unit',
            include: ['test/**/*.test.ts'],
            exclude: [...configDefaults.exclude, 'test/**/*.int.test.ts'],
            // The bins' build (dist/), for the tests that start real processes; see build-setup.ts.
            globalSetup: ['test/support/build-setup.ts'],
            env: services,
          },
        },
        ...(plan.pg ? [pg] : []),
        {
          extends: true,
          test: {
            name: 'pglite',
            include: ['test/**/*.int.test.ts'],
            // The browser tests (*.browser.int.test.ts) drive a real Chromium through the server's pages: what they check is
            // the page, the same on either database, so they run once, in the pg project, and here only without PostgreSQL.
            exclude: [...configDefaults.exclude, ...(plan.pg ? [BROWSER_TESTS] : [])],
            // One migrated PGlite dump per run (kept between runs); each file loads its own copy.
            globalSetup: ['test/support/build-setup.ts', 'test/support/global-setup-pglite.ts'],
            env: { ...services, TEST_DB: 'pglite' },
          },
        },
      ],
    },
  };
});
