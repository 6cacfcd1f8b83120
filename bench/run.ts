/**
 * `npm run bench`: GraphQL read paths vs. a one-statement SQL floor, measured
 * in the same run on the same data. See bench/README.md.
 *
 * Env: BENCH_DATABASE_URL (admin url; default postgresql://postgres@127.0.0.1:5432/postgres),
 *      BENCH_CONNECTIONS (10), BENCH_DURATION (10 s), BENCH_WARMUP (2 s), BENCH_ROUNDS (2),
 *      BENCH_SIZES (5k,50k), BENCH_LARGE_DURATION (6 s), BENCH_LARGE_WARMUP (1 s) for the sizes after the first,
 *      BENCH_PROFILE_SECONDS (3; 0 skips the CPU profile), BENCH_PROFILE_DIR to save each raw .cpuprofile, BENCH_SHOW_SQL=1 to print the statements and their plans,
 *      BENCH_KEEP_DB=1 to keep the database for inspection,
 *      BENCH_LIVE=0 to skip the live fan-out scenario, BENCH_ONLY=live to run only it
 *      (BENCH_LIVE_SUBSCRIBERS 1000, BENCH_LIVE_CHANGES 20, BENCH_REDIS_URL redis://127.0.0.1:6379),
 *      BENCH_WEBHOOKS=0 to skip webhook delivery, BENCH_ONLY=webhooks to run only it (BENCH_WEBHOOK_EVENTS 2000),
 *      BENCH_MESSAGES=0 to skip the invitation emails, BENCH_ONLY=messages to run only them,
 *      BENCH_ASSETS=0 to skip the 20 MB direct upload, BENCH_ONLY=assets to run only it (BENCH_ASSET_MB 20, BENCH_ASSET_ROUNDS 5).
 *      BENCH_PUBLISHING=0 to skip the invitation package render, BENCH_ONLY=publishing to run only it.
 *      BENCH_SEATING_ARRANGE=0 to skip the seating solver, BENCH_ONLY=seating-arrange to run only it (BENCH_ARRANGE_RUNS 5).
 *      BENCH_SEATING=0 to skip seating through the API (auto-arrange mutation, the venue's read vs its floor), BENCH_ONLY=seating to run only it.
 *      BENCH_GUEST_PAGE=0 to skip the guest's RSVP page vs guestInvitation vs its floor, BENCH_ONLY=guest-page to run only it
 *      (BENCH_GUEST_PAGE_READS 200, BENCH_GUEST_PAGE_SUBMITS 50).
 */
