/**
 * Invitation emails end to end: a planner's `sendRsvpInvitations` to every
 * household of the 5,000-guest occasion (over HTTP, as the owner) → one
 * comm_deliveries row per household in its transaction → the message sender
 * in real worker processes (src/bin/worker.ts as built in dist/, BullMQ on
 * Redis, SMTP through nodemailer's pool) → a local SMTP server. Beside it, the
 * floor: the same messages, already rendered, sent by nodemailer alone over
 * the same number of pooled connections to the same server.
 *
 * Run by `npm run bench` (BENCH_MESSAGES=0 skips it, BENCH_ONLY=messages runs only it).
 * Env: BENCH_REDIS_URL (redis://127.0.0.1:6379), BENCH_MESSAGE_QUEUE=in-process (the workers without Redis).
 */
import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { startBenchApp } from './bench-app.js';
import { seed, seedRsvp, signUpOwner, SIZES } from './seed.js';
import { startSmtpSink, type SmtpSink, type SunkMessage } from './smtp-sink.js';
import { cpuMs, startWorker } from './webhooks.js';

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const WORKERS = 2;
const CONCURRENCY = 10; // MAIL_CONCURRENCY's default, per worker
/** The SMTP pool of each worker's transport (createSmtpTransport's default maxConnections; the config has no knob). */
const SMTP_CONNECTIONS_PER_WORKER = 5;
const ARRIVAL_TIMEOUT_MS = 120_000;

const require = createRequire(import.meta.url);
const nodemailer = require('nodemailer') as typeof import('nodemailer');

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

const SEND = `mutation($i: SendRsvpInvitationsInput!) {
  sendRsvpInvitations(input: $i) {
    __typename
    ... on SendRsvpInvitationsPayload { queued suppressed alreadySent alreadyQueued withoutAddress send { id } }
    ... on Error { message }
  }
}`;

/**
 * Every household exactly once, at its own address, each message with its own Message-ID. `addressOf`: unit →
 * expected address (from the seeded rows, not from the app); `unitOfMessageId`, when given: what the app wrote
 * (comm_deliveries), so each message is the delivery of the household it reached.
 */
function checkArrivals(label: string, got: SunkMessage[], addressOf: Map<string, string>, unitOfMessageId?: Map<string, string>): { bytes: number } {
  const unitOfAddress = new Map([...addressOf].map(([unit, address]) => [address, unit]));
  const seen = new Map<string, number>();
  const ids = new Set<string>();
  const problems: string[] = [];
  for (const m of got) {
    if (!m.messageId) problems.push(`a message to ${m.to} has no Message-ID`);
    else if (ids.has(m.messageId)) problems.push(`Message-ID ${m.messageId} arrived twice`);
    else ids.add(m.messageId);
    if (m.rcptTo.length !== 1 || m.rcptTo[0] !== m.to) problems.push(`RCPT TO ${m.rcptTo.join(',')} but To: ${m.to}`);
    const unit = m.to ? unitOfAddress.get(m.to) : undefined;
    if (!unit) {
      problems.push(`To: ${m.to} is no household's address`);
      continue;
    }
    seen.set(unit, (seen.get(unit) ?? 0) + 1);
    if (unitOfMessageId && m.messageId && unitOfMessageId.get(m.messageId) !== unit)
      problems.push(`${m.messageId} reached ${m.to}, but it is the delivery of unit ${unitOfMessageId.get(m.messageId) ?? '(none)'}`);
  }
  for (const [unit, address] of addressOf) {
    const n = seen.get(unit) ?? 0;
    if (n !== 1) problems.push(`household ${unit} (${address}) got ${n} messages`);
  }
  if (problems.length)
    throw new Error(`${label}: ${problems.length} problems with ${got.length} messages, e.g.\n  ${problems.slice(0, 10).join('\n  ')}`);
  return { bytes: got.reduce((a, m) => a + m.bytes, 0) / got.length };
}

export interface MessageBenchPass {
  label: string;
  messages: number;
  /** Mutation request → last message accepted. */
  seconds: number;
  perSecond: number;
  mutationMs: number;
  statements: number;
  /** Mutation response → first and last message accepted. */
  firstAfterMs: number;
  lastAfterMs: number;
  cpuMsPerMessage: { workers: number; pg: number };
  bytes: number;
}

export interface MessageBenchResult {
  passes: MessageBenchPass[];
  floor: { perSecond: number; seconds: number; cpuMsPerMessage: number; bytes: number };
}

