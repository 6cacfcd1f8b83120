/**
 * Webhook delivery throughput and latency, end to end: events committed to
 * the outbox → the relay in two real worker processes (src/bin/worker.ts as
 * built in dist/, as `npm run worker` runs it; BullMQ on Redis) → signed POSTs to a local receiver. Beside it, the floor:
 * plain HTTP POSTs of bodies of the same size from one process to the same
 * receiver, as fast as the same number of connections allows.
 *
 * Run by `npm run bench` (BENCH_ONLY=webhooks for this part alone).
 * Env: BENCH_WEBHOOK_EVENTS (2000), BENCH_REDIS_URL (redis://127.0.0.1:6379).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { eventUpdated } from '../src/domains/events/events.business-events.js';
import { startBenchApp } from './bench-app.js';
import { encrypt } from '../src/platform/crypto.js';
import { recordBusinessEvents } from '../src/platform/outbox.js';
import { newWebhookSecret } from '../src/interfaces/webhooks/signing.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const EVENTS = Number(process.env.BENCH_WEBHOOK_EVENTS ?? 2000);
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const WORKERS = 2;
const CONCURRENCY = 20; // per worker (WEBHOOK_CONCURRENCY's default)
const BATCH = 50; // events per committed transaction in the burst
const LATENCY_EVENTS = Number(process.env.BENCH_WEBHOOK_LATENCY_EVENTS ?? 200);
const LATENCY_RATE = 20; // events per second in the paced phase

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');
const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

const TICK_MS = 10; // USER_HZ = 100 on Linux

/**
 * CPU ms the processes have used so far (user + system), null off Linux. Beside
 * the rates, whose wall clock grows with whatever else the machine runs, this
 * says what a delivery costs.
 */
export function cpuMs(pids: number[]): number | null {
  let ticks = 0;
  for (const pid of pids) {
    try {
      // pid (comm) state … utime(14) stime(15): fields after the ')' of comm.
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
      ticks += Number(rest[11]) + Number(rest[12]);
    } catch {
      return null;
    }
  }
  return ticks * TICK_MS;
}

let built = false;

export function startWorker(env: Record<string, string>): Promise<ChildProcess> {
  // The workers run the build: made or refreshed first when the sources changed, as `npm run worker` does.
  if (!built) execFileSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { cwd: ROOT, stdio: 'inherit' });
  built = true;
  // BENCH_WORKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the workers.
  const nodeArgs = process.env.BENCH_WORKER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, 'dist/src/bin/worker.js'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      LOG_LEVEL: 'info',
      NODE_ENV: 'production',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('worker did not start')), 60_000);
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.includes('worker running')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
  });
}

export interface WebhookBenchResult {
  events: number;
  webhook: { perSecond: number; p50: number; p99: number; seconds: number; requests: number; cpuMsPerDelivery: { workers: number; pg: number } };
  paced: { p50: number; p99: number; seconds: number };
  floor: { perSecond: number; p50: number; p99: number };
}

