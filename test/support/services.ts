/*
 * Which tests a machine can run, decided once per `vitest run` from which
 * services answer (vitest.config.ts probes them, service-probe.ts):
 *
 * - no PostgreSQL: the pg project is left out, and tests marked
 *   `needs(ctx, 'postgres')` skip; everything else (unit tests, the pglite
 *   project) runs.
 * - no Redis: the pg project runs with in-process queues and pub/sub, without
 *   the files that need Redis itself (PG_FILE_NEEDS).
 * - no `redis-server` program: the files that start a Redis of their own skip.
 * - no Chromium (Debian's `chromium` package, or CHROMIUM_PATH): the browser
 *   tests (`*.browser.int.test.ts`, test/support/browser.ts) skip.
 *
 * The run then ends with one line saying what was not run and why
 * (services-reporter.ts). With REQUIRE_SERVICES=1 (CI, .ci/run) a missing
 * service is an error before anything runs instead.
 *
 * Pure functions here; the probing and the printing live next door.
 */

export type Service = 'postgres' | 'redis' | 'redis-server' | 'chromium';

export interface ServiceState {
  ok: boolean;
  /** Where it was looked for, for the message (no credentials). */
  at: string;
}
export type ServiceStates = Record<Service, ServiceState>;

/** pg-project files that need more than PostgreSQL (in the pglite project they skip themselves anyway). */
export const PG_FILE_NEEDS: Readonly<Record<string, readonly Service[]>> = {
  'test/modules/rsvp/rsvp-live-two-processes.int.test.ts': ['redis'],
  'test/interfaces/webhooks/reliability.int.test.ts': ['redis-server'],
};

const WHAT: Record<Service, (s: ServiceState) => string> = {
  postgres: (s) => `no PostgreSQL at ${s.at} — start one or set TEST_PG_ADMIN_URL`,
  redis: (s) => `no Redis at ${s.at} — start one or set TEST_REDIS_URL`,
  'redis-server': () => 'no redis-server program on PATH (the test starts a Redis of its own) — install Redis',
  chromium: (s) => `no Chromium at ${s.at} — install Debian's chromium package or set CHROMIUM_PATH`,
};

/** Why a service counts as missing and what to do about it. */
export const missingMessage = (states: ServiceStates, service: Service) => WHAT[service](states[service]);

export interface RunPlan {
  /** Run the pg project at all (PostgreSQL answers). */
  pg: boolean;
  /** Files the pg project leaves out for lack of a service besides PostgreSQL. */
  pgExclude: string[];
  /** Services that did not answer: handed to the workers as TEST_SERVICES_MISSING. */
  missing: Service[];
  /** Set when services are required (REQUIRE_SERVICES=1) and one is missing: the run must not start. */
  error: string | null;
}

export function planRun(states: ServiceStates, required: boolean): RunPlan {
  const missing = (Object.keys(states) as Service[]).filter((s) => !states[s].ok);
  const pgExclude = Object.entries(PG_FILE_NEEDS)
    .filter(([, needs]) => needs.some((s) => missing.includes(s)))
    .map(([file]) => file);
  const error =
    required && missing.length
      ? `REQUIRE_SERVICES=1, so nothing may be skipped for lack of a service, but: ${missing.map((s) => WHAT[s](states[s])).join('; ')}`
      : null;
  return { pg: states.postgres.ok, pgExclude, missing, error };
}

/** What a run left out, counted by the reporter from the files it ran. */
export interface Skipped {
  /** Integration files this run selected: the pg project's share of it (the pglite project runs the same files). */
  integrationFiles: number;
  /** Of the pg project's excluded files (RunPlan.pgExclude), those this run selected. */
  pgExcluded: string[];
  /** Tests that skipped themselves with `needs(ctx, service)`. */
  tests: { service: Service; file: string }[];
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const NAME: Record<Service, string> = { postgres: 'PostgreSQL', redis: 'Redis', 'redis-server': 'redis-server', chromium: 'Chromium' };

/** The run's last line: what was not run for lack of which service; null when nothing was left out. */
export function summaryLine(states: ServiceStates, plan: RunPlan, skipped: Skipped): string | null {
  const pgFiles = skipped.integrationFiles;
  const parts: string[] = [];
  for (const service of ['postgres', 'redis', 'redis-server', 'chromium'] as const) {
    if (states[service].ok) continue;
    const ran: string[] = [];
    const left: string[] = [];
    if (service === 'postgres' && pgFiles) left.push(`the pg project (${plural(pgFiles, 'file')})`);
    if (service === 'redis' && plan.pg && pgFiles) ran.push('ran the pg project with in-process queues and pub/sub');
    left.push(...skipped.pgExcluded.filter((f) => plan.pg && PG_FILE_NEEDS[f]?.includes(service)));
    const tests = skipped.tests.filter((t) => t.service === service);
    if (tests.length) left.push(`${plural(tests.length, 'test')} needing ${NAME[service]} (${[...new Set(tests.map((t) => t.file))].join(', ')})`);
    if (ran.length || left.length) {
      parts.push(`${[...ran, ...(left.length ? [`skipped ${left.join(' and ')}`] : [])].join(' and ')}: ${WHAT[service](states[service])}`);
    } else if (service === 'redis' && !plan.pg && pgFiles) {
      // The pg project was left out already; say so now, or the next run, with PostgreSQL started, stops at Redis.
      parts.push(`no Redis at ${states.redis.at} either (the pg project uses it) — start one or set TEST_REDIS_URL`);
    }
  }
  if (!parts.length) return null;
  const line = parts.join('; ');
  return `${line.charAt(0).toUpperCase()}${line.slice(1)}.`;
}

/** A skip note `needs(ctx, service)` leaves, for the reporter to count. */
export const needsNote = (service: Service) => `needs ${service}`;
export const serviceOfNote = (note: string | undefined): Service | null => {
  const m = /^needs (postgres|redis|redis-server|chromium)$/.exec(note ?? '');
  return m ? (m[1] as Service) : null;
};

/** In a worker: whether the run found `service` missing (vitest.config.ts passes TEST_SERVICES_MISSING). */
export function serviceMissing(service: Service): boolean {
  return (process.env.TEST_SERVICES_MISSING ?? '').split(',').includes(service);
}

/** First line of a test that needs a service the other tests of its file do not: skips it (counted in the run's last line) when missing. */
export function needs(ctx: { skip: (condition: boolean, note?: string) => void }, service: Service): void {
  ctx.skip(serviceMissing(service), needsNote(service));
}
