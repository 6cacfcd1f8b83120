/**
 * `npm run bench`: GraphQL read paths vs. a one-statement SQL floor, measured
 * in the same run on the same data. See bench/README.md.
 *
 * Env: BENCH_DATABASE_URL (admin url; default postgresql://postgres@127.0.0.1:5432/postgres),
 *      BENCH_CONNECTIONS (10), BENCH_DURATION (10 s), BENCH_WARMUP (2 s), BENCH_ROUNDS (2),
 *      BENCH_KEEP_DB=1 to keep the database for inspection,
 *      BENCH_LIVE=0 to skip the live fan-out scenario, BENCH_ONLY=live to run only it
 *      (BENCH_LIVE_SUBSCRIBERS 1000, BENCH_LIVE_CHANGES 20, BENCH_REDIS_URL redis://127.0.0.1:6379),
 *      BENCH_WEBHOOKS=0 to skip webhook delivery, BENCH_ONLY=webhooks to run only it (BENCH_WEBHOOK_EVENTS 2000).
 */
import './env.js';
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { Writable } from 'node:stream';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createApp, type App } from '../src/app/create-app.js';
import { createHttpServer, type HttpServer } from '../src/interfaces/graphql/server.js';
import { loadConfig } from '../src/platform/config.js';
import { createDatabase, type Database } from '../src/platform/db/client.js';
import { migrate } from '../src/platform/db/migrate.js';
import { createLogger } from '../src/platform/logger.js';
import { startFloorServer, type FloorQuery, type FloorServer, type FloorVars } from './floor.js';
import { LIVE_BENCH_ENV, printLiveRows, runLiveBench } from './live.js';
import type { LoadJob, LoadResult } from './load.js';
import { MEALS, seed, seedRsvp, SHAPE } from './seed.js';
import { runWebhookBench } from './webhooks.js';

const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 2);
/** GraphQL and floor alternate in this many slices of DURATION/ROUNDS each, so background load drifting during the run hits both alike. */
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 2));
const POOL_SIZE = 10; // the app's default pool (createDatabase); the floor gets the same
const PAGE = 50;
const GUEST_PAGE_NUMBER = 20;
const RUN_LIVE = process.env.BENCH_LIVE !== '0';
const RUN_HTTP = process.env.BENCH_ONLY !== 'live';

const OVERVIEW = /* GraphQL */ `
  query Overview($id: ID!, $first: Int!) {
    occasion(id: $id) {
      name
      events(first: 10) {
        totalCount
        edges {
          node {
            id
            name
            startsAt
          }
        }
      }
      actors(first: $first, filter: { kinds: [HOUSEHOLD] }) {
        totalCount
        edges {
          node {
            id
            displayName
            tags {
              name
            }
            members {
              role
              member {
                id
                displayName
              }
            }
          }
        }
      }
    }
  }
`;

const GUEST_PAGE = /* GraphQL */ `
  query GuestPage($id: ID!, $first: Int!, $after: String) {
    occasion(id: $id) {
      actors(first: $first, after: $after, filter: { kinds: [PERSON] }) {
        edges {
          node {
            id
            displayName
            email
            tags {
              name
            }
            memberOf {
              group {
                displayName
              }
            }
          }
        }
      }
    }
  }
`;

const RSVP_SUMMARY = /* GraphQL */ `
  query RsvpSummary($id: ID!) {
    event(id: $id) {
      rsvpSummary {
        invited
        attending
        declined
        pending
        headcount
        children
        plusOnes
        answers {
          fieldKey
          value
          count
        }
        tags {
          tag
          count
        }
      }
    }
  }
`;

const CURSOR_WALK = /* GraphQL */ `
  query Walk($id: ID!, $first: Int!, $after: String) {
    occasion(id: $id) {
      actors(first: $first, after: $after, filter: { kinds: [PERSON] }) {
        pageInfo {
          endCursor
          hasNextPage
        }
      }
    }
  }
`;

const log = (msg: string) => console.log(msg);

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

/** Sorts keys and `tags` lists so two responses compare by content (GraphQL gives tags in no particular order). */
function normalize(v: unknown, key?: string): unknown {
  if (Array.isArray(v)) {
    const xs = v.map((x) => normalize(x));
    return key === 'tags' ? xs.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) : xs;
  }
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, normalize((v as Record<string, unknown>)[k], k)]),
    );
  }
  return v;
}