import './env.js';
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createApp, type App } from '../src/app/create-app.js';
import { createHttpServer, type HttpServer } from '../src/interfaces/graphql/server.js';
import { loadConfig } from '../src/platform/config.js';
import { createDatabase, type Database } from '../src/platform/db/client.js';
import { migrate } from '../src/platform/db/migrate.js';
import { createLogger } from '../src/platform/logger.js';
import { startFloorServer, type FloorQuery, type FloorServer } from './floor.js';
import { LIVE_BENCH_ENV, printLiveRows, runLiveBench } from './live.js';
import type { LoadJob, LoadResult } from './load.js';
import { collectGarbage, memoryNow, mib, sampleMemoryDuring, type MemoryPeak } from './memory.js';
import { AUTHORIZATION, profileDuring, TARGET_LOOKUP, type CpuAttribution } from './profile.js';
import { CURSOR_WALK, firstDifference, GUEST_PAGE_NUMBER, normalize, PAGE, scenariosFor, type Sized } from './scenarios.js';
import { seed, seedRsvp, signUpOwner, SIZES } from './seed.js';
import { runAssetBench } from './assets.js';
import { runGuestPageBench } from './guest-page.js';
import { runMessageBench } from './messages.js';
import { runPublishingBench } from './publishing.js';
import { runSeatingArrangeBench } from './seating-arrange.js';
import { runSeatingBench } from './seating.js';
import { runWebhookBench } from './webhooks.js';

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
/** GraphQL and floor alternate in this many slices of DURATION/ROUNDS each, so background load drifting during the run hits both alike. */
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 2));
const POOL_SIZE = 10; // the app's default pool (createDatabase); the floor gets the same
const RUN_LIVE = process.env.BENCH_LIVE !== '0';
const RUN_HTTP = process.env.BENCH_ONLY !== 'live';
/** The occasions to seed and measure (the first is the one the live scenario uses); only it when only live runs. */
const SIZES_RUN = RUN_HTTP ? SIZES.filter((z) => (process.env.BENCH_SIZES ?? '5k,50k').split(',').includes(z.key)) : SIZES.slice(0, 1);
/** Sizes after the first: shorter slices (the run stays under ~5 minutes with live and webhooks). */
const LARGE_DURATION = Number(process.env.BENCH_LARGE_DURATION ?? 6);
const LARGE_WARMUP = Number(process.env.BENCH_LARGE_WARMUP ?? 1);
/** One extra GraphQL slice per row under the CPU profiler; 0 skips it. */
const PROFILE_SECONDS = Number(process.env.BENCH_PROFILE_SECONDS ?? 3);
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR;
/** Fewer measured responses than this in a row: its figures are flagged. */
const FEW_REQUESTS = 30;
/** Issue 12's target for authorization's share of a request's CPU. */
const AUTH_TARGET = 0.1;
const SCENARIO_KEYS: readonly FloorQuery[] = ['overview', 'guests', 'summary'];
const SCENARIO_NAMES: Record<FloorQuery, string> = {
  overview: 'overview',
  guests: `guest list page ${GUEST_PAGE_NUMBER}`,
  summary: 'RSVP event summary',
};

const log = (msg: string) => console.log(msg);
type Gql = (query: string, variables?: Record<string, unknown>, token?: string) => Promise<any>;

