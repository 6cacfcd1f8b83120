import { describe, expect, it } from 'vitest';
import { needs, needsNote, planRun, serviceOfNote, type ServiceStates, type Skipped, summaryLine } from './services.js';

/** What the harness decides from which services answer, and the line a run ends with. */

const TWO_PROCESSES = 'test/modules/rsvp/rsvp-live-two-processes.int.test.ts';
const RELIABILITY = 'test/interfaces/webhooks/reliability.int.test.ts';

const states = (up: { postgres?: boolean; redis?: boolean; redisServer?: boolean; chromium?: boolean } = {}): ServiceStates => ({
  postgres: { ok: up.postgres ?? true, at: '127.0.0.1:5432/postgres' },
  redis: { ok: up.redis ?? true, at: '127.0.0.1:6379/1' },
  'redis-server': { ok: up.redisServer ?? true, at: 'PATH' },
  chromium: { ok: up.chromium ?? true, at: '/usr/lib/chromium/chromium' },
});

/** What a whole run selects: 52 integration files, both files with extra needs among them. */
const wholeRun = (plan: ReturnType<typeof planRun>, tests: Skipped['tests'] = []): Skipped => ({
  integrationFiles: 52,
  pgExcluded: plan.pgExclude,
  tests,
});

describe('planRun', () => {
  it('runs everything when every service answers', () => {
    const plan = planRun(states(), false);
    expect(plan).toEqual({ pg: true, pgExclude: [], missing: [], error: null });
    expect(summaryLine(states(), plan, wholeRun(plan))).toBeNull();
  });

  it('leaves out the pg project without PostgreSQL', () => {
    const s = states({ postgres: false });
    const plan = planRun(s, false);
    expect(plan).toMatchObject({ pg: false, missing: ['postgres'], error: null });
  });

  it('without Redis runs the pg project on in-process queues, minus the files that need Redis itself', () => {
    const plan = planRun(states({ redis: false }), false);
    expect(plan).toEqual({ pg: true, pgExclude: [TWO_PROCESSES], missing: ['redis'], error: null });
  });

  it('without the redis-server program leaves out the file that starts its own Redis', () => {
    const plan = planRun(states({ redisServer: false }), false);
    expect(plan).toEqual({ pg: true, pgExclude: [RELIABILITY], missing: ['redis-server'], error: null });
  });

  it('with REQUIRE_SERVICES refuses to run when anything is missing, naming each service and where it was looked for', () => {
    const plan = planRun(states({ postgres: false, redis: false }), true);
    expect(plan.error).toBe(
      'REQUIRE_SERVICES=1, so nothing may be skipped for lack of a service, but: ' +
        'no PostgreSQL at 127.0.0.1:5432/postgres — start one or set TEST_PG_ADMIN_URL; ' +
        'no Redis at 127.0.0.1:6379/1 — start one or set TEST_REDIS_URL',
    );
    expect(planRun(states(), true).error).toBeNull();
  });
});

