/**
 * Live fan-out: N graphql-ws subscribers to `rsvpSummaryChanged` on one event
 * of the 5,000-guest occasion; for each committed RSVP change (a planner's
 * `overrideRsvpResponses` over HTTP), the time from COMMIT to the LAST
 * subscriber's message. Compared, in the same run, with floors: the same
 * fan-out as a plain `ws` broadcast of the precomputed message from one
 * process, and the summary SQL alone. See bench/README.md.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import { type App, createApp } from '../src/app/create-app.js';
import type { RecordedBusinessEvent } from '../src/platform/outbox.js';
import { createHttpServer } from '../src/interfaces/graphql/server.js';
import { loadConfig } from '../src/platform/config.js';
import { createRedis, pingRedis } from '../src/platform/redis.js';
import { databaseNow, rsvpTargets } from '../src/modules/rsvp/live/rsvp.live.js';
import { eventSummaries } from '../src/modules/rsvp/live/rsvp.summary.js';
import type { RsvpSeeded } from './seed.js';

const SUBSCRIBERS = Number(process.env.BENCH_LIVE_SUBSCRIBERS ?? 1000);
const CHANGES = Number(process.env.BENCH_LIVE_CHANGES ?? 20);
const WARMUP_CHANGES = 2;
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Every subscriber connects from 127.0.0.1, one socket each: the api under test must allow that
 * many sockets from one address (WS_MAX_CONNECTIONS_PER_ADDRESS, 100 by default).
 */
export const LIVE_BENCH_ENV = { WS_MAX_CONNECTIONS_PER_ADDRESS: String(SUBSCRIBERS + 10) };

const SUBSCRIPTION = /* GraphQL */ `
  subscription Live($id: ID!) {
    rsvpSummaryChanged(eventId: $id) {
      eventId
      invited
      attending
      declined
      pending
      headcount
      children
      plusOnes
      tags {
        tag
        count
      }
    }
  }
`;

type Gql = (query: string, variables?: Record<string, unknown>, token?: string) => Promise<any>;
const now = () => performance.timeOrigin + performance.now();

export interface LiveRow {
  label: string;
  /** ms per change (commit → last subscriber, or broadcast start → last receiver, or SQL time). */
  samples: number[];
  /** commit → first and median subscriber, for the GraphQL rows. */
  first?: number[];
  median?: number[];
  wrong: number;
  note?: string;
}

