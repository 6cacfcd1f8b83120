import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildWorld, must, type World } from './factories.js';
import { atFileEnd } from './file-end.js';
import type { Config } from '../../src/platform/config.js';
import { startWebhookWorker } from '../../src/interfaces/webhooks/worker-runtime.js';
import { startServer, testSchema, type TestServer } from './harness.js';
import { grantIntegration, integrationWithCredential, operationId, type TestIntegration } from './integration-auth.js';
import { rawId } from './rows.js';

/*
 * Webhook test helpers: a real HTTP receiver on 127.0.0.1 whose behaviour is
 * scripted per path, and a caterer connected to an occasion with an
 * RSVP-enabled dinner, the way the worked examples describe it.
 */

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export type Behaviour = (res: ServerResponse, n: number) => void;

export const respond = {
  ok: (): Behaviour => (res) => res.writeHead(200).end('ok'),
  status:
    (code: number, headers: Record<string, string> = {}): Behaviour =>
    (res) =>
      res.writeHead(code, headers).end(`status ${code}`),
  /** Never answers (the client's timeout must end it). */
  hang: (): Behaviour => () => {},
  /** Fails the first n requests with `code`, then succeeds. */
  failFirst:
    (n: number, code = 500): Behaviour =>
    (res, i) =>
      i <= n ? res.writeHead(code).end('not yet') : res.writeHead(204).end(),
};

export async function startReceiver() {
  const received: Received[] = [];
  const behaviours = new Map<string, Behaviour>();
  const counts = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      const n = (counts.get(path) ?? 0) + 1;
      counts.set(path, n);
      (behaviours.get(path) ?? respond.ok())(res, n);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  atFileEnd(() => {
    server.closeAllConnections();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    on: (path: string, b: Behaviour) => behaviours.set(path, b),
    at: (path: string) => received.filter((r) => r.path === path),
    received,
  };
}
export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

export interface CatererSetup {
  w: World;
  caterer: TestIntegration;
  connectionId: string;
  /** Global id of the connection. */
  connectionGid: string;
  guestTokens: string[];
}

/** An occasion with RSVP on its first event, two invited households, a caterer connected and granted catering reads on that event. */
export async function catererSetup(
  s: TestServer,
  opts: { grants?: string[]; environment?: 'DEVELOPMENT' | 'STAGING' | 'PRODUCTION' } = {},
): Promise<CatererSetup> {
  const w = await buildWorld(s, { events: 2, households: [2, 1], modules: { rsvp: [0] } });
  const guestTokens: string[] = [];
  for (const h of w.households) {
    const inv = await must(
      s,
      w.owner.token,
      `mutation($i: CreateRsvpInvitationInput!) { createRsvpInvitation(input: $i) { ... on CreateRsvpInvitationPayload { guestToken } } }`,
      { i: { occasionId: w.occasionId, unitId: h.id, eventIds: [w.eventIds[0]] } },
    );
    guestTokens.push(inv.createRsvpInvitation.guestToken);
  }
  const caterer = await integrationWithCredential(s, { operations: ['CateringSummary'], environment: opts.environment });
  const connection = await s.app.db.prisma.integrationConnection.create({
    data: { integrationId: caterer.integrationId, occasionId: rawId(w.occasionId) },
  });
  for (const action of opts.grants ?? ['event:read', 'rsvp:read_catering']) {
    await grantIntegration(s, caterer.integrationId, {
      occasionId: rawId(w.occasionId),
      actions: [action],
      scopeType: 'EVENT',
      scopeEventId: rawId(w.eventIds[0]!),
    });
  }
  return {
    w,
    caterer,
    connectionId: connection.id,
    connectionGid: Buffer.from(`IntegrationConnection:${connection.id}`).toString('base64url'),
    guestTokens,
  };
}

export const CREATE_ENDPOINT = `mutation($i: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $i) {
    __typename
    ... on WebhookEndpointSecretPayload { secret endpoint { id status signingSecrets { hint } } }
    ... on ValidationError { message fields { path message } }
    ... on ConflictError { message }
  }
}`;

/** A catering endpoint for rsvp.* on the dinner, rendering CateringSummary. */
export async function createCateringEndpoint(s: TestServer, c: CatererSetup, url: string, extra: Record<string, unknown> = {}) {
  const r = await must(s, c.w.owner.token, CREATE_ENDPOINT, {
    i: {
      connectionId: c.connectionGid,
      url,
      eventTypes: ['rsvp.submitted', 'rsvp.updated'],
      eventIds: [c.w.eventIds[0]],
      documentId: operationId('CateringSummary'),
      ...extra,
    },
  });
  const p = r.createWebhookEndpoint;
  if (p.__typename !== 'WebhookEndpointSecretPayload') throw new Error(`createWebhookEndpoint: ${JSON.stringify(p)}`);
  return { endpointGid: p.endpoint.id as string, endpointId: rawId(p.endpoint.id), secret: p.secret as string };
}

/**
 * A server for a suite that drives its webhook worker itself (no background relay loop or sweep: `settle`
 * runs what is due), on a database of its own (the worker relays every outbox row it finds, so other
 * suites' events stay out), with a receiver on 127.0.0.1.
 */
export async function webhookSuite(config: Partial<Config> = {}) {
  const s = await startServer(
    { WEBHOOK_ALLOWED_NETWORKS: ['loopback'], WEBHOOK_SWEEP_INTERVAL_MS: 3_600_000, WEBHOOK_RELAY_POLL_MS: 60_000, ...config },
    { ownDatabase: true },
  );
  const receiver = await startReceiver();
  const worker = startWebhookWorker(s.app, { redisUrl: null, relay: false, schema: testSchema() });
  atFileEnd(() => worker.stop());
  return { s, receiver, worker, settle: settler(worker) };
}

/** Relays and runs everything due now, and what falls due within `ms` (retries), on an in-process webhook worker. */
export function settler(worker: { drain(): Promise<void> }) {
  const settle = async (ms = 0) => {
    await worker.drain();
    const until = Date.now() + ms;
    while (Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
      await worker.drain();
    }
  };
  /**
   * Keeps relaying and delivering until `done()` holds (retries wait out their schedule), for at most
   * `maxMs`: a test that waits for an outcome does not depend on how busy the machine is.
   */
  settle.until = async (done: () => Promise<boolean>, maxMs = 20_000) => {
    const until = Date.now() + maxMs;
    await worker.drain();
    while (!(await done()) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
      await worker.drain();
    }
  };
  return settle;
}

export const SUBMIT = `mutation($i: SubmitRsvpInput!) { submitRsvp(input: $i) { __typename } }`;

/** The guest of household `i` answers the dinner. */
export async function submitDinner(s: TestServer, c: CatererSetup, i: number, status: 'ATTENDING' | 'DECLINED' = 'ATTENDING') {
  await must(s, c.guestTokens[i], SUBMIT, { i: { responses: [{ eventId: c.w.eventIds[0], status }] } });
}
