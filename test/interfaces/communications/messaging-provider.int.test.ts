import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMessageSender, type MessageSenderRuntime } from '../../../src/domains/communications/sender/runtime.js';
import { Authorizer } from '../../../src/domains/permissions/authorizer.js';
import { createProviderTransport, MESSAGE_SIGNING_SECRET } from '../../../src/interfaces/communications/provider-transport.js';
import { grantPlatformAccess } from '../../../src/interfaces/integrations/platform-grants.service.js';
import { INBOUND_SECRET_NAME } from '../../../src/interfaces/webhooks/inbound.js';
import { newWebhookSecret, signWebhook, verifyWebhook } from '../../../src/interfaces/webhooks/signing.js';
import { resolveAppKey } from '../../../src/platform/app-key.js';
import { encrypt } from '../../../src/platform/crypto.js';
import { TransportError } from '../../../src/platform/mail/transport.js';
import type { Caller } from '../../../src/platform/principal.js';
import { buildWorld, must, uniq, type World } from '../../support/factories.js';
import { startServer } from '../../support/harness.js';
import { rawId } from '../../support/rows.js';

/**
 * The messaging provider end to end, over real sockets: the sender hands each
 * message to a provider (a fake one on 127.0.0.1) as a signed POST, and the
 * provider reports back through its signed inbound webhook, matched only
 * against the messages it was handed.
 */

// Its own database: the sender takes every due message it finds, and other files' messages are not this provider's.
const s = await startServer(
  { MAIL_RETRY_SCHEDULE: [0, 30, 30], PUBLIC_URL: 'https://tovplus.test', WEBHOOK_ALLOWED_NETWORKS: ['loopback'] },
  { ownDatabase: true },
);
const prisma = s.app.db.prisma;
const appKey = resolveAppKey(s.app.config);

interface Received {
  headers: IncomingHttpHeaders;
  raw: string;
  json: Record<string, any>;
}
type Answer = { status: number; body?: unknown };
const received: Received[] = [];
let answer: (m: Record<string, any>) => Answer = () => ({ status: 202, body: { providerMessageId: `pm-${uniq()}` } });

const fake = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const raw = Buffer.concat(chunks).toString('utf8');
    const json = JSON.parse(raw) as Record<string, any>;
    received.push({ headers: req.headers, raw, json });
    const a = answer(json);
    res.writeHead(a.status, { 'content-type': 'application/json' });
    res.end(a.body === undefined ? '' : JSON.stringify(a.body));
  });
});
let sender: MessageSenderRuntime;

/** A platform integration set up as an operator would: configured, connected at platform scope, granted, with its two secrets. */
async function providerIntegration(opts: { grant?: boolean } = {}) {
  const port = (fake.address() as AddressInfo).port;
  const app = await prisma.integrationApp.create({
    data: {
      displayName: `Messaging ${uniq()}`,
      businessRole: 'PLATFORM',
      flags: ['OUTBOUND', 'INBOUND', 'EVENT_DRIVEN'],
      environment: 'DEVELOPMENT',
      status: 'ENABLED',
      config: { messaging: { deliveryUrl: `http://127.0.0.1:${port}/messages` } },
    },
  });
  await prisma.integrationConnection.create({ data: { integrationId: app.id, occasionId: null } });
  const signing = newWebhookSecret();
  const inbound = newWebhookSecret();
  await prisma.integrationSecret.createMany({
    data: [
      { integrationId: app.id, name: MESSAGE_SIGNING_SECRET, valueEnc: encrypt(signing, appKey) },
      { integrationId: app.id, name: INBOUND_SECRET_NAME, valueEnc: encrypt(inbound, appKey) },
    ],
  });
  let grantId: string | null = null;
  if (opts.grant !== false) {
    // Through the operators' own service: communications:deliver is a platform-service action of the real registry.
    const caller: Caller = { principal: { kind: 'system', reason: 'test-operator', actions: ['integration:manage'] }, requestId: `t-${uniq()}` };
    const authz = new Authorizer(prisma, caller.principal, s.app.actions);
    const g = await prisma.$transaction((tx) =>
      grantPlatformAccess(tx, caller, authz, s.app.actions, app.id, { actions: ['communications:deliver'], allowWrite: true }),
    );
    grantId = g.id;
  }
  return { id: app.id, signing, inbound, grantId };
}
type Provider = Awaited<ReturnType<typeof providerIntegration>>;

