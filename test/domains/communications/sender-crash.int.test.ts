import { afterAll, describe, expect, it } from 'vitest';
import { messagingEnv } from '../../../src/domains/communications/messaging-env.js';
import { createMessageSender } from '../../../src/domains/communications/sender/attempt.js';
import { startMessageSender } from '../../../src/domains/communications/sender/runtime.js';
import { createSmtpTransport } from '../../../src/platform/mail/smtp.js';
import { usePglite } from '../../support/env.js';
import { buildWorld, must, type World } from '../../support/factories.js';
import { startServer, type TestServer } from '../../support/harness.js';
import { startPrivateRedis } from '../../support/redis-server.js';
import { rawId } from '../../support/rows.js';
import { needs } from '../../support/services.js';
import { type ReceivedMail, startSmtpServer, type TestSmtpServer } from '../../support/smtp.js';
import { workerFleet } from '../../support/worker-fleet.js';

/**
 * Outgoing messages when the machinery under them dies. A worker process is
 * SIGKILLed while the mail server holds its messages unanswered: the
 * deliveries it had claimed come back through their lease (MAIL_LEASE_MS) and
 * BullMQ's stalled-job check only (the sweep is an hour away), another worker
 * sends them, and a message the server had kept although its answer never
 * reached the dead worker arrives twice with one Message-ID: the same message
 * twice, never two messages. Then the BullMQ path in this process, with its
 * Redis restarted mid-send (every job lost): the sweep finds the rows again.
 * Last, a worker that is alive but lost its lease (a stalled heartbeat): its
 * late failure must not undo the send of the worker that took over.
 */

const BULK = `mutation($i: CreateRsvpInvitationsFromHouseholdsInput!) { createRsvpInvitationsFromHouseholds(input: $i) { __typename } }`;
const SEND = `mutation($i: SendRsvpInvitationsInput!) { sendRsvpInvitations(input: $i) { __typename
  ... on SendRsvpInvitationsPayload { queued } ... on Error { code message } } }`;

/** An occasion with `n` one-person households (each with an address), invited to its event. */
async function invitedHouseholds(s: TestServer, n: number): Promise<World> {
  const w = await buildWorld(s, { events: 1, households: Array<number>(n).fill(1), modules: { rsvp: [0] } });
  await must(s, w.owner.token, BULK, { i: { occasionId: w.occasionId, eventIds: w.eventIds } });
  return w;
}

async function queueInvitations(s: TestServer, w: World, n: number) {
  expect((await must(s, w.owner.token, SEND, { i: { occasionId: w.occasionId } })).sendRsvpInvitations).toMatchObject({ queued: n });
}

