import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { buildWorld } from '../../support/factories.js';
import { startServer } from '../../support/harness.js';
import { freshLoopback } from '../../support/integration-auth.js';
import { until, type WsClient, wsClient } from '../../support/live.js';

/**
 * What one graphql-ws client can hold: messages no larger than an HTTP body,
 * a few seconds to say connection_init, a cap on operations per socket and on
 * sockets per client address, and no socket for a foreign page.
 */

const APP = 'https://app.example.com';
const s = await startServer({
  MAX_BODY_BYTES: 1024 * 1024,
  WS_CONNECTION_INIT_TIMEOUT_MS: 1500,
  WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: 2,
  WS_MAX_CONNECTIONS_PER_ADDRESS: 3,
  CORS_ORIGINS: [APP],
});
const wsUrl = s.url.replace(/^http/, 'ws') + '/graphql';

const sockets: WebSocket[] = [];
const clients: WsClient[] = [];
afterEach(async () => {
  for (const w of sockets.splice(0)) w.terminate();
  await Promise.all(clients.splice(0).map((c) => c.dispose()));
});

/** A raw graphql-transport-ws socket: what it was sent, how it closed, or the HTTP status that refused the upgrade. */
function raw(opts: { from?: string; origin?: string } = {}) {
  const ws = new WebSocket(wsUrl, 'graphql-transport-ws', { localAddress: opts.from, origin: opts.origin });
  sockets.push(ws);
  const seen = { open: false, messages: [] as any[], closed: null as null | { code: number; reason: string }, refused: null as null | number };
  ws.on('open', () => (seen.open = true));
  ws.on('message', (m) => seen.messages.push(JSON.parse((m as Buffer).toString('utf8')))); // a text frame: one Buffer
  ws.on('close', (code, reason) => (seen.closed = { code, reason: String(reason) }));
  ws.on('unexpected-response', (_req, res) => {
    seen.refused = res.statusCode ?? 0;
    ws.terminate();
  });
  ws.on('error', () => {});
  return { ws, seen };
}

describe('graphql-ws limits', () => {
  it('a message larger than MAX_BODY_BYTES closes the socket (1009) and is never acknowledged', async () => {
    const { ws, seen } = raw();
    await until(() => seen.open, 5000, 'open');
    ws.send(JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(2 * 1024 * 1024) } }));
    await until(() => seen.closed !== null, 5000, 'close');
    expect(seen.closed!.code).toBe(1009);
    expect(seen.messages).toEqual([]);
  });

  it('a message just under the limit is fine', async () => {
    const { ws, seen } = raw();
    await until(() => seen.open, 5000, 'open');
    ws.send(JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(512 * 1024) } }));
    await until(() => seen.messages.length > 0, 5000, 'ack');
    expect(seen.messages[0].type).toBe('connection_ack');
  });

  it('a socket that sends no connection_init is closed after WS_CONNECTION_INIT_TIMEOUT_MS (4408)', async () => {
    const { seen } = raw();
    await until(() => seen.open, 5000, 'open');
    const opened = Date.now();
    await until(() => seen.closed !== null, 5000, 'close');
    expect(Date.now() - opened).toBeGreaterThan(1000);
    expect(seen.closed!.code).toBe(4408);
  });

  it('more operations in flight than WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: the extra one is refused (TOO_MANY_SUBSCRIPTIONS), the socket stays, and a slot frees when one completes', async () => {
    const w = await buildWorld(s, { events: 1, households: [1], modules: { rsvp: [0] } });
    const c = wsClient(s.url, w.owner.token);
    clients.push(c);
    const SUB = `subscription($id: ID!) { rsvpSummaryChanged(eventId: $id) { invited } }`;
    const a = c.subscribe(SUB, { id: w.eventIds[0] });
    const b = c.subscribe(SUB, { id: w.eventIds[0] });
    await a.next(1);
    await b.next(1);
    const third = c.subscribe(SUB, { id: w.eventIds[0] });
    await until(() => third.ended !== null, 5000, 'third refused');
    expect(JSON.stringify(third.ended!.error)).toContain('TOO_MANY_SUBSCRIPTIONS');
    expect(c.closes).toEqual([]);
    a.stop();
    const fourth = c.subscribe(SUB, { id: w.eventIds[0] });
    const first = await fourth.next(1);
    expect(first.errors).toBeUndefined();
    expect(first.data.rsvpSummaryChanged).toEqual({ invited: 0 });
  });

  it('more sockets from one address than WS_MAX_CONNECTIONS_PER_ADDRESS: the upgrade gets 429; closing one lets the next in; other addresses are unaffected', async () => {
    const from = freshLoopback();
    const open = [raw({ from }), raw({ from }), raw({ from })];
    await until(() => open.every((o) => o.seen.open), 5000, 'three open');
    const extra = raw({ from });
    await until(() => extra.seen.refused !== null, 5000, 'refused');
    expect(extra.seen.refused).toBe(429);
    const elsewhere = raw({ from: freshLoopback() });
    await until(() => elsewhere.seen.open, 5000, 'other address open');

    open[0]!.ws.close();
    await until(() => open[0]!.seen.closed !== null, 5000, 'closed');
    // the server counts the close when its side of the socket closes: allow it a moment
    await until(() => false, 200).catch(() => {});
    const next = raw({ from });
    await until(() => next.seen.open || next.seen.refused !== null, 5000, 'next');
    expect(next.seen.open).toBe(true);
  });

  it('a browser page from a foreign origin gets no socket (403); allowed and same-origin pages do', async () => {
    const foreign = raw({ origin: 'https://evil.example' });
    await until(() => foreign.seen.refused !== null, 5000, 'refused');
    expect(foreign.seen.refused).toBe(403);
    for (const origin of [APP, s.url]) {
      const ok = raw({ origin });
      await until(() => ok.seen.open || ok.seen.refused !== null, 5000, origin);
      expect(ok.seen.open, origin).toBe(true);
    }
  });
});
