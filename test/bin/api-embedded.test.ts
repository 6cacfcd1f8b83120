import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyWebhook } from '../../src/interfaces/webhooks/signing.js';
import { binArgs } from '../support/bin.js';

/**
 * The newcomer's path: `npm start` with no DATABASE_URL / REDIS_URL runs the
 * api on embedded PGlite, migrates, seeds the demo once, prints a pasteable
 * Authorization header, answers GraphQL, and stops cleanly on SIGTERM.
 */
const dataDir = mkdtempSync(path.join(tmpdir(), 'tov-embedded-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

interface Started {
  proc: ChildProcess;
  port: number;
  output: () => string;
}

async function startApi(extra: Record<string, string> = {}, dir = dataDir): Promise<Started> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dir,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    NODE_ENV: 'development',
    ...extra,
  };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  delete env.APP_KEY;
  const proc = spawn(process.execPath, binArgs('api'), { env, cwd: path.resolve(import.meta.dirname, '../..') });
  let out = '';
  proc.stdout.on('data', (d) => (out += String(d)));
  proc.stderr.on('data', (d) => (out += String(d)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`api did not start:\n${out}`)), 150_000);
    const check = () => {
      const m = /"port":(\d+).*listening/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    proc.stdout.on('data', check);
    proc.on('exit', (code) => reject(new Error(`api exited with ${code}:\n${out}`)));
  });
  return { proc, port, output: () => out };
}

async function stop(p: Started): Promise<number | null> {
  return new Promise((resolve) => {
    p.proc.once('exit', (code) => resolve(code));
    p.proc.kill('SIGTERM');
  });
}