/** Polls `check` until it returns true; fails with `what()` after `timeoutMs` (a lease that never lapses fails, not hangs). */
async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, what: () => Promise<string> | string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms: ${await what()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const deliveriesOf = (s: TestServer, w: World) =>
  s.app.db.prisma.commDelivery.findMany({ where: { occasionId: rawId(w.occasionId) }, include: { attempts: { orderBy: { number: 'asc' } } } });

async function statusCounts(s: TestServer, w: World): Promise<string> {
  const counts = new Map<string, number>();
  for (const d of await deliveriesOf(s, w)) counts.set(d.status, (counts.get(d.status) ?? 0) + 1);
  return `deliveries by status ${JSON.stringify(Object.fromEntries(counts))}`;
}

/** A plain text header's value (mailparser gives other headers as objects). */
const header = (m: ReceivedMail, name: string) => {
  const v = m.parsed.headers.get(name);
  return typeof v === 'string' ? v : '';
};

/**
 * What the server received, by Message-ID: exactly the deliveries' Message-IDs, and every copy under one carries
 * that delivery (its X-Tovplus-Delivery header) and goes to its address. Returns the number of copies per delivery.
 */
function receivedPerDelivery(messages: ReceivedMail[], deliveries: { id: string; messageId: string; address: string }[]): Map<string, number> {
  const byMessageId = new Map<string, ReceivedMail[]>();
  for (const m of messages) byMessageId.set(m.messageId ?? '(none)', [...(byMessageId.get(m.messageId ?? '(none)') ?? []), m]);
  expect([...byMessageId.keys()].sort()).toEqual(deliveries.map((d) => d.messageId).sort());
  const copies = new Map<string, number>();
  for (const d of deliveries) {
    const group = byMessageId.get(d.messageId)!;
    expect(group.map((m) => [header(m, 'x-tovplus-delivery'), m.envelope.to])).toEqual(group.map(() => [d.id, [d.address]]));
    copies.set(d.id, group.length);
  }
  return copies;
}

describe.skipIf(usePglite())('a SIGKILLed worker’s messages are sent by another after its lease (PostgreSQL + Redis + worker processes)', () => {
  const HOUSEHOLDS = 40;
  const CONCURRENCY = 8;
  /** The SMTP pool's connections per worker (nodemailer's maxConnections, 5): that many messages reach DATA at once. */
  const HELD = 5;
  const fleet = workerFleet('msgcrash', {
    MAIL_CONCURRENCY: String(CONCURRENCY),
    // Only the lease and BullMQ's stalled check may bring the killed worker's deliveries back.
    MAIL_SWEEP_INTERVAL_MS: '3600000',
  });
  let smtp: TestSmtpServer | undefined;
  afterAll(async () => {
    // The killed worker's sessions were held open: the workers go first, and the server's closeTimeout ends the rest.
    await fleet.stop();
    await smtp?.close();
  });

  it(`the ${CONCURRENCY} deliveries a killed worker had claimed are sent by another; what the server kept arrives twice with one Message-ID`, async (ctx) => {
    needs(ctx, 'redis-server');
    const { s } = await fleet.start();
    smtp = await startSmtpServer();
    const mail = { MAIL_URL: smtp.url };
    const w = await invitedHouseholds(s, HOUSEHOLDS);
    const first = await fleet.worker(mail);
    // The server keeps the first worker's first messages but never answers: they are claimed, in flight, and (as far
    // as that worker knows) unsent when it dies. The rest of its claims wait for a connection of its pool.
    smtp.behave({ kind: 'hold', first: HELD, keep: true });
    await queueInvitations(s, w, HOUSEHOLDS);
    const sending = () => s.app.db.prisma.commDelivery.findMany({ where: { occasionId: rawId(w.occasionId), status: 'SENDING' } });
    await until(
      async () => smtp!.held() === HELD && (await sending()).length === CONCURRENCY,
      20_000,
      async () => `${smtp!.held()} held by the server, ${(await sending()).length} claimed; ${await statusCounts(s, w)}`,
    );
    const claimed = new Set((await sending()).map((d) => d.id));
    // The second worker runs (and sends the others) before the first dies, as in a deployment of several.
    await fleet.worker(mail);
    const killedAt = Date.now();
    await first.kill();

    // Lease 10 s + stalled check 5 s is the bound; 45 s means it is not coming back.
    await until(
      async () => (await s.app.db.prisma.commDelivery.count({ where: { occasionId: rawId(w.occasionId), status: { not: 'SENT' } } })) === 0,
      45_000,
      () => statusCounts(s, w),
    );
    const allSentAfter = Date.now() - killedAt;

    const deliveries = await deliveriesOf(s, w);
    expect(deliveries).toHaveLength(HOUSEHOLDS);
    // The killed worker's attempts left no row; its claims count: the one that went through is attempt 2.
    const retaken = deliveries.filter((d) => claimed.has(d.id));
    expect(retaken.map((d) => [d.status, d.attemptCount, d.attempts.map((a) => [a.number, a.outcome])])).toEqual(
      Array(CONCURRENCY).fill(['SENT', 2, [[2, 'SENT']]]),
    );
    expect(deliveries.filter((d) => !claimed.has(d.id)).map((d) => [d.status, d.attemptCount])).toEqual(
      Array(HOUSEHOLDS - CONCURRENCY).fill(['SENT', 1]),
    );

    // None lost, none sent as two different messages: once each, or twice with the same Message-ID where the server
    // had kept the first copy (exactly the held ones).
    const copies = receivedPerDelivery(smtp.messages, deliveries);
    const twice = [...copies].filter(([, n]) => n === 2).map(([id]) => id);
    expect([...copies.values()].every((n) => n === 1 || n === 2)).toBe(true);
    expect(twice).toHaveLength(HELD);
    expect(twice.every((id) => claimed.has(id))).toBe(true);
    expect(smtp.messages).toHaveLength(HOUSEHOLDS + HELD);

    const takeover = Math.max(...retaken.map((d) => d.attempts[0]!.startedAt.getTime())) - killedAt;
    const lease = s.app.config.MAIL_LEASE_MS; // the default, as the workers run
    console.info(
      `SIGKILL takeover (messages): ${CONCURRENCY} claimed deliveries attempted again by the other worker within ${takeover} ms of the kill, ` +
        `all ${HOUSEHOLDS} SENT after ${allSentAfter} ms (bound: lease ${lease} ms + BullMQ stalled check ${lease / 2} ms); ` +
        `${HELD} arrived twice with one Message-ID`,
    );
  }, 120_000);
});

describe('BullMQ in this process: a Redis restart mid-send loses no message', () => {
  it('every queued invitation is sent exactly once, the lost jobs found again by the sweep', async (ctx) => {
    needs(ctx, 'redis-server');
    const HOUSEHOLDS = 30;
    // Its own database: a sender here would otherwise send other files' messages, and theirs this file's.
    const s = await startServer({ MAIL_SWEEP_INTERVAL_MS: 300, MAIL_CONCURRENCY: 2 }, { ownDatabase: true });
    const redis = await startPrivateRedis();
    const smtp = await startSmtpServer();
    // Slow answers: most jobs are still waiting in Redis when it goes.
    smtp.behave({ kind: 'delay', ms: 150 });
    const sender = startMessageSender(s.app, { redisUrl: redis.url, transport: createSmtpTransport(smtp.url, { maxConnections: 2 }) });
    try {
      expect(sender.dispatcher.kind).toBe('bullmq');
      const w = await invitedHouseholds(s, HOUSEHOLDS);
      await queueInvitations(s, w, HOUSEHOLDS);
      await until(
        () => smtp.messages.length >= 3,
        15_000,
        () => `${smtp.messages.length} messages arrived before the restart`,
      );
      await redis.restart();
      const restartedAt = Date.now();
      // What the restart took with it: deliveries still waiting, which nothing in Redis remembers now.
      const queued = await s.app.db.prisma.commDelivery.count({ where: { occasionId: rawId(w.occasionId), status: 'QUEUED' } });
      expect(queued).toBeGreaterThan(HOUSEHOLDS / 2);

      await until(
        async () => (await s.app.db.prisma.commDelivery.count({ where: { occasionId: rawId(w.occasionId), status: { not: 'SENT' } } })) === 0,
        30_000,
        () => statusCounts(s, w),
      );
      console.info(`Redis restart (messages): the ${queued} deliveries queued at the restart were all SENT ${Date.now() - restartedAt} ms later`);
      const deliveries = await deliveriesOf(s, w);
      // Nothing died here: exactly one message per delivery.
      expect([...receivedPerDelivery(smtp.messages, deliveries).values()]).toEqual(Array(HOUSEHOLDS).fill(1));
      expect(deliveries.every((d) => d.attemptCount === 1)).toBe(true);
    } finally {
      await sender.stop();
      await smtp.close();
      await redis.stop();
    }
  }, 120_000);
});

describe('a worker whose lease lapsed while it was still sending', () => {
  it('fails late without undoing the send of the worker that claimed the delivery after it', async () => {
    // Its own database: no other file's sender may take this delivery.
    const s = await startServer({ MAIL_RETRY_SCHEDULE: [0, 60_000] }, { ownDatabase: true });
    const w = await invitedHouseholds(s, 1);
    await queueInvitations(s, w, 1);
    const { id } = await s.app.db.prisma.commDelivery.findFirstOrThrow({ where: { occasionId: rawId(w.occasionId) } });
    const stalled = await startSmtpServer();
    stalled.behave({ kind: 'hang' });
    const slow = await startSmtpServer();
    slow.behave({ kind: 'delay', ms: 2_500 });
    const deps = { db: s.app.db, env: messagingEnv(s.app.config), logger: s.app.logger, schedule: s.app.config.MAIL_RETRY_SCHEDULE, leaseMs: 10_000 };
    // A's server never answers; A gives up after 1.5 s (a retryable timeout), while B's send is still going.
    const transports = [createSmtpTransport(stalled.url, { pool: false, socketTimeoutMs: 1_500 }), createSmtpTransport(slow.url, { pool: false })];
    const a = createMessageSender({ ...deps, transport: transports[0]! });
    const b = createMessageSender({ ...deps, transport: transports[1]! });
    const settled: Promise<unknown>[] = [];
    try {
      const row = () => s.app.db.prisma.commDelivery.findUniqueOrThrow({ where: { id } });
      const attemptA = a.attempt(id);
      settled.push(attemptA);
      await until(
        async () => (await row()).status === 'SENDING',
        10_000,
        async () => `the delivery is ${(await row()).status}, not claimed by A`,
      );
      // A's heartbeat stalled: its lease lapses while it still waits on its server, and B claims the delivery.
      await s.app.db.query(`UPDATE comm_deliveries SET lease_until = now() - interval '1 second' WHERE id = $1`, [id]);
      const attemptB = b.attempt(id);
      settled.push(attemptB);
      await until(
        async () => (await row()).attemptCount === 2,
        10_000,
        async () => `attempt_count ${(await row()).attemptCount}: B did not claim`,
      );

      await attemptA;
      // A's timeout is history, not the delivery's state: the row is still B's claim.
      expect(await row()).toMatchObject({ status: 'SENDING', attemptCount: 2 });
      expect(await attemptB).toEqual({ status: 'SENT' });
      expect(await row()).toMatchObject({ status: 'SENT', attemptCount: 2, nextAttemptAt: null });
      const attempts = await s.app.db.prisma.commAttempt.findMany({ where: { deliveryId: id }, orderBy: { number: 'asc' } });
      expect(attempts.map((x) => [x.number, x.outcome, x.errorClass])).toEqual([
        [1, 'RETRYABLE', 'timeout'],
        [2, 'SENT', null],
      ]);
      expect(slow.messages).toHaveLength(1);
    } finally {
      // A failed assertion must not leave an attempt writing to a database the file's end closes.
      await Promise.allSettled(settled);
      await Promise.all(transports.map((t) => t.close()));
      await Promise.all([stalled.close(), slow.close()]);
    }
  }, 30_000);
});