function firstDifference(a: unknown, b: unknown, path = '$'): string | null {
  if (isDeepStrictEqual(a, b)) return null;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const d = firstDifference((a as any)[k], (b as any)[k], `${path}.${k}`);
      if (d) return d;
    }
  }
  return `${path}: GraphQL ${JSON.stringify(a)?.slice(0, 200)} vs floor ${JSON.stringify(b)?.slice(0, 200)}`;
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

    // ── Data ─────────────────────────────────────────────────────────────────
    const seedStart = performance.now();
    const s = await seed(app, gql);
    const c = s.counts;
    log(
      `Seeded in ${fmt((performance.now() - seedStart) / 1000)} s: ${c.guests} guests in ${c.households} households ` +
        `(${c.memberships} memberships), ${c.events} events, ${c.tags} tags (${c.actorTags} actor tags), owner via signUp + createOccasion`,
    );
    if (c.guests !== SHAPE.guests || c.households !== SHAPE.households) throw new Error('unexpected seed shape');
    // RSVP on event 1 (with a linked dinner form): measured by the summary scenario, then changed by the live one.
    const rsvpStart = performance.now();
    const rsvp = await seedRsvp(app, gql, s);
    const x = rsvp.expected;
    log(
      `Seeded RSVP in ${fmt((performance.now() - rsvpStart) / 1000)} s: event 1, ${rsvp.invited} households invited ` +
        `(${x.attending} attending, ${x.declined} declined, ${x.pending} pending; headcount ${x.headcount}, ${x.children} children, ${x.plusOnes} plus-ones), ` +
        `linked per-person form: ${x.submissions} submissions, ${x.mealAnswers} meal + ${x.dietaryAnswers} dietary answers`,
    );
    if (rsvp.invited !== SHAPE.households || x.attending + x.declined + x.pending !== rsvp.invited || x.mealAnswers !== x.headcount)
      throw new Error(`unexpected RSVP seed ${JSON.stringify({ invited: rsvp.invited, ...x })}`);

    // Cursor for page 20 of the guest list: the endCursor of page 19.
    let after: string | null = null;
    for (let page = 1; page < GUEST_PAGE_NUMBER; page++) {
      const r = await gql(CURSOR_WALK, { id: s.occasionId, first: PAGE, after }, s.token);
      if (r.errors) throw new Error(`cursor walk: ${JSON.stringify(r.errors)}`);
      after = r.data.occasion.actors.pageInfo.endCursor;
    }
    const afterRaw: string = Buffer.from(after!, 'base64').toString('utf8');
    const afterActorId = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/.exec(afterRaw)?.[0];
    if (!afterActorId) throw new Error(`cannot read the actor id out of cursor ${after} (${afterRaw})`);

    floor = await startFloorServer(databaseUrl, POOL_SIZE);

    const scenarios: {
      key: FloorQuery;
      label: string;
      query: string;
      variables: Record<string, unknown>;
      floorVars: FloorVars;
      /** Checks the GraphQL data beyond equality with the floor's; returns what to print. */
      check: (data: any) => string;
    }[] = [
      {
        key: 'overview',
        label: `overview (10 events, ${PAGE} households)`,
        query: OVERVIEW,
        variables: { id: s.occasionId, first: PAGE },
        floorVars: { occasionId: s.occasionUuid, first: PAGE, eventsFirst: 10 },
        check: (d) => {
          const o = d.occasion;
          if (o.actors.edges.length !== PAGE) throw new Error(`expected ${PAGE} edges, got ${o.actors.edges.length}`);
          if (o.actors.totalCount !== SHAPE.households || o.events.totalCount !== SHAPE.events || o.events.edges.length !== SHAPE.events)
            throw new Error(`unexpected counts ${JSON.stringify({ households: o.actors.totalCount, events: o.events.totalCount })}`);
          return `${o.actors.edges.length} edges`;
        },
      },
      {
        key: 'guests',
        label: `guest list page ${GUEST_PAGE_NUMBER} (${PAGE} people)`,
        query: GUEST_PAGE,
        variables: { id: s.occasionId, first: PAGE, after },
        floorVars: { occasionId: s.occasionUuid, first: PAGE, afterActorId },
        check: (d) => {
          const edges = d.occasion.actors.edges;
          if (edges.length !== PAGE) throw new Error(`expected ${PAGE} edges, got ${edges.length}`);
          return `${edges.length} edges`;
        },
      },
      {
        key: 'summary',
        label: `RSVP event summary (${SHAPE.households} invited)`,
        query: RSVP_SUMMARY,
        variables: { id: rsvp.eventId },
        floorVars: { eventId: rsvp.eventUuid },
        check: (d) => {
          const sum = d.event.rsvpSummary;
          const { invited, attending, declined, pending, headcount, children, plusOnes } = sum;
          const want = {
            invited: rsvp.invited,
            attending: x.attending,
            declined: x.declined,
            pending: x.pending,
            headcount: x.headcount,
            children: x.children,
            plusOnes: x.plusOnes,
          };
          if (!isDeepStrictEqual({ invited, attending, declined, pending, headcount, children, plusOnes }, want))
            throw new Error(
              `counts ${JSON.stringify({ invited, attending, declined, pending, headcount, children, plusOnes })}, seeded ${JSON.stringify(want)}`,
            );
          const total = (key: string) => sum.answers.filter((a: any) => a.fieldKey === key).reduce((n: number, a: any) => n + a.count, 0);
          const meals = new Set(sum.answers.filter((a: any) => a.fieldKey === 'meal').map((a: any) => a.value));
          // Every attending person answered the meal question once; every meal was chosen by someone.
          if (total('meal') !== x.headcount || meals.size !== MEALS.length || total('dietary') < x.dietaryAnswers || !sum.tags.length)
            throw new Error(`unexpected answers/tags ${JSON.stringify({ answers: sum.answers, tags: sum.tags })}`);
          return `${attending}/${invited} attending, ${sum.answers.length} answer counts, ${sum.tags.length} tag counts`;
        },
      },
    ];

    // ── Correctness before speed: no errors, and the floor returns the same data ──
    for (const sc of scenarios) {
      const g = await gql(sc.query, sc.variables, s.token);
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

    // ── Statements per request (Prisma's query events; the auth lookup included) ──
    const countStatements = async (query: string, variables: Record<string, unknown>) => {
      await gql(query, variables, s.token); // warm any per-process caches
      const before = app!.db.statements.count;
      const r = await gql(query, variables, s.token);
      if (r.errors) throw new Error(JSON.stringify(r.errors));
      return app!.db.statements.count - before;
    };
    const stmts10 = await countStatements(OVERVIEW, { id: s.occasionId, first: 10 });
    const stmts50 = await countStatements(OVERVIEW, { id: s.occasionId, first: 50 });
    const stmtsGuests = await countStatements(GUEST_PAGE, scenarios[1]!.variables);
    const stmtsSummary = await countStatements(RSVP_SUMMARY, scenarios[2]!.variables);
    if (process.env.BENCH_SHOW_SQL === '1') {
      const seen: string[] = [];
      // The client is built with query events on (createDatabase); its type does not say so.
      const prisma = app.db.prisma as unknown as { $on(event: 'query', cb: (e: { query: string }) => void): void };
      prisma.$on('query', (e) => void seen.push(e.query));
      for (const [label, query, variables] of [
        ['overview', OVERVIEW, { id: s.occasionId, first: PAGE }],
        ['RSVP event summary', RSVP_SUMMARY, scenarios[2]!.variables],
      ] as const) {
        seen.length = 0;
        await gql(query, variables, s.token);
        log(`\nStatements of one ${label} request:`);
        seen.forEach((q, i) => log(`  ${String(i + 1).padStart(2)}. ${q.replace(/\s+/g, ' ').slice(0, 400)}`));
      }
    }

    // ── Load ─────────────────────────────────────────────────────────────────
    const load0 = loadavg()[0]!;
    log(
      `\nLoad: autocannon in a separate process, ${CONNECTIONS} connections; per scenario GraphQL and floor alternate ` +
        `${ROUNDS}× (${WARMUP} s warm-up + ${fmt(DURATION / ROUNDS)} s measured each), ${DURATION} s measured per row in all`,
    );
    log(
      `Machine: ${cpus().length} cores, load average ${fmt(load0, 2)} before the load${load0 > cpus().length ? ' — busy: expect noisy numbers' : ''}\n`,
    );
    const rows: { label: string; target: string; r: Measured }[] = [];
    const headers = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };
    for (const sc of RUN_HTTP ? scenarios : []) {
      const gJob: LoadJob = {
        url: graphqlUrl,
        headers: { ...headers, authorization: `Bearer ${s.token}` },
        body: JSON.stringify({ query: sc.query, variables: sc.variables }),
        connections: CONNECTIONS,
        warmupSeconds: WARMUP,
        durationSeconds: DURATION / ROUNDS,
      };
      const fJob: LoadJob = {
        ...gJob,
        url: `${floor.url}/${sc.key}`,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(sc.floorVars),
      };
      const g: LoadResult[] = [];
      const f: LoadResult[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        g.push(await runLoad(gJob));
        f.push(await runLoad(fJob));
      }
      rows.push({ label: sc.label, target: 'GraphQL', r: summarize(g) });
      rows.push({ label: sc.label, target: 'SQL floor', r: summarize(f) });
    }
    const load1 = loadavg()[0]!;

    // ── Report ───────────────────────────────────────────────────────────────
    const W = [38, 11, 9, 9, 9, 9, 9, 5];
    const line = (cells: string[]) => cells.map((x, i) => (i < 2 ? pad(x, W[i]!) : lpad(x, W[i]!))).join(' ');
    log(line(['scenario', 'target', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'requests', 'bad']));
    log('-'.repeat(W.reduce((a, b) => a + b + 1, -1)));
    let bad = 0;
    for (let i = 0; i < rows.length; i += 2) {
      const g = rows[i]!;
      const f = rows[i + 1]!;
      for (const row of [g, f]) {
        bad += row.r.bad;
        log(
          line([
            row === g ? row.label : '',
            row.target,
            fmt(row.r.rps, 0),
            fmt(row.r.p50, 2),
            fmt(row.r.p95, 2),
            fmt(row.r.p99, 2),
            String(row.r.requests),
            String(row.r.bad),
          ]),
        );
      }
      const ratio = (a: number, b: number) => `${fmt(a / b, 2)}x`;
      log(line(['', 'GraphQL/floor', ratio(g.r.rps, f.r.rps), ratio(g.r.p50, f.r.p50), ratio(g.r.p95, f.r.p95), ratio(g.r.p99, f.r.p99), '', '']));
      log('');
    }
    for (const row of rows) if (row.r.badSample) log(`  bad response (${row.label}, ${row.target}): ${row.r.badSample}`);

    log(`SQL statements per request (app db.statements.count delta, one request, auth lookup included):`);
    log(`  overview, households first: 10  → ${stmts10}`);
    log(`  overview, households first: 50  → ${stmts50}   ${stmts10 === stmts50 ? 'same as first: 10 (no N+1)' : 'DIFFERS from first: 10 — N+1!'}`);
    log(`  guest list page (first: 50)     → ${stmtsGuests}`);
    log(`  RSVP event summary              → ${stmtsSummary}`);
    log(`  SQL floor, any query            → 1 (by construction)`);
    // ── Live fan-out (subscriptions) ─────────────────────────────────────────
    let liveBad = 0;
    if (RUN_LIVE) {
      const live = await runLiveBench({ app, graphqlUrl: `http://127.0.0.1:${port}`, token: s.token, rsvp, log });
      printLiveRows(live.rows, log);
      liveBad = live.bad;
    }

    log(`\nLoad average ${fmt(load1, 2)} after the load (the servers, PostgreSQL and autocannon share ${cpus().length} cores).`);
    if (abortedLogged)
      log(`\n(${abortedLogged} "request failed" AbortError log lines from the app were suppressed: requests cut off when a load run ends.)`);
    log(`\nTotal ${fmt((performance.now() - t0) / 1000)} s. Ratios are the result; absolute numbers vary by machine and run.`);
    if (stmts10 !== stmts50 || bad > 0 || liveBad > 0) process.exitCode = 1;
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

const ONLY_WEBHOOKS = process.env.BENCH_ONLY === 'webhooks';
const RUN_WEBHOOKS = process.env.BENCH_WEBHOOKS !== '0';

(ONLY_WEBHOOKS ? Promise.resolve() : main())
  .then(async () => {
    if (!RUN_WEBHOOKS && !ONLY_WEBHOOKS) return;
    // ── Webhooks: committed events → 2 worker processes → a local receiver, vs plain POSTs ──
    log('');
    await runWebhookBench({ adminUrl: ADMIN_URL, log });
  })
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