/** The subscriber process, one request at a time. */
function clients() {
  const child: ChildProcess = fork(fileURLToPath(new URL('./live-clients.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    stdio: 'inherit',
  });
  const ask = <T = any>(req: unknown): Promise<T> =>
    new Promise((resolve, reject) => {
      const onExit = (code: number) => reject(new Error(`live subscriber process exited with ${code}`));
      child.once('exit', onExit);
      child.once('message', (m: any) => {
        child.off('exit', onExit);
        if (m.type === 'error') reject(new Error(m.error));
        else resolve(m as T);
      });
      child.send(req as never);
    });
  return { ask, kill: () => child.kill() };
}

export async function runLiveBench(opts: {
  app: App;
  graphqlUrl: string;
  token: string;
  /** The RSVP event seeded by seedRsvp (bench/seed.ts), shared with the HTTP summary scenario. */
  rsvp: RsvpSeeded;
  log: (s: string) => void;
}): Promise<{ rows: LiveRow[]; bad: number }> {
  const { app, token, rsvp, log } = opts;
  const [s0] = await eventSummaries(app.db.prisma, [rsvp.eventUuid]);
  if (!s0) throw new Error('no RSVP summary for the seeded event');
  log(
    `\nLive fan-out: RSVP on one event, ${rsvp.invited} households invited (${s0.attending} attending, ${s0.declined} declined, ${s0.pending} pending, headcount ${s0.headcount}); ` +
      `${SUBSCRIBERS} graphql-ws subscribers in a separate process; ${WARMUP_CHANGES} warm-up + ${CHANGES} measured changes per row`,
  );
  if (rsvp.pendingInvitations.length < 3 * (CHANGES + WARMUP_CHANGES)) throw new Error('not enough pending invitations for the changes');

  // The commit instant, taken where it happens: inTransaction hands committed events to the notifier right after COMMIT.
  const commits: number[] = [];
  const hook = (target: App) => {
    const committed = target.live.committed.bind(target.live);
    target.live.committed = (events: RecordedBusinessEvent[]) => {
      if (events.some((e) => e.type === 'rsvp.overridden')) commits.push(now());
      committed(events);
    };
  };

  const c = clients();
  const rows: LiveRow[] = [];
  let bad = 0;
  let attending = s0.attending;
  let nextInvitation = 0;
  try {
    /** Subscribes, then runs the changes; latency = arrival − commit. */
    const gqlAt =
      (url: string): Gql =>
      async (query, variables, bearer) => {
        const res = await fetch(`${url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
          body: JSON.stringify({ query, variables }),
        });
        return res.json();
      };
    const measureGraphQL = async (label: string, target: App, url: string): Promise<string> => {
      // The change is committed by the app being measured: its notifier is the one that publishes.
      const mutate = gqlAt(url);
      hook(target);
      const ready = await c.ask<{ ms: number; sample: any }>({
        type: 'graphql',
        url: url.replace(/^http/, 'ws') + '/graphql',
        token,
        query: SUBSCRIPTION,
        variables: { id: rsvp.eventId },
        count: SUBSCRIBERS,
      });
      if (ready.sample?.data?.rsvpSummaryChanged?.attending !== attending)
        throw new Error(`${label}: unexpected first message ${JSON.stringify(ready.sample)}`);
      log(`  ${label}: ${SUBSCRIBERS} subscribed (current summary received by all) in ${(ready.ms / 1000).toFixed(1)} s`);
      try {
        return await changes(label, mutate);
      } finally {
        await c.ask({ type: 'close' });
      }
    };
    const changes = async (label: string, mutate: Gql): Promise<string> => {
      const row: LiveRow = { label, samples: [], first: [], median: [], wrong: 0 };
      let sampleMessage = '';
      for (let i = 0; i < WARMUP_CHANGES + CHANGES; i++) {
        const n = i + 2;
        commits.length = 0;
        attending += 1;
        const arrived = c.ask<{ first: number; median: number; last: number; wrong: number; sample: unknown }>({
          type: 'expect',
          n,
          check: { path: ['data', 'rsvpSummaryChanged', 'attending'], equals: attending },
        });
        const invitationId = rsvp.pendingInvitations[nextInvitation++]!;
        const r = await mutate(
          `mutation($i: OverrideRsvpResponsesInput!) { overrideRsvpResponses(input: $i) { __typename ... on Error { code message } } }`,
          { i: { invitationId, reason: 'bench', responses: [{ eventId: rsvp.eventId, status: 'ATTENDING' }] } },
          token,
        );
        if (r.data?.overrideRsvpResponses?.__typename !== 'OverrideRsvpResponsesPayload')
          throw new Error(`override failed: ${JSON.stringify(r).slice(0, 400)}`);
        const a = await arrived;
        if (commits.length !== 1) throw new Error(`${label}: expected one commit, saw ${commits.length}`);
        sampleMessage = JSON.stringify({ id: 'x', type: 'next', payload: a.sample });
        if (i < WARMUP_CHANGES) continue;
        row.samples.push(a.last - commits[0]!);
        row.first!.push(a.first - commits[0]!);
        row.median!.push(a.median - commits[0]!);
        row.wrong += a.wrong;
      }
      rows.push(row);
      bad += row.wrong;
      return sampleMessage;
    };

    // 1. This process's app: in-process pub/sub (the embedded default's path).
    const sample = await measureGraphQL('GraphQL live, in-process pub/sub', app, opts.graphqlUrl);

    // 2. The same through Redis (the scale-out path): a second app on the same database with REDIS_URL.
    let redisApp: App | undefined;
    let redisHttp: ReturnType<typeof createHttpServer> | undefined;
    try {
      const probe = createRedis(REDIS_URL);
      const reachable = await pingRedis(probe);
      probe.disconnect();
      if (!reachable) throw new Error(`no Redis at ${REDIS_URL}`);
      redisApp = await createApp(
        loadConfig({
          ...process.env,
          ...LIVE_BENCH_ENV,
          NODE_ENV: app.config.NODE_ENV,
          DATABASE_URL: app.config.DATABASE_URL,
          REDIS_URL,
          APP_KEY: app.config.APP_KEY,
          LOG_LEVEL: 'warn',
        }),
        {
          db: app.db,
          logger: app.logger,
        },
      );
      redisHttp = createHttpServer(redisApp);
      const port = await redisHttp.listen(0, '127.0.0.1');
      await measureGraphQL('GraphQL live, Redis pub/sub', redisApp, `http://127.0.0.1:${port}`);
    } catch (e) {
      log(`  (Redis row skipped: ${(e as Error).message})`);
    } finally {
      await redisHttp?.close().catch(() => {});
      await redisApp?.close().catch(() => {});
    }

    // 3. Floor: the same message, precomputed, broadcast over plain ws from one process.
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    const floorUrl = `ws://127.0.0.1:${(wss.address() as { port: number }).port}`;
    await c.ask({ type: 'plain', url: floorUrl, count: SUBSCRIBERS });
    const floor: LiveRow = { label: 'floor: plain ws broadcast', samples: [], wrong: 0, note: `${Buffer.byteLength(sample)} B precomputed` };
    for (let i = 0; i < WARMUP_CHANGES + CHANGES; i++) {
      const arrived = c.ask<{ last: number; wrong: number }>({ type: 'expect', n: i + 1 });
      const t0 = now();
      for (const client of wss.clients) client.send(sample);
      const a = await arrived;
      if (i < WARMUP_CHANGES) continue;
      floor.samples.push(a.last - t0);
      floor.wrong += a.wrong;
    }
    await c.ask({ type: 'close' });
    await new Promise<void>((r) => wss.close(() => r()));
    rows.push(floor);

    // 4. Floor: the summary SQL alone, as the publisher runs it once per commit.
    const sql: LiveRow = { label: 'floor: summary SQL alone', samples: [], wrong: 0, note: 'clock + enablement + 3 aggregates' };
    for (let i = 0; i < WARMUP_CHANGES + CHANGES; i++) {
      const t0 = now();
      await databaseNow(app.db.prisma);
      await rsvpTargets(app.db.prisma, { eventIds: [rsvp.eventUuid] });
      await eventSummaries(app.db.prisma, [rsvp.eventUuid]);
      if (i >= WARMUP_CHANGES) sql.samples.push(now() - t0);
    }
    rows.push(sql);
  } finally {
    c.kill();
  }
  return { rows, bad };
}

export function printLiveRows(rows: LiveRow[], log: (s: string) => void) {
  const pct = (xs: number[], p: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN;
  };
  const f = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');
  const W = [38, 9, 9, 9, 14, 6];
  const line = (cells: string[]) => cells.map((x, i) => (i === 0 ? x.padEnd(W[i]!) : x.padStart(W[i]!))).join(' ');
  log(`\n${`rsvpSummaryChanged fan-out to ${SUBSCRIBERS} subscribers (ms)`}`);
  log(line(['row (commit → last subscriber)', 'p50', 'p99', 'max', 'first/median', 'wrong']));
  log('-'.repeat(W.reduce((a, b) => a + b + 1, -1)));
  for (const r of rows) {
    const fm = r.first ? `${f(pct(r.first, 50))}/${f(pct(r.median!, 50))}` : '';
    log(
      line([r.label, f(pct(r.samples, 50)), f(pct(r.samples, 99)), f(Math.max(...r.samples)), fm, String(r.wrong)]) + (r.note ? `  ${r.note}` : ''),
    );
  }
  const floor = rows.find((r) => r.label.startsWith('floor: plain'));
  const sql = rows.find((r) => r.label.startsWith('floor: summary SQL'));
  if (floor && sql) {
    for (const r of rows.filter((x) => x.label.startsWith('GraphQL'))) {
      const ratio = (p: number) => `${(pct(r.samples, p) / pct(floor.samples, p)).toFixed(2)}x`;
      const ratioBoth = (p: number) => `${(pct(r.samples, p) / (pct(floor.samples, p) + pct(sql.samples, p))).toFixed(2)}x`;
      log(`  ${r.label} / broadcast floor: p50 ${ratio(50)}, p99 ${ratio(99)};  / (broadcast + SQL): p50 ${ratioBoth(50)}, p99 ${ratioBoth(99)}`);
    }
  }
}