export async function runWebhookBench(opts: { adminUrl: string; log: (s: string) => void }): Promise<WebhookBenchResult> {
  const { log } = opts;
  const bench = await startBenchApp(opts.adminUrl, 'webhooks');
  const { appKey, databaseUrl, config, app, http, port } = bench;
  const db = app.db;
  const workers: ChildProcess[] = [];

  // The receiver: records when each webhook-id first arrived; answers 200 at once.
  const arrived = new Map<string, number>();
  let requests = 0;
  let onAll: (() => void) | null = null;
  let expected = Infinity;
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
      const id = req.headers['webhook-id'] as string | undefined;
      if (id && !arrived.has(id)) arrived.set(id, performance.now());
      res.writeHead(200).end();
      if (arrived.size >= expected) onAll?.();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

  try {
    // ── An occasion, an event, a partner integration granted event:read, its endpoint ──
    const gql = async (query: string, variables: Record<string, unknown>, token?: string) => {
      const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      const body = await res.json();
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data;
    };
    const signUp = await gql(`mutation($i: SignUpInput!) { signUp(input: $i) { ... on Session { accessToken } } }`, {
      i: { email: `bench-webhooks-${process.pid}@example.com`, password: 'bench-password-long', displayName: 'Bench' },
    });
    const token = signUp.signUp.accessToken;
    const occ = await gql(
      `mutation($i: CreateOccasionInput!) { createOccasion(input: $i) { ... on OccasionPayload { occasion { id } } } }`,
      { i: { name: 'Webhook bench', kind: 'GALA' } },
      token,
    );
    const occasionGid = occ.createOccasion.occasion.id;
    const ev = await gql(
      `mutation($i: CreateEventInput!) { createEvent(input: $i) { ... on EventPayload { event { id } } } }`,
      { i: { occasionId: occasionGid, name: 'Gala dinner', startsAt: '2027-06-01T18:00:00Z' } },
      token,
    );
    const raw = (gid: string) => Buffer.from(gid, 'base64url').toString('utf8').split(':')[1]!;
    const occasionId = raw(occasionGid);
    const eventId = raw(ev.createEvent.event.id);
    const p = app.db.prisma;
    const integration = await p.integrationApp.create({
      data: { displayName: 'Bench partner', businessRole: 'PARTNER', environment: 'PRODUCTION', status: 'ACTIVE', allowedOperationIds: [] },
    });
    const connection = await p.integrationConnection.create({ data: { integrationId: integration.id, occasionId } });
    await p.grant.create({
      data: { subjectType: 'INTEGRATION', subjectIntegrationId: integration.id, occasionId, actions: ['event:read'], scopeType: 'OCCASION' },
    });
    const endpoint = await p.webhookEndpoint.create({
      data: {
        connectionId: connection.id,
        integrationId: integration.id,
        occasionId,
        url: receiverUrl,
        eventTypes: ['event.updated'],
        environment: 'PRODUCTION',
      },
    });
    const secret = newWebhookSecret();
    await p.webhookEndpointSecret.create({
      data: { endpointId: endpoint.id, valueEnc: encrypt(secret, Buffer.from(appKey, 'base64')), hint: secret.slice(0, 10) },
    });

    const env = {
      DATABASE_URL: databaseUrl,
      // BENCH_WEBHOOK_QUEUE=in-process: the workers' own in-process dispatcher instead of BullMQ (to compare).
      ...(process.env.BENCH_WEBHOOK_QUEUE === 'in-process' ? {} : { REDIS_URL }),
      APP_KEY: appKey,
      QUEUE_PREFIX: `bench${process.pid}`,
      WEBHOOK_ALLOWED_NETWORKS: 'loopback',
      WEBHOOK_CONCURRENCY: String(CONCURRENCY),
    };
    for (let i = 0; i < WORKERS; i++) workers.push(await startWorker(env));
    log(
      `Webhooks: event.updated events, ${WORKERS} worker processes (BullMQ on Redis, ` +
        `concurrency ${CONCURRENCY} each, relay woken at commit, fallback poll ${config.WEBHOOK_RELAY_POLL_MS} ms), thin envelope (no document), receiver on 127.0.0.1`,
    );

    // ── End to end: commit → receiver got it ──
    const caller = { principal: { kind: 'system' as const, reason: 'bench', actions: [] }, requestId: 'bench' };
    let marker = 0;
    /** Commits `n` events, `batch` per transaction, `paceMs` apart; resolves with when each arrived after its commit, once all did. */
    const run = async (n: number, batch: number, paceMs: number) => {
      arrived.clear();
      expected = n;
      const committedAt = new Map<string, number>();
      const allArrived = new Promise<void>((r) => (onAll = r));
      const start = performance.now();
      for (let done = 0; done < n; done += batch) {
        const k = Math.min(batch, n - done);
        const first = marker;
        marker += k;
        const tick = performance.now();
        await p.$transaction((tx) =>
          recordBusinessEvents(
            tx,
            caller,
            eventUpdated,
            Array.from({ length: k }, (_, i) => ({ occasionId, eventId, payload: { occasionId, eventId, changed: [`m${first + i}`] } })),
          ),
        );
        const at = performance.now();
        // Which rows this commit made (recordBusinessEvents writes in bulk and returns no ids): read back by marker, outside the timing.
        const rows = await p.$queryRaw<{ id: string }[]>`
          SELECT id FROM outbox_events WHERE type = 'event.updated' AND occasion_id = ${occasionId}::uuid
            AND (payload->'changed'->>0) = ANY(${Array.from({ length: k }, (_, i) => `m${first + i}`)})`;
        for (const r of rows) committedAt.set(r.id, at);
        const wait = paceMs - (performance.now() - tick);
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        allArrived,
        new Promise((_, rej) => (timer = setTimeout(() => rej(new Error(`only ${arrived.size}/${n} arrived in 5 minutes`)), 300_000))),
      ]).finally(() => clearTimeout(timer));
      const latencies = [...arrived.entries()]
        .map(([id, t]) => t - (committedAt.get(id) ?? NaN))
        .filter(Number.isFinite)
        .sort((a, b) => a - b);
      if (latencies.length !== n) throw new Error(`${latencies.length} of ${n} arrivals matched a commit`);
      return { seconds: (Math.max(...arrived.values()) - start) / 1000, p50: pct(latencies, 50), p99: pct(latencies, 99) };
    };

    // CPU per delivery: the worker processes, and the database's backends (the server runs on this machine, as
    // the bench assumes; commits included; a backend that ends mid-run is missed, one that starts counts from 0).
    const backendsCpu = async () => {
      const rows = await p.$queryRaw<{ pid: number }[]>`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`;
      return new Map(rows.map((r) => [r.pid, cpuMs([r.pid])]));
    };
    const workerPids = workers.map((w) => w.pid!);
    const cpuBefore = { workers: cpuMs(workerPids), pg: await backendsCpu() };
    const requestsBefore = requests;
    const burst = await run(EVENTS, BATCH, 0);
    const cpuAfter = { workers: cpuMs(workerPids), pg: await backendsCpu() };
    const pgMs = [...cpuAfter.pg].reduce(
      (sum, [pid, ms]) => (ms === null || sum === null ? null : sum + ms - (cpuBefore.pg.get(pid) ?? 0)),
      0 as number | null,
    );
    const cpu = {
      workers: cpuAfter.workers === null || cpuBefore.workers === null ? NaN : (cpuAfter.workers - cpuBefore.workers) / EVENTS,
      pg: pgMs === null ? NaN : pgMs / EVENTS,
    };
    const webhook = {
      perSecond: EVENTS / burst.seconds,
      p50: burst.p50,
      p99: burst.p99,
      seconds: burst.seconds,
      requests: requests - requestsBefore,
      cpuMsPerDelivery: cpu,
    };
    // Latency without a backlog: one event per transaction at a rate the workers keep up with.
    const paced = await run(LATENCY_EVENTS, 1, 1000 / LATENCY_RATE);
    // The receiver answers before the worker records the attempt: give the last ones a moment to be written.
    const total = EVENTS + LATENCY_EVENTS;
    let succeeded = 0;
    for (let i = 0; i < 100 && succeeded < total; i++) {
      succeeded = await p.webhookDelivery.count({ where: { endpointId: endpoint.id, status: 'SUCCEEDED' } });
      if (succeeded < total) await new Promise((r) => setTimeout(r, 100));
    }
    if (succeeded !== total) throw new Error(`${succeeded} deliveries SUCCEEDED, expected ${total}`);

    // ── Floor: plain POSTs, same receiver, same body size, same number of connections ──
    const body = JSON.stringify({
      type: 'event.updated',
      id: '0'.repeat(36),
      occurredAt: new Date().toISOString(),
      occasionId: occasionGid,
      eventId: ev.createEvent.event.id,
      sequence: 1,
    });
    const agent = new Agent({ connections: WORKERS * CONCURRENCY });
    const floorLat: number[] = [];
    let next = 0;
    const floorStart = performance.now();
    const floorCpuBefore = process.cpuUsage();
    await Promise.all(
      Array.from({ length: WORKERS * CONCURRENCY }, async () => {
        while (next < EVENTS) {
          const i = next++;
          const t = performance.now();
          const r = await request(receiverUrl, {
            method: 'POST',
            dispatcher: agent,
            headers: { 'content-type': 'application/json', 'webhook-id': `floor-${i}` },
            body,
          });
          await r.body.dump();
          floorLat.push(performance.now() - t);
        }
      }),
    );
    const floorSeconds = (performance.now() - floorStart) / 1000;
    const floorCpu = process.cpuUsage(floorCpuBefore);
    await agent.close();
    floorLat.sort((a, b) => a - b);
    const floor = { perSecond: EVENTS / floorSeconds, p50: pct(floorLat, 50), p99: pct(floorLat, 99) };

    log(
      `  webhooks, burst        : ${fmt(webhook.perSecond)} deliveries/s (${EVENTS} committed at once, all received in ${fmt(webhook.seconds, 2)} s, ` +
        `${webhook.requests} requests); commit→receipt under that backlog p50 ${fmt(webhook.p50)} ms, p99 ${fmt(webhook.p99)} ms`,
    );
    log(
      `  CPU per delivery, burst: workers ${fmt(cpu.workers, 2)} ms, PostgreSQL ${fmt(cpu.pg, 2)} ms ` +
        `(floor: ${fmt((floorCpu.user + floorCpu.system) / 1000 / EVENTS, 2)} ms per POST, client and receiver in one process)`,
    );
    log(
      `  webhooks, paced        : ${LATENCY_EVENTS} events at ${LATENCY_RATE}/s, one per transaction: commit→receipt p50 ${fmt(paced.p50)} ms, p99 ${fmt(paced.p99)} ms`,
    );
    log(`  plain HTTP POST floor  : ${fmt(floor.perSecond)} POSTs/s, request p50 ${fmt(floor.p50, 2)} ms, p99 ${fmt(floor.p99, 2)} ms`);
    log(
      `  ratios: floor/webhook rate ${fmt(floor.perSecond / webhook.perSecond)}x; paced webhook p50 / floor request p50 ${fmt(paced.p50 / floor.p50)}x ` +
        `(the webhook's includes the relay, woken at commit, the queue hop and the permission re-check)`,
    );
    return { events: EVENTS, webhook, paced, floor };
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode !== null ? r(null) : w.once('exit', r)))));
    receiver.close();
    await http.close();
    await app.close();
    await db.close();
    await bench.dropDatabase();
  }
}