let provider: Provider;

beforeAll(async () => {
  await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
  provider = await providerIntegration();
  sender = startMessageSender(s.app, { redisUrl: null, transport: createProviderTransport(s.app, provider.id) });
});
afterAll(async () => {
  await sender.stop();
  await new Promise((r) => fake.close(r));
});

const BULK = `mutation($i: CreateRsvpInvitationsFromHouseholdsInput!) { createRsvpInvitationsFromHouseholds(input: $i) { __typename } }`;
const SEND = `mutation($i: SendRsvpInvitationsInput!) { sendRsvpInvitations(input: $i) { __typename ... on SendRsvpInvitationsPayload { queued } } }`;

/** An occasion whose households are sent their guest links; the messages once the sender is done. */
async function sent(households = [1]) {
  const w = await buildWorld(s, { events: 1, households, modules: { rsvp: [0] } });
  await must(s, w.owner.token, BULK, { i: { occasionId: w.occasionId, eventIds: w.eventIds } });
  expect((await must(s, w.owner.token, SEND, { i: { occasionId: w.occasionId } })).sendRsvpInvitations.queued).toBe(households.length);
  await sender.drain();
  return { w, deliveries: await deliveriesOf(w) };
}

const deliveriesOf = (w: World) =>
  prisma.commDelivery.findMany({
    where: { occasionId: rawId(w.occasionId) },
    include: { attempts: { orderBy: { number: 'asc' } } },
    orderBy: { id: 'asc' },
  });
const suppressed = (w: World, address: string) =>
  prisma.commSuppression.findUnique({ where: { occasionId_address: { occasionId: rawId(w.occasionId), address } } });