describe('summaryLine', () => {
  it("a stranger's laptop (no PostgreSQL, no Redis): the pg project and the tests needing PostgreSQL, and Redis named too", () => {
    const s = states({ postgres: false, redis: false, redisServer: false });
    const plan = planRun(s, false);
    const line = summaryLine(
      s,
      plan,
      wholeRun(plan, [
        { service: 'postgres', file: 'test/platform/migrations.test.ts' },
        { service: 'postgres', file: 'test/platform/migrations.test.ts' },
        { service: 'postgres', file: 'test/bin/startup.test.ts' },
      ]),
    );
    expect(line).toBe(
      'Skipped the pg project (52 files) and 3 tests needing PostgreSQL (test/platform/migrations.test.ts, test/bin/startup.test.ts): ' +
        'no PostgreSQL at 127.0.0.1:5432/postgres — start one or set TEST_PG_ADMIN_URL; ' +
        'no Redis at 127.0.0.1:6379/1 either (the pg project uses it) — start one or set TEST_REDIS_URL.',
    );
    expect(line).not.toContain('\n');
  });

  it('PostgreSQL without Redis: the pg project ran on in-process queues, the Redis-only file was skipped', () => {
    const s = states({ redis: false });
    const plan = planRun(s, false);
    expect(summaryLine(s, plan, wholeRun(plan))).toBe(
      `Ran the pg project with in-process queues and pub/sub and skipped ${TWO_PROCESSES}: no Redis at 127.0.0.1:6379/1 — start one or set TEST_REDIS_URL.`,
    );
  });

  it('no redis-server program: only the file that needs it', () => {
    const s = states({ redisServer: false });
    const plan = planRun(s, false);
    expect(summaryLine(s, plan, wholeRun(plan))).toBe(
      `Skipped ${RELIABILITY}: no redis-server program on PATH (the test starts a Redis of its own) — install Redis.`,
    );
  });

  it('no Chromium: the browser tests that skipped themselves, and what to install', () => {
    const s = states({ chromium: false });
    const plan = planRun(s, false);
    expect(plan).toEqual({ pg: true, pgExclude: [], missing: ['chromium'], error: null });
    const file = 'test/interfaces/communications/link-pages.browser.int.test.ts';
    expect(
      summaryLine(
        s,
        plan,
        wholeRun(plan, [
          { service: 'chromium', file },
          { service: 'chromium', file },
        ]),
      ),
    ).toBe(
      `Skipped 2 tests needing Chromium (${file}): no Chromium at /usr/lib/chromium/chromium — install Debian's chromium package or set CHROMIUM_PATH.`,
    );
    expect(planRun(s, true).error).toBe(
      "REQUIRE_SERVICES=1, so nothing may be skipped for lack of a service, but: no Chromium at /usr/lib/chromium/chromium — install Debian's chromium package or set CHROMIUM_PATH",
    );
  });

  it('counts only what the run selected: one unit file run without PostgreSQL names its test, not the pg project', () => {
    const s = states({ postgres: false });
    const plan = planRun(s, false);
    const skipped: Skipped = { integrationFiles: 0, pgExcluded: [], tests: [{ service: 'postgres', file: 'test/bin/startup.test.ts' }] };
    expect(summaryLine(s, plan, skipped)).toBe(
      'Skipped 1 test needing PostgreSQL (test/bin/startup.test.ts): no PostgreSQL at 127.0.0.1:5432/postgres — start one or set TEST_PG_ADMIN_URL.',
    );
    expect(summaryLine(s, plan, { integrationFiles: 0, pgExcluded: [], tests: [] })).toBeNull();
    expect(summaryLine(s, plan, { integrationFiles: 1, pgExcluded: [], tests: [] })).toBe(
      'Skipped the pg project (1 file): no PostgreSQL at 127.0.0.1:5432/postgres — start one or set TEST_PG_ADMIN_URL.',
    );
  });
});

describe('needs()', () => {
  it('skips the test with a note the reporter reads back, only when the service is missing', () => {
    const calls: [boolean, string | undefined][] = [];
    const ctx = { skip: (condition: boolean, note?: string) => void calls.push([condition, note]) };
    const before = process.env.TEST_SERVICES_MISSING;
    try {
      process.env.TEST_SERVICES_MISSING = 'postgres,redis-server';
      needs(ctx, 'postgres');
      needs(ctx, 'redis');
    } finally {
      if (before === undefined) delete process.env.TEST_SERVICES_MISSING;
      else process.env.TEST_SERVICES_MISSING = before;
    }
    expect(calls).toEqual([
      [true, 'needs postgres'],
      [false, 'needs redis'],
    ]);
    expect(serviceOfNote(needsNote('redis-server'))).toBe('redis-server');
    expect(serviceOfNote(needsNote('chromium'))).toBe('chromium');
    expect(serviceOfNote('some other reason')).toBeNull();
    expect(serviceOfNote(undefined)).toBeNull();
  });
});