describe('embedded default (npm start)', () => {
  it('boots on PGlite with the demo, serves GraphQL, and survives a restart', async () => {
    // given a fresh data directory
    const first = await startApi();
    const header = /"Authorization": "Bearer ([^"]+)"/.exec(first.output());
    expect(header, first.output()).not.toBeNull();
    expect(first.output()).toContain('demo occasion seeded');

    // when the printed header is used
    const base = `http://127.0.0.1:${first.port}`;
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ checks: { database: true } });
    const r = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${header![1]}` },
      body: JSON.stringify({
        query:
          '{ me { email } occasions(first: 5) { totalCount edges { node { name events(first: 10) { totalCount } actors(first: 1, filter: { kinds: [PERSON] }) { totalCount } } } } }',
      }),
    });
    const body = await r.json();
    expect(body.errors).toBeUndefined();
    expect(body.data.me.email).toBe('planner@demo.tovplus.test');
    const occ = body.data.occasions.edges[0].node;
    expect(occ.events.totalCount).toBe(4);
    expect(occ.actors.totalCount).toBeGreaterThanOrEqual(40);

    // and the printed guest link works without an account: the household sees its invitation
    const guestToken = /Bearer (tovg_[A-Za-z0-9_-]+)/.exec(first.output());
    expect(guestToken, first.output()).not.toBeNull();
    // the link is GUEST_LINK_TEMPLATE's default: the built-in guest page, the token in its path
    expect(first.output()).toContain(`/guest/${guestToken![1]}`);
    const asGuest = async (token: string) =>
      (
        await fetch(`${base}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: '{ guestInvitation { unitName events { name open questions { key } } } }' }),
        })
      ).json();
    const g = await asGuest(guestToken![1]!);
    expect(g.errors).toBeUndefined();
    expect(g.data.guestInvitation.events.map((e: { name: string }) => e.name)).toEqual([
      'Henna night',
      'Chuppah (ceremony)',
      'Reception dinner',
      'Farewell brunch',
    ]);
    expect(g.data.guestInvitation.events[2].questions.map((q: { key: string }) => q.key)).toEqual(['meal', 'dietary']);

    // then SIGTERM drains and exits 0
    expect(await stop(first)).toBe(0);

    // and a second boot keeps the data and does not seed again
    const second = await startApi();
    expect(second.output()).not.toContain('demo occasion seeded');
    expect(second.output()).toContain('Authorization');
    // the printed guest link is the one the household's invitation email carries: the same on every boot, still working
    const secondGuest = /Bearer (tovg_[A-Za-z0-9_-]+)/.exec(second.output());
    expect(secondGuest![1]).toBe(guestToken![1]);
    const again = `http://127.0.0.1:${second.port}`;
    const g2 = (await (
      await fetch(`${again}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${guestToken![1]}` },
        body: JSON.stringify({ query: '{ guestInvitation { unitName } }' }),
      })
    ).json()) as { data: { guestInvitation: { unitName: string } } };
    expect(g2.data.guestInvitation.unitName).toBe(g.data.guestInvitation.unitName);
    // and the invitations went to the local mailbox (the api runs the sender on the embedded default), the link among them
    const planner = /"Authorization": "Bearer ([^"]+)"/.exec(second.output())![1]!;
    const occasionId = /Occasion:\s+.+ \(([^)]+)\)/.exec(second.output())![1]!;
    let box: { totalCount: number; edges: { node: { text: string } }[] } = { totalCount: 0, edges: [] };
    for (let i = 0; i < 100 && box.totalCount < 16; i++) {
      if (i) await new Promise((r) => setTimeout(r, 100));
      const r = (await (
        await fetch(`${again}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${planner}` },
          body: JSON.stringify({ query: `{ occasion(id: "${occasionId}") { mailbox(first: 50) { totalCount edges { node { text } } } } }` }),
        })
      ).json()) as { data: { occasion: { mailbox: typeof box } } };
      box = r.data.occasion.mailbox;
    }
    expect(box.totalCount).toBeGreaterThanOrEqual(16);
    expect(box.edges.some((e) => e.node.text.includes(guestToken![1]!))).toBe(true);
    expect(await stop(second)).toBe(0);
  }, 300_000);

  it('delivers webhooks by itself: the relay and deliveries run inside the embedded api', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tov-embedded-webhooks-'));
    const got: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += String(c)));
      req.on('end', () => {
        got.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    const api = await startApi({ PLATFORM_OPERATORS: 'ops@embedded.tovplus.test', WEBHOOK_ALLOWED_NETWORKS: 'loopback' }, dir);
    try {
      const planner = /"Authorization": "Bearer ([^"]+)"/.exec(api.output())![1]!;
      const gql = async (query: string, variables: Record<string, unknown>, token?: string) => {
        const res = await fetch(`http://127.0.0.1:${api.port}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify({ query, variables }),
        });
        const body = await res.json();
        expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
        return body.data;
      };
      const operator = (
        await gql(`mutation($i: SignUpInput!) { signUp(input: $i) { ... on Session { accessToken } } }`, {
          i: { email: 'ops@embedded.tovplus.test', password: 'operator-password-long', displayName: 'Ops' },
        })
      ).signUp.accessToken;
      const integrationId = (
        await gql(
          `mutation($i: CreateIntegrationInput!) { createIntegration(input: $i) { ... on IntegrationPayload { integration { id } } } }`,
          { i: { displayName: 'Venue AV', businessRole: 'PARTNER', flags: ['OUTBOUND'], environment: 'DEVELOPMENT', config: {} } },
          operator,
        )
      ).createIntegration.integration.id;
      await gql(
        `mutation($i: TransitionIntegrationInput!) { transitionIntegration(input: $i) { __typename } }`,
        { i: { id: integrationId, to: 'ENABLED' } },
        operator,
      );
      const occ = (await gql(`{ occasions(first: 1) { edges { node { id events(first: 1) { edges { node { id } } } } } } }`, {}, planner)).occasions
        .edges[0].node;
      const eventId = occ.events.edges[0].node.id;
      const connectionId = (
        await gql(
          `mutation($i: ConnectIntegrationInput!) { connectIntegration(input: $i) { ... on IntegrationConnectionPayload { connection { id } } } }`,
          { i: { occasionId: occ.id, integrationId } },
          planner,
        )
      ).connectIntegration.connection.id;
      await gql(
        `mutation($i: GrantAccessInput!) { grantAccess(input: $i) { __typename } }`,
        { i: { occasionId: occ.id, subjectId: integrationId, actions: ['event:read'], scope: { type: 'EVENT', eventId } } },
        planner,
      );
      const created = (
        await gql(
          `mutation($i: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $i) { __typename ... on WebhookEndpointSecretPayload { secret } } }`,
          { i: { connectionId, url: hook, eventTypes: ['event.updated'], eventIds: [eventId] } },
          planner,
        )
      ).createWebhookEndpoint;
      expect(created.__typename).toBe('WebhookEndpointSecretPayload');
      await gql(
        `mutation($i: UpdateEventInput!) { updateEvent(input: $i) { __typename } }`,
        { i: { id: eventId, location: 'Garden tent' } },
        planner,
      );
      const until = Date.now() + 20_000;
      while (!got.length && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      expect(got).toHaveLength(1);
      expect(verifyWebhook(created.secret, got[0]!.headers as Record<string, string>, got[0]!.body)).toEqual({ ok: true });
      expect(JSON.parse(got[0]!.body)).toMatchObject({ type: 'event.updated', occasionId: occ.id, eventId, sequence: expect.any(Number) });
      expect(await stop(api)).toBe(0);
    } finally {
      api.proc.kill('SIGKILL');
      receiver.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