async function report(p: Provider, data: Record<string, unknown>, opts: { id?: string; timestamp?: number; unsigned?: boolean } = {}) {
  const body = JSON.stringify({ type: 'message.status', data });
  const headers = opts.unsigned
    ? {}
    : signWebhook([p.inbound], { id: opts.id ?? `evt_${uniq()}`, timestamp: opts.timestamp ?? Math.floor(Date.now() / 1000), body });
  const res = await s.fetch(`/webhooks/inbound/${p.id}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe('messaging provider: sending', () => {
  it('hands each message to the provider as a signed JSON POST and keeps the provider’s id and who it was handed to', async () => {
    const before = received.length;
    const { deliveries } = await sent([2, 1]);
    const mine = received.slice(before);
    expect(mine).toHaveLength(2);
    for (const d of deliveries) {
      const r = mine.find((x) => x.json.messageId === d.messageId)!;
      // Signed with the provider's message_signing secret, over the raw body; another secret does not verify.
      expect(verifyWebhook(provider.signing, r.headers as Record<string, string>, r.raw)).toEqual({ ok: true });
      expect(verifyWebhook(newWebhookSecret(), r.headers as Record<string, string>, r.raw)).toMatchObject({ ok: false });
      expect(r.headers['webhook-id']).toBe(d.messageId.slice(1, -1));
      expect(r.json).toMatchObject({
        from: { address: 'no-reply@tovplus.localhost' },
        to: { address: d.address },
        subject: expect.any(String),
        html: expect.stringContaining('/guest/tovg_'),
        text: expect.any(String),
        headers: {
          'X-Tovplus-Delivery': d.id,
          'List-Unsubscribe': expect.stringMatching(/^<https:\/\/tovplus\.test\/communications\/unsubscribe\?t=[^>]+>$/),
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        },
        calendar: { filename: expect.stringMatching(/\.ics$/), method: expect.any(String), content: expect.stringContaining('BEGIN:VCALENDAR') },
      });
      expect(d).toMatchObject({
        status: 'SENT',
        providerIntegrationId: provider.id,
        providerMessageId: expect.stringMatching(/^pm-/),
        attemptCount: 1,
      });
    }
  });

  it('a 503 is tried again and then accepted; a 400 fails the message at once; rejected_recipient is a hard bounce', async () => {
    const w = await buildWorld(s, { events: 1, households: [1, 1, 1], modules: { rsvp: [0] } });
    const heads = await prisma.actor.findMany({ where: { id: { in: w.households.map((h) => rawId(h.memberIds[0]!)) } }, select: { email: true } });
    const [flaky, refused, gone] = heads.map((h) => h.email!);
    const calls = new Map<string, number>();
    answer = (m) => {
      const to = m.to.address as string;
      calls.set(to, (calls.get(to) ?? 0) + 1);
      if (to === flaky && calls.get(to) === 1) return { status: 503, body: { error: 'busy' } };
      if (to === refused) return { status: 400, body: { error: 'bad_request' } };
      if (to === gone) return { status: 422, body: { error: 'rejected_recipient' } };
      return { status: 202, body: { providerMessageId: `pm-${uniq()}` } };
    };
    try {
      await must(s, w.owner.token, BULK, { i: { occasionId: w.occasionId, eventIds: w.eventIds } });
      await must(s, w.owner.token, SEND, { i: { occasionId: w.occasionId } });
      await sender.drain();
    } finally {
      answer = () => ({ status: 202, body: { providerMessageId: `pm-${uniq()}` } });
    }
    const ds = await deliveriesOf(w);
    const of = (a: string) => ds.find((d) => d.address === a)!;
    expect(of(flaky!)).toMatchObject({ status: 'SENT', attemptCount: 2, providerIntegrationId: provider.id });
    expect(of(flaky!).attempts.map((a) => [a.outcome, a.errorClass])).toEqual([
      ['RETRYABLE', 'http_503'],
      ['SENT', null],
    ]);
    expect(of(refused!)).toMatchObject({ status: 'FAILED', attemptCount: 1, lastErrorClass: 'http_400', providerIntegrationId: null });
    expect(calls.get(refused!)).toBe(1);
    expect(of(gone!)).toMatchObject({ status: 'BOUNCED', lastErrorClass: 'rejected_recipient' });
    expect(await suppressed(w, gone!)).toMatchObject({ reason: 'HARD_BOUNCE' });
  });

  it('without its grant, or disabled, nothing reaches the provider and the message fails with a clear class; revoked is final at once', async () => {
    await prisma.grant.update({ where: { id: provider.grantId! }, data: { revokedAt: new Date() } });
    const before = received.length;
    try {
      const { deliveries } = await sent([1]);
      expect(deliveries[0]).toMatchObject({ status: 'FAILED', lastErrorClass: 'provider_not_permitted', providerMessageId: null });
      // Retried on the schedule (an operator may restore the grant), not forever.
      expect(deliveries[0]!.attemptCount).toBe(3);
    } finally {
      await prisma.grant.update({ where: { id: provider.grantId! }, data: { revokedAt: null } });
    }
    expect(received.length).toBe(before);

    const message = {
      messageId: `<m-${uniq()}@tovplus.localhost>`,
      from: { name: 'Tov+', address: 'no-reply@tovplus.localhost' },
      to: { address: 'guest@example.com' },
      subject: 'Hello',
      html: null,
      text: 'Hello',
    };
    const other = await providerIntegration();
    await prisma.integrationApp.update({ where: { id: other.id }, data: { status: 'DISABLED' } });
    const transport = createProviderTransport(s.app, other.id);
    await expect(transport.send(message)).rejects.toMatchObject({ errorClass: 'provider_inactive', retryable: true });
    await prisma.integrationApp.update({ where: { id: other.id }, data: { status: 'REVOKED' } });
    const revoked = await transport.send(message).catch((e: unknown) => e);
    expect(revoked).toBeInstanceOf(TransportError);
    expect(revoked).toMatchObject({ errorClass: 'provider_revoked', retryable: false });
    const ungranted = createProviderTransport(s.app, (await providerIntegration({ grant: false })).id);
    await expect(ungranted.send(message)).rejects.toMatchObject({ errorClass: 'provider_not_permitted' });
    expect(received.length).toBe(before);
    await transport.close();
    await ungranted.close();
  });
});

describe('messaging provider: status reports', () => {
  it('DELIVERED and OPENED set their times once; a hard bounce and a complaint suppress the address, as the provider', async () => {
    const { w, deliveries } = await sent([1, 1, 1]);
    const [a, b, c] = deliveries as [(typeof deliveries)[0], (typeof deliveries)[0], (typeof deliveries)[0]];
    const t1 = new Date(Date.now() - 2 * 3_600_000).toISOString();
    const t2 = new Date(Date.now() - 3_600_000).toISOString();
    expect(await report(provider, { providerMessageId: a.providerMessageId, event: 'DELIVERED', at: t1 })).toMatchObject({
      status: 200,
      body: { status: 'applied' },
    });
    await report(provider, { messageId: a.messageId, event: 'OPENED', at: t2 });
    // A second delivery report keeps the first time.
    await report(provider, { providerMessageId: a.providerMessageId, event: 'DELIVERED', at: t2 });
    expect(await prisma.commDelivery.findUniqueOrThrow({ where: { id: a.id } })).toMatchObject({
      status: 'DELIVERED',
      deliveredAt: new Date(t1),
      openedAt: new Date(t2),
    });
    expect(await suppressed(w, a.address)).toBeNull();

    await report(provider, { providerMessageId: b.providerMessageId, event: 'BOUNCED', hard: true, at: t1 });
    expect(await prisma.commDelivery.findUniqueOrThrow({ where: { id: b.id } })).toMatchObject({ status: 'BOUNCED', bouncedAt: new Date(t1) });
    expect(await suppressed(w, b.address)).toMatchObject({ reason: 'HARD_BOUNCE', deliveryId: b.id });
    // News older than the bounce does not undo it.
    await report(provider, { providerMessageId: b.providerMessageId, event: 'DELIVERED', at: t2 });
    expect((await prisma.commDelivery.findUniqueOrThrow({ where: { id: b.id } })).status).toBe('BOUNCED');

    await report(provider, { providerMessageId: c.providerMessageId, event: 'COMPLAINED', at: t1 });
    expect(await prisma.commDelivery.findUniqueOrThrow({ where: { id: c.id } })).toMatchObject({ status: 'COMPLAINED', complainedAt: new Date(t1) });
    expect(await suppressed(w, c.address)).toMatchObject({ reason: 'COMPLAINT' });

    // Announced and audited as the provider's doing.
    const events = await prisma.outboxEvent.findMany({
      where: { occasionId: rawId(w.occasionId), type: { in: ['communication.bounced', 'communication.complained'] } },
    });
    expect(events.map((e) => e.type).sort()).toEqual(['communication.bounced', 'communication.complained']);
    // The request id of a change an inbound webhook made names that webhook.
    expect(events.every((e) => e.requestId?.startsWith('inbound:evt_'))).toBe(true);
    const audit = await prisma.auditLog.findMany({
      where: { integrationId: provider.id, action: 'communications:deliver', targetId: { in: [a.id, b.id, c.id] } },
    });
    expect(audit).toHaveLength(6);
    expect(audit.every((r) => r.occasionId === rawId(w.occasionId) && r.outcome === 'SUCCESS')).toBe(true);
  });

  it('a soft bounce leaves the address; a message it was not handed is not found, the same as one that does not exist, and nothing changes', async () => {
    const { w, deliveries } = await sent([1]);
    const d = deliveries[0]!;
    await report(provider, { providerMessageId: d.providerMessageId, event: 'BOUNCED', hard: false, at: new Date().toISOString() });
    expect((await prisma.commDelivery.findUniqueOrThrow({ where: { id: d.id } })).status).toBe('BOUNCED');
    expect(await suppressed(w, d.address)).toBeNull();

    // Another provider, with the same grant, reports on this provider's message: by either id, it is not there for it.
    const other = await providerIntegration();
    const byProviderId = await report(other, { providerMessageId: d.providerMessageId, event: 'COMPLAINED', at: new Date().toISOString() });
    const byMessageId = await report(other, { messageId: d.messageId, event: 'COMPLAINED', at: new Date().toISOString() });
    const nowhere = await report(other, { providerMessageId: `pm-nothing-${uniq()}`, event: 'COMPLAINED', at: new Date().toISOString() });
    expect(byProviderId).toEqual({ status: 404, body: { error: 'NOT_FOUND', message: expect.any(String) } });
    expect(byMessageId).toEqual(byProviderId);
    expect(nowhere).toEqual(byProviderId);
    expect(await prisma.commDelivery.findUniqueOrThrow({ where: { id: d.id } })).toMatchObject({ status: 'BOUNCED', complainedAt: null });
    expect(await suppressed(w, d.address)).toBeNull();
    // Missing the bounce's kind, or naming no message: 422 with the reason.
    expect(await report(provider, { providerMessageId: d.providerMessageId, event: 'BOUNCED', at: new Date().toISOString() })).toMatchObject({
      status: 422,
    });
    expect(await report(provider, { event: 'DELIVERED', at: new Date().toISOString() })).toMatchObject({
      status: 422,
      body: { error: 'invalid_data' },
    });
  });

  it('unsigned, stale and replayed reports change nothing; a provider without the grant is refused', async () => {
    const { w, deliveries } = await sent([1]);
    const d = deliveries[0]!;
    const complaint = { providerMessageId: d.providerMessageId, event: 'COMPLAINED', at: new Date().toISOString() };
    expect(await report(provider, complaint, { unsigned: true })).toEqual({ status: 401, body: { error: 'missing_headers' } });
    expect(await report(provider, complaint, { timestamp: Math.floor(Date.now() / 1000) - 600 })).toEqual({
      status: 401,
      body: { error: 'stale_timestamp' },
    });
    // The same webhook-id again (a replay of a report already applied) is acknowledged and ignored, whatever it now says.
    expect((await report(provider, { ...complaint, event: 'DELIVERED' }, { id: 'evt_replayed' })).body.status).toBe('applied');
    expect(await report(provider, complaint, { id: 'evt_replayed' })).toEqual({
      status: 200,
      body: { status: 'duplicate', webhookId: 'evt_replayed' },
    });
    expect((await prisma.commDelivery.findUniqueOrThrow({ where: { id: d.id } })).status).toBe('DELIVERED');

    await prisma.grant.update({ where: { id: provider.grantId! }, data: { revokedAt: new Date() } });
    try {
      expect(await report(provider, complaint)).toMatchObject({ status: 403, body: { error: 'FORBIDDEN' } });
    } finally {
      await prisma.grant.update({ where: { id: provider.grantId! }, data: { revokedAt: null } });
    }
    expect((await prisma.commDelivery.findUniqueOrThrow({ where: { id: d.id } })).status).toBe('DELIVERED');
    expect(await suppressed(w, d.address)).toBeNull();
  });
});

describe('messaging provider: SMS through the same contract', () => {
  it('an SMS reminder reaches the unit’s phone as a signed { channel: SMS } message; units without a phone get nothing', async () => {
    const w = await buildWorld(s, { events: 1, households: [1, 1], modules: { rsvp: [0] } });
    const deadline = new Date(Date.now() + 30 * 86_400_000);
    await must(s, w.owner.token, `mutation($i: EnableModuleInput!) { enableModule(input: $i) { __typename } }`, {
      i: { eventId: w.eventIds[0], moduleKey: 'rsvp', config: { deadline: deadline.toISOString() } },
    });
    await must(s, w.owner.token, BULK, { i: { occasionId: w.occasionId, eventIds: w.eventIds } });
    await prisma.actor.update({ where: { id: rawId(w.households[0]!.memberIds[0]!) }, data: { phone: '+972 50-123-4567' } });
    await must(s, w.owner.token, `mutation($i: CreateMessageReminderInput!) { createMessageReminder(input: $i) { __typename } }`, {
      i: { eventId: w.eventIds[0], daysBefore: [7], channel: 'SMS' },
    });
    const at = new Date(deadline.getTime() - 7 * 86_400_000);
    at.setUTCHours(12, 0, 0, 0);
    const before = received.length;
    expect(await sender.remindNow(at)).toBe(1);
    await sender.drain();
    const sms = received.slice(before).filter((r) => r.json.channel === 'SMS');
    expect(sms).toHaveLength(1);
    expect(sms[0]!.json).toMatchObject({ channel: 'SMS', to: '+972501234567' });
    expect(sms[0]!.json.text).toMatch(/^Reminder/);
    expect(sms[0]!.json.text).toMatch(/https?:\/\//);
    expect(verifyWebhook(provider.signing, sms[0]!.headers as Record<string, string>, sms[0]!.raw)).toEqual({ ok: true });
    const [d] = await deliveriesOf(w).then((ds) => ds.filter((x) => x.kind === 'RSVP_REMINDER'));
    expect(d).toMatchObject({ channel: 'SMS', address: '+972501234567', status: 'SENT', providerIntegrationId: provider.id });
  });
});