function withDatabase(url: string, name: string) {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/**
 * BENCH_SHOW_SQL=1: the statements of one request of each read path at each size, each with its plan
 * (EXPLAIN ANALYZE with the parameters Prisma sent), to see which index serves it and what grows.
 */
async function showSql(app: App, gql: Gql, token: string, sized: Sized[]) {
  const seen: { query: string; params: string }[] = [];
  // The client is built with query events on (createDatabase); its type does not say so.
  const prisma = app.db.prisma as unknown as { $on(event: 'query', cb: (e: { query: string; params: string }) => void): void };
  prisma.$on('query', (e) => void seen.push({ query: e.query, params: e.params }));
  for (const z of sized) {
    for (const sc of z.scenarios) {
      seen.length = 0;
      await gql(sc.query, sc.variables, token);
      const statements = [...seen];
      log(`\nStatements of one ${sc.label} request:`);
      for (const [i, st] of statements.entries()) {
        log(`  ${String(i + 1).padStart(2)}. ${st.query.replace(/\s+/g, ' ').slice(0, 2000)}`);
        try {
          const plan = await app.db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${st.query}`, JSON.parse(st.params) as unknown[]);
          log(plan.map((r) => `        ${r['QUERY PLAN']}`).join('\n'));
        } catch (e) {
          log(`        (no plan: ${(e as Error).message})`);
        }
      }
    }
  }
}

/**
 * Waits until the app has stopped issuing statements: requests autocannon cut off when its run ended
 * still execute to the end, and would otherwise run into the next slice (or the shutdown).
 */
async function quiesce(app: App, quietMs = 400, maxMs = 15_000) {
  const until = performance.now() + maxMs;
  let last = app.db.statements.count;
  let quietSince = performance.now();
  while (performance.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    const now = app.db.statements.count;
    if (now !== last) [last, quietSince] = [now, performance.now()];
    else if (performance.now() - quietSince >= quietMs) return;
  }
}

function runLoad(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    // Its own process: the load generator must not share the servers' event loop.
    const child = fork(fileURLToPath(new URL('./load.ts', import.meta.url)), [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
    let settled = false;
    child.on('message', (m: { ok: boolean; result?: LoadResult; error?: string }) => {
      settled = true;
      if (m.ok) resolve(m.result!);
      else reject(new Error(m.error));
    });
    child.on('exit', (code) => {
      if (!settled) reject(new Error(`load generator exited with ${code}`));
    });
    child.send(job);
  });
}

interface Measured {
  requests: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  bad: number;
  badSample?: string;
  /** Measured seconds in all. */
  seconds: number;
  /** Slices that ran by count (LoadJob.minResponses) instead of by time. */
  byCount: number;
}

function summarize(slices: LoadResult[]): Measured {
  const sorted = Float64Array.from(slices.flatMap((x) => x.latencies)).sort();
  const seconds = slices.reduce((a, x) => a + x.seconds, 0);
  const pct = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN);
  return {
    requests: sorted.length,
    rps: sorted.length / seconds,
    p50: pct(50),
    p95: pct(95),
    p99: pct(99),
    bad: slices.reduce((a, x) => a + x.bad, 0),
    badSample: slices.find((x) => x.badSample)?.badSample,
    seconds,
    byCount: slices.filter((x) => x.byCount).length,
  };
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');
const pad = (s: string, n: number) => s.padEnd(n);
const lpad = (s: string, n: number) => s.padStart(n);

async function main() {
  const dbName = `tovplus_bench_${process.pid}`;
  const databaseUrl = withDatabase(ADMIN_URL, dbName);
  let db: Database | undefined;
  let app: App | undefined;
  let http: HttpServer | undefined;
  let floor: FloorServer | undefined;
  const t0 = performance.now();

  await admin(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await c.query(`CREATE DATABASE "${dbName}"`);
  });
  try {
    // ── App on a fresh, migrated database ────────────────────────────────────
    db = await createDatabase({ databaseUrl, poolSize: POOL_SIZE });
    const applied = await migrate(db);
    const config = loadConfig({
      NODE_ENV: process.env.NODE_ENV,
      DATABASE_URL: databaseUrl,
      APP_KEY: randomBytes(32).toString('base64'),
      LOG_LEVEL: 'warn',
      ACCESS_TOKEN_TTL_SECONDS: '3600',
      ...LIVE_BENCH_ENV,
    });
    // autocannon closes its sockets with requests in flight when a run ends; the app
    // logs each of those aborts as an error. Count them instead of printing them.
    let abortedLogged = 0;
    const logSink = new Writable({
      write(chunk, _enc, cb) {
        const text = String(chunk);
        if (text.includes('"name":"AbortError"')) abortedLogged++;
        else process.stderr.write(text);
        cb();
      },
    });
    app = await createApp(config, { db, logger: createLogger(config.LOG_LEVEL, logSink) });
    http = createHttpServer(app);
    const port = await http.listen(0, '127.0.0.1');
    const graphqlUrl = `http://127.0.0.1:${port}/graphql`;
    log(`Tov+ API benchmark — NODE_ENV=${config.NODE_ENV}, database ${dbName} (${applied.length} migrations), app pool ${POOL_SIZE}`);

    const gql = async (query: string, variables?: Record<string, unknown>, token?: string) => {
      const res = await fetch(graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return res.json();
    };

    // ── Data: one owner, one occasion per size (same shape), RSVP on event 1 of each ──
    const token = await signUpOwner(gql);
    const sized: Sized[] = [];
    for (const shape of SIZES_RUN) {
      const seedStart = performance.now();
      const s = await seed(app, gql, token, shape);
      const c = s.counts;
      log(
        `Seeded ${shape.key} in ${fmt((performance.now() - seedStart) / 1000)} s: ${c.guests} guests in ${c.households} households ` +
          `(${c.memberships} memberships), ${c.events} events, ${c.tags} tags (${c.actorTags} actor tags), occasion via createOccasion`,
      );
      if (c.guests !== shape.guests || c.households !== shape.households) throw new Error(`unexpected seed shape ${JSON.stringify(c)}`);
      // RSVP on event 1 (with a linked dinner form): measured by the summary scenario; the first size's is then changed by the live one.
      const rsvpStart = performance.now();
      const rsvp = await seedRsvp(app, gql, s);
      const x = rsvp.expected;
      log(
        `Seeded ${shape.key} RSVP in ${fmt((performance.now() - rsvpStart) / 1000)} s: event 1, ${rsvp.invited} households invited ` +
          `(${x.attending} attending, ${x.declined} declined, ${x.pending} pending; headcount ${x.headcount}, ${x.children} children, ${x.plusOnes} plus-ones), ` +
          `linked per-person form: ${x.submissions} submissions, ${x.mealAnswers} meal + ${x.dietaryAnswers} dietary answers`,
      );
      if (rsvp.invited !== shape.households || x.attending + x.declined + x.pending !== rsvp.invited || x.mealAnswers !== x.headcount)
        throw new Error(`unexpected RSVP seed ${JSON.stringify({ invited: rsvp.invited, ...x })}`);

      // Cursor for page 20 of the guest list: the endCursor of page 19.
      let after: string | null = null;
      for (let page = 1; page < GUEST_PAGE_NUMBER; page++) {
        const r = await gql(CURSOR_WALK, { id: s.occasionId, first: PAGE, after }, token);
        if (r.errors) throw new Error(`cursor walk: ${JSON.stringify(r.errors)}`);
        after = r.data.occasion.actors.pageInfo.endCursor;
      }
      const afterRaw: string = Buffer.from(after!, 'base64').toString('utf8');
      const afterActorId = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/.exec(afterRaw)?.[0];
      if (!afterActorId) throw new Error(`cannot read the actor id out of cursor ${after} (${afterRaw})`);
      sized.push({ s, rsvp, scenarios: scenariosFor(s, rsvp, after!, afterActorId) });
    }
    const base = sized[0]!;

    floor = await startFloorServer(databaseUrl, POOL_SIZE);

    // ── Correctness before speed: no errors, and the floor returns the same data, at every size ──
    for (const z of sized) {
      for (const sc of z.scenarios) {
        const g = await gql(sc.query, sc.variables, token);
        if (g.errors?.length || !g.data) throw new Error(`${sc.label}: GraphQL errors ${JSON.stringify(g.errors ?? g).slice(0, 800)}`);
        const res = await fetch(`${floor.url}/${sc.key}`, { method: 'POST', body: JSON.stringify(sc.floorVars) });
        const f = await res.json();
        if (res.status !== 200 || f.errors) throw new Error(`${sc.label}: floor failed ${JSON.stringify(f).slice(0, 800)}`);
        const diff = firstDifference(normalize(g.data), normalize(f.data));
        if (diff) throw new Error(`${sc.label}: the SQL floor does not return the same data as GraphQL — ${diff}`);
        let checked: string;
        try {
          checked = sc.check(g.data);
        } catch (e) {
          throw new Error(`${sc.label}: ${(e as Error).message}`, { cause: e });
        }
        const bytes = Buffer.byteLength(JSON.stringify(g));
        log(`Checked ${sc.label}: no errors, ${checked}, ~${fmt(bytes / 1024)} KiB, identical to the SQL floor's data`);
      }
    }

    // ── Statements per request (Prisma's query events; the auth lookup included), per size and page size ──
    const countStatements = async (query: string, variables: Record<string, unknown>) => {
      await gql(query, variables, token); // warm any per-process caches
      const before = app!.db.statements.count;
      const r = await gql(query, variables, token);
      if (r.errors) throw new Error(JSON.stringify(r.errors));
      return app!.db.statements.count - before;
    };
    const statementRows: { label: string; counts: number[] }[] = [];
    for (const [label, key, first] of [
      ['overview, households first: 10', 'overview', 10],
      ['overview, households first: 50', 'overview', 50],
      [`guest list page ${GUEST_PAGE_NUMBER}, first: 10`, 'guests', 10],
      [`guest list page ${GUEST_PAGE_NUMBER}, first: 50`, 'guests', 50],
      ['RSVP event summary', 'summary', undefined],
    ] as const) {
      const counts: number[] = [];
      for (const z of sized) {
        const sc = z.scenarios.find((x) => x.key === key)!;
        counts.push(await countStatements(sc.query, first === undefined ? sc.variables : { ...sc.variables, first }));
      }
      statementRows.push({ label, counts });
    }
    // Per read path, one figure whatever the size or page size: anything else is a query per row (N+1) or per guest.
    const statementsDiffer = (['overview', 'guest list', 'RSVP'] as const).filter(
      (path) => new Set(statementRows.filter((r) => r.label.startsWith(path)).flatMap((r) => r.counts)).size > 1,
    );
    if (process.env.BENCH_SHOW_SQL === '1') await showSql(app, gql, token, sized);

    // ── Load ─────────────────────────────────────────────────────────────────
    const load0 = loadavg()[0]!;
    const sliceOf = (z: Sized) => (z === base ? { warmup: WARMUP, duration: DURATION } : { warmup: LARGE_WARMUP, duration: LARGE_DURATION });
    log(
      `\nLoad: autocannon in a separate process, ${CONNECTIONS} connections; per row GraphQL and floor alternate ${ROUNDS}× ` +
        sized
          .map((z) => {
            const t = sliceOf(z);
            return `(${z.s.shape.key}: ${t.warmup} s warm-up + ${fmt(t.duration / ROUNDS)} s measured each, ${t.duration} s measured per row)`;
          })
          .join(', ') +
        (sized.length > 1 ? ' — the larger size gets shorter slices to keep the run short' : ''),
    );
    log(
      `Machine: ${cpus().length} cores, load average ${fmt(load0, 2)} before the load${load0 > cpus().length ? ' — busy: expect noisy numbers' : ''}\n`,
    );
    collectGarbage();
    const memBefore = memoryNow();
    const rows: {
      key: FloorQuery;
      size: string;
      label: string;
      g: Measured;
      f: Measured;
      mem: MemoryPeak;
      cpu?: CpuAttribution;
    }[] = [];
    const headers = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };
    let bad = 0;
    for (const key of RUN_HTTP ? SCENARIO_KEYS : []) {
      for (const z of sized) {
        const sc = z.scenarios.find((x) => x.key === key)!;
        const t = sliceOf(z);
        const gJob: LoadJob = {
          url: graphqlUrl,
          headers: { ...headers, authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: sc.query, variables: sc.variables }),
          connections: CONNECTIONS,
          warmupSeconds: t.warmup,
          durationSeconds: t.duration / ROUNDS,
          minResponses: Math.ceil(FEW_REQUESTS / ROUNDS),
        };
        const fJob: LoadJob = {
          ...gJob,
          url: `${floor.url}/${sc.key}`,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(sc.floorVars),
        };
        const g: LoadResult[] = [];
        const f: LoadResult[] = [];
        const mem: MemoryPeak = { rss: 0, heapUsed: 0, samples: 0 };
        for (let round = 0; round < ROUNDS; round++) {
          const { result, peak } = await sampleMemoryDuring(() => runLoad(gJob));
          g.push(result);
          mem.rss = Math.max(mem.rss, peak.rss);
          mem.heapUsed = Math.max(mem.heapUsed, peak.heapUsed);
          mem.samples += peak.samples;
          await quiesce(app);
          f.push(await runLoad(fJob));
        }
        // One more GraphQL slice under the CPU profiler, outside the table: sampling slows the app a little.
        let cpu: CpuAttribution | undefined;
        if (PROFILE_SECONDS > 0) {
          let profiled: LoadResult | undefined;
          cpu = await profileDuring(
            async () => {
              profiled = await runLoad({ ...gJob, warmupSeconds: 0, durationSeconds: PROFILE_SECONDS });
            },
            500,
            PROFILE_DIR && join(PROFILE_DIR, `${key}-${z.s.shape.key}.cpuprofile`),
          );
          bad += profiled!.bad;
          await quiesce(app);
        }
        rows.push({ key, size: z.s.shape.key, label: sc.label, g: summarize(g), f: summarize(f), mem, cpu });
      }
    }
    const load1 = loadavg()[0]!;

    // ── Report ───────────────────────────────────────────────────────────────
    const W = [38, 11, 9, 9, 9, 9, 9, 5];
    const line = (cells: string[]) => cells.map((x, i) => (i < 2 ? pad(x, W[i]!) : lpad(x, W[i]!))).join(' ');
    const ratio = (a: number, b: number) => `${fmt(a / b, 2)}x`;
    log(line(['scenario', 'target', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'requests', 'bad']));
    log('-'.repeat(W.reduce((a, b) => a + b + 1, -1)));
    for (const row of rows) {
      for (const [target, r] of [
        ['GraphQL', row.g],
        ['SQL floor', row.f],
      ] as const) {
        bad += r.bad;
        log(
          line([
            target === 'GraphQL' ? row.label : '',
            target,
            fmt(r.rps, 0),
            fmt(r.p50, 2),
            fmt(r.p95, 2),
            fmt(r.p99, 2),
            String(r.requests),
            String(r.bad),
          ]),
        );
      }
      log(
        line([
          '',
          'GraphQL/floor',
          ratio(row.g.rps, row.f.rps),
          ratio(row.g.p50, row.f.p50),
          ratio(row.g.p95, row.f.p95),
          ratio(row.g.p99, row.f.p99),
          '',
          '',
        ]),
      );
      log('');
    }
    for (const row of rows)
      for (const [target, r] of [
        ['GraphQL', row.g],
        ['SQL floor', row.f],
      ] as const)
        if (r.badSample) log(`  bad response (${row.label}, ${target}): ${r.badSample}`);
    // autocannon counts only responses that complete within a slice: a path whose latency under load nears the
    // slice's length leaves few samples (a slice the warm-up says would leave too few runs by count instead).
    for (const row of rows)
      for (const [target, r] of [
        ['GraphQL', row.g],
        ['SQL floor', row.f],
      ] as const)
        if (r.byCount)
          log(
            `  ${row.label}, ${target}: slower than its slices — ${r.byCount} of ${ROUNDS} ran by count ` +
              `(${Math.ceil(FEW_REQUESTS / ROUNDS)} requests each) instead of by time, ${fmt(r.seconds, 1)} s measured in all`,
          );
        else if (r.requests < FEW_REQUESTS)
          log(
            `  only ${r.requests} measured responses for ${row.label}, ${target}: its latency under load nears the slice length — ` +
              `raise BENCH_${row.size === base.s.shape.key ? '' : 'LARGE_'}DURATION for figures to rely on`,
          );

    if (sized.length > 1 && rows.length) {
      const [small, large] = [sized[0]!.s.shape, sized[sized.length - 1]!.s.shape];
      log(`From ${small.key} to ${large.key} guests (${fmt(large.guests / small.guests, 0)}× the data), ${large.key}/${small.key}:`);
      for (const key of SCENARIO_KEYS) {
        const a = rows.find((r) => r.key === key && r.size === small.key);
        const b = rows.find((r) => r.key === key && r.size === large.key);
        if (!a || !b) continue;
        log(
          `  ${pad(SCENARIO_NAMES[key], 20)} GraphQL p50 ${fmt(a.g.p50, 1)} → ${fmt(b.g.p50, 1)} ms (${ratio(b.g.p50, a.g.p50)}), ` +
            `req/s ${fmt(a.g.rps, 0)} → ${fmt(b.g.rps, 0)} (${ratio(b.g.rps, a.g.rps)});  floor p50 ${fmt(a.f.p50, 1)} → ${fmt(b.f.p50, 1)} ms (${ratio(b.f.p50, a.f.p50)})`,
        );
      }
      log('');
    }

    log(`SQL statements per request (app db.statements.count delta, one request, auth lookup included):`);
    log(`  ${pad('', 32)}${sized.map((z) => lpad(z.s.shape.key, 6)).join('')}`);
    for (const r of statementRows) log(`  ${pad(r.label, 32)}${r.counts.map((n) => lpad(String(n), 6)).join('')}`);
    log(
      statementsDiffer.length
        ? `  DIFFER across sizes or page sizes for: ${statementsDiffer.join(', ')} — a query per row or per guest (N+1)!`
        : `  each read path: the same count at every size and page size (no N+1)`,
    );
    log(`  SQL floor, any query → 1 (by construction)`);

    if (rows.length) {
      log(
        `\nAPI memory under load (MiB; process.memoryUsage() of the bench process every 100 ms during the GraphQL slices — it also holds ` +
          `the harness and the idle SQL floor server, so this is an upper bound on the app's):`,
      );
      log(`  before the load: RSS ${fmt(mib(memBefore.rss), 0)}, heap used ${fmt(mib(memBefore.heapUsed), 0)}`);
      for (const row of rows)
        log(`  ${pad(row.label, 38)} peak RSS ${lpad(fmt(mib(row.mem.rss), 0), 5)}, peak heap used ${lpad(fmt(mib(row.mem.heapUsed), 0), 5)}`);
    }

    const profiled = rows.filter((r) => r.cpu);
    if (profiled.length) {
      log(
        `\nAuthorization's share of the api's CPU (node:inspector profile, ${PROFILE_SECONDS} s extra GraphQL slice per row, not in the table; ` +
          `self time charged to the nearest app/GraphQL/Pothos frame — see bench/README.md; target: under ${fmt(AUTH_TARGET * 100, 0)}%):`,
      );
      for (const row of profiled) {
        const c = row.cpu!;
        const auth = c.share[AUTHORIZATION.name] ?? 0;
        log(
          `  ${pad(row.label, 38)} authorization ${lpad(fmt(auth * 100, 1), 5)}%  (+ target lookup ${fmt((c.share[TARGET_LOOKUP.name] ?? 0) * 100, 1)}%)` +
            `  of ${fmt(c.cpuMs / 1000, 2)} s CPU in ${fmt(c.wallMs / 1000, 1)} s  ${auth < AUTH_TARGET ? 'under target' : 'OVER target'}` +
            // A profile of an app that mostly waited for PostgreSQL has few samples: its shares swing widely.
            (c.cpuMs < 0.25 * c.wallMs ? '  (app mostly waiting on PostgreSQL: few samples)' : ''),
        );
        log(`      top self time: ${c.top.map((t) => `${t.name} ${fmt(t.share * 100, 1)}%`).join('; ')}`);
      }
    }
    // ── Live fan-out (subscriptions) ─────────────────────────────────────────
    let liveBad = 0;
    if (RUN_LIVE) {
      const live = await runLiveBench({ app, graphqlUrl: `http://127.0.0.1:${port}`, token, rsvp: base.rsvp, log });
      printLiveRows(live.rows, log);
      liveBad = live.bad;
    }

    log(`\nLoad average ${fmt(load1, 2)} after the load (the servers, PostgreSQL and autocannon share ${cpus().length} cores).`);
    if (abortedLogged)
      log(`\n(${abortedLogged} "request failed" AbortError log lines from the app were suppressed: requests cut off when a load run ends.)`);
    log(`\nTotal ${fmt((performance.now() - t0) / 1000)} s. Ratios are the result; absolute numbers vary by machine and run.`);
    if (statementsDiffer.length || bad > 0 || liveBad > 0) process.exitCode = 1;
  } finally {
    await floor?.close().catch(() => {});
    await http?.close().catch(() => {});
    await app?.close().catch(() => {});
    await db?.close().catch(() => {});
    // pool.end() resolves before the sockets are gone; let them close before forcing the drop.
    await new Promise((r) => setTimeout(r, 300));
    if (process.env.BENCH_KEEP_DB === '1') log(`Kept database ${dbName}.`);
    else await admin((c) => c.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`)).catch((e) => console.error(`could not drop ${dbName}:`, e));
  }
}

const ONLY = process.env.BENCH_ONLY;
/** BENCH_ONLY=webhooks, messages, assets, publishing, seating-arrange, seating or guest-page runs that part alone; live still runs the worker parts unless switched off. */
const ALONE = ['webhooks', 'messages', 'assets', 'publishing', 'seating-arrange', 'seating', 'guest-page'];
const partRuns = (part: string) =>
  ONLY === part || (!ALONE.includes(ONLY ?? '') && process.env[`BENCH_${part.toUpperCase().replaceAll('-', '_')}`] !== '0');
const RUN_MAIN = !ALONE.includes(ONLY ?? '');
const RUN_WEBHOOKS = partRuns('webhooks');
const RUN_MESSAGES = partRuns('messages');
const RUN_ASSETS = partRuns('assets');
const RUN_PUBLISHING = partRuns('publishing');
const RUN_SEATING_ARRANGE = partRuns('seating-arrange');
const RUN_SEATING = partRuns('seating');
const RUN_GUEST_PAGE = partRuns('guest-page');

(RUN_MAIN ? main() : Promise.resolve())
  .then(async () => {
    if (!RUN_WEBHOOKS) return;
    // ── Webhooks: committed events → 2 worker processes → a local receiver, vs plain POSTs ──
    log('');
    await runWebhookBench({ adminUrl: ADMIN_URL, log });
  })
  .then(async () => {
    if (!RUN_MESSAGES) return;
    // ── Messages: sendRsvpInvitations to 2,000 households → 2 worker processes → a local SMTP server, vs nodemailer alone ──
    log('');
    await runMessageBench({ adminUrl: ADMIN_URL, log });
  })
  .then(async () => {
    if (!RUN_ASSETS) return;
    // ── Assets: a 20 MB file through createAssetUpload → PUT → finalizeAsset, vs a plain PUT to the same storage ──
    log('');
    await runAssetBench({ adminUrl: ADMIN_URL, log });
  })
  .then(async () => {
    if (!RUN_PUBLISHING) return;
    // ── Publishing: the invitation package for 2,000 households → 1 worker process → PUBLISHED, vs the PDF toolchain alone ──
    log('');
    await runPublishingBench({ adminUrl: ADMIN_URL, log });
  })
  .then(async () => {
    if (!RUN_SEATING_ARRANGE) return;
    // ── Seating: the solver on the 5k occasion's largest event (and whole guest list), vs a first-fit plan of the same households ──
    log('');
    await runSeatingArrangeBench({ adminUrl: ADMIN_URL, log });
  })
  .then(async () => {
    if (!RUN_SEATING) return;
    // ── Seating through the API: autoArrangeSeatingPlan on the 5k RSVP event, and the venue's published-plan read vs one SQL statement ──
    log('');
    await runSeatingBench({ adminUrl: ADMIN_URL, log });
  })
  .then(async () => {
    if (!RUN_GUEST_PAGE) return;
    // ── The guest's RSVP page (HTML) on the 5k occasion, vs the GraphQL query it replaces and one SQL statement ──
    log('');
    await runGuestPageBench({ adminUrl: ADMIN_URL, log });
  })
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