export async function runMessageBench(opts: { adminUrl: string; log: (s: string) => void }): Promise<MessageBenchResult> {
  const { log } = opts;
  const t0 = performance.now();
  const bench = await startBenchApp(opts.adminUrl, 'messages');
  const { appKey, databaseUrl, app, http } = bench;
  const db = app.db;
  const sink: SmtpSink = await startSmtpSink();
  const workers: ChildProcess[] = [];
  const gql = bench.gql;

  try {
    // ── The 5k occasion, every household invited to RSVP on event 1 (as the read-path scenarios seed it) ──
    const shape = SIZES[0]!;
    const seedStart = performance.now();
    const token = await signUpOwner(gql);
    const s = await seed(app, gql, token, shape);
    const rsvp = await seedRsvp(app, gql, s);
    if (rsvp.invited !== shape.households) throw new Error(`seeded ${rsvp.invited} invitations, expected ${shape.households}`);
    // Each household's address as the recipients rule gives it (the invitation's primary person, else the unit's
    // own): the seed gives every household's head an address of its own, so none should be missing or shared.
    const expected = await db.query<{ unit: string; address: string | null }>(
      `SELECT i.invitation_unit_actor_id AS unit, lower(COALESCE(p.email, u.email)) AS address
         FROM rsvp_invitations i JOIN actors p ON p.id = i.primary_actor_id JOIN actors u ON u.id = i.invitation_unit_actor_id
        WHERE i.occasion_id = $1`,
      [s.occasionUuid],
    );
    const addressOf = new Map(expected.map((r) => [r.unit, r.address ?? '']));
    if (expected.some((r) => !r.address) || new Set(addressOf.values()).size !== shape.households)
      throw new Error('the seed changed: every household should have one address of its own');
    log(`Messages: seeded ${shape.key} (${shape.households} households, all invited to RSVP) in ${fmt((performance.now() - seedStart) / 1000)} s`);

    const env = {
      DATABASE_URL: databaseUrl,
      ...(process.env.BENCH_MESSAGE_QUEUE === 'in-process' ? {} : { REDIS_URL }),
      APP_KEY: appKey,
      QUEUE_PREFIX: `benchmail${process.pid}`,
      MAIL_URL: sink.url,
      MAIL_CONCURRENCY: String(CONCURRENCY),
    };
    for (let i = 0; i < WORKERS; i++) workers.push(await startWorker(env));
    const connections = WORKERS * SMTP_CONNECTIONS_PER_WORKER;
    log(
      `  ${WORKERS} worker processes (${env.REDIS_URL ? 'BullMQ on Redis' : 'in-process queue'}, MAIL_CONCURRENCY ${CONCURRENCY} each, ` +
        `nodemailer pool of ${SMTP_CONNECTIONS_PER_WORKER} SMTP connections each: ${connections} in all), smtp-server on 127.0.0.1`,
    );

    const p = app.db.prisma;
    const backendsCpu = async () => {
      const rows = await p.$queryRaw<{ pid: number }[]>`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`;
      return new Map(rows.map((r) => [r.pid, cpuMs([r.pid])]));
    };
    const workerPids = workers.map((w) => w.pid!);

    /** One send to every household, timed from the request to the last message accepted, then checked. */
    const pass = async (label: string, resend: boolean): Promise<MessageBenchPass> => {
      sink.reset();
      const arrived = sink.waitFor(shape.households, ARRIVAL_TIMEOUT_MS);
      const cpuBefore = { workers: cpuMs(workerPids), pg: await backendsCpu() };
      const statementsBefore = app.db.statements.count;
      const start = performance.now();
      const r = await gql(SEND, { i: { occasionId: s.occasionId, resend } }, token);
      const answered = performance.now();
      const statements = app.db.statements.count - statementsBefore;
      const payload = r?.data?.sendRsvpInvitations;
      if (r.errors || payload?.__typename !== 'SendRsvpInvitationsPayload') throw new Error(`${label}: ${JSON.stringify(r).slice(0, 800)}`);
      if (payload.queued !== shape.households || payload.suppressed || payload.withoutAddress.length)
        throw new Error(`${label}: expected ${shape.households} queued, got ${JSON.stringify(payload)}`);
      await arrived;
      const last = Math.max(...sink.messages.map((m) => m.at));
      const first = Math.min(...sink.messages.map((m) => m.at));
      const cpuAfter = { workers: cpuMs(workerPids), pg: await backendsCpu() };
      // The server answers before the worker records the send: give the last rows a moment.
      const sendId = Buffer.from(payload.send.id, 'base64url').toString('utf8').split(':')[1]!;
      let rows: { message_id: string; unit_actor_id: string; status: string }[] = [];
      for (let i = 0; i < 100; i++) {
        rows = await db.query(`SELECT message_id, unit_actor_id, status FROM comm_deliveries WHERE send_id = $1`, [sendId]);
        if (rows.every((d) => d.status === 'SENT')) break;
        await new Promise((res) => setTimeout(res, 100));
      }
      const notSent = rows.filter((d) => d.status !== 'SENT');
      if (rows.length !== shape.households || notSent.length)
        throw new Error(`${label}: ${rows.length} deliveries, ${notSent.length} not SENT (${notSent[0]?.status ?? ''})`);
      const { bytes } = checkArrivals(label, sink.messages, addressOf, new Map(rows.map((d) => [d.message_id, d.unit_actor_id])));
      const pgMs = [...cpuAfter.pg].reduce(
        (sum, [pid, ms]) => (ms === null || sum === null ? null : sum + ms - (cpuBefore.pg.get(pid) ?? 0)),
        0 as number | null,
      );
      const seconds = (last - start) / 1000;
      return {
        label,
        messages: sink.messages.length,
        seconds,
        perSecond: sink.messages.length / seconds,
        mutationMs: answered - start,
        statements,
        firstAfterMs: first - answered,
        lastAfterMs: last - answered,
        cpuMsPerMessage: {
          workers: cpuAfter.workers === null || cpuBefore.workers === null ? NaN : (cpuAfter.workers - cpuBefore.workers) / shape.households,
          pg: pgMs === null ? NaN : pgMs / shape.households,
        },
        bytes,
      };
    };

    const load0 = loadavg()[0]!;
    // The first send issues every household's guest link and meets workers just started; the second
    // (resend: true, a new message each, the kept links reused) meets them warm. Both are checked.
    const passes = [await pass('first send', false)];
    sink.keepRaw = true;
    passes.push(await pass('resend, warm workers', true));
    sink.keepRaw = false;
    const sent = sink.messages.map((m) => ({ raw: m.raw!, envelope: { from: m.envelopeFrom, to: m.rcptTo } }));

    // ── Floor: the last pass's messages as they arrived, re-sent by nodemailer alone, same pool size ──
    const transporter = nodemailer.createTransport({
      host: '127.0.0.1',
      port: sink.port,
      secure: false,
      ignoreTLS: true,
      pool: true,
      maxConnections: connections,
      maxRequeues: 0,
      logger: false,
      debug: false,
    });
    // Connections opened and the code warm, as the workers' are by now.
    await Promise.all(sent.slice(0, connections * 2).map((m) => transporter.sendMail(m)));
    sink.reset();
    const cpu0 = process.cpuUsage();
    const floorStart = performance.now();
    await Promise.all(sent.map((m) => transporter.sendMail(m)));
    await sink.waitFor(sent.length, ARRIVAL_TIMEOUT_MS);
    const floorSeconds = (Math.max(...sink.messages.map((m) => m.at)) - floorStart) / 1000;
    const floorCpu = process.cpuUsage(cpu0);
    transporter.close();
    const { bytes: floorBytes } = checkArrivals('floor', sink.messages, addressOf);
    const floor = {
      perSecond: sent.length / floorSeconds,
      seconds: floorSeconds,
      cpuMsPerMessage: (floorCpu.user + floorCpu.system) / 1000 / sent.length,
      bytes: floorBytes,
    };
    const load1 = loadavg()[0]!;

    log(
      `  checked every pass and the floor: each of the ${shape.households} households got exactly one message, at its address (To = RCPT TO), ` +
        `distinct Message-IDs, each the delivery the app wrote for that household (all SENT)`,
    );
    for (const x of passes) {
      log(
        `  invitations, ${x.label.padEnd(21)}: ${fmt(x.perSecond)} messages/s (${x.messages} in ${fmt(x.seconds, 2)} s from the mutation's request to the last accepted, ` +
          `~${fmt(x.bytes / 1024)} KiB each); mutation ${fmt(x.mutationMs, 0)} ms, ${x.statements} statements; ` +
          `after its response first message +${fmt(x.firstAfterMs, 0)} ms, last +${fmt(x.lastAfterMs, 0)} ms`,
      );
      log(`    CPU per message: workers ${fmt(x.cpuMsPerMessage.workers, 2)} ms, PostgreSQL ${fmt(x.cpuMsPerMessage.pg, 2)} ms`);
    }
    log(
      `  nodemailer floor       : ${fmt(floor.perSecond)} messages/s (${sent.length} pre-rendered, ~${fmt(floor.bytes / 1024)} KiB each, ` +
        `${connections} pooled connections, in ${fmt(floor.seconds, 2)} s); CPU ${fmt(floor.cpuMsPerMessage, 2)} ms per message (client and server in one process)`,
    );
    log(`  ratios app/floor: ${passes.map((x) => `${x.label} ${fmt(x.perSecond / floor.perSecond, 2)}x`).join(', ')}`);
    log(
      `  machine: ${cpus().length} cores, load average ${fmt(load0, 2)} before, ${fmt(load1, 2)} after; ` +
        `scenario ${fmt((performance.now() - t0) / 1000)} s in all`,
    );
    return { passes, floor };
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.map((w) => new Promise((r) => (w.exitCode !== null ? r(null) : w.once('exit', r)))));
    await sink.close();
    await http.close();
    await app.close();
    await db.close();
    await bench.dropDatabase();
  }
}
