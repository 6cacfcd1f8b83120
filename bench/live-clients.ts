/**
 * Live-update subscribers for the fan-out benchmark, in their own process
 * (forked by bench/live.ts) so receiving 1,000 sockets' messages never shares
 * an event loop with the server being measured.
 *
 * Protocol (IPC, one request at a time, each answered once):
 *   { type: 'graphql', url, token, query, variables, count } → { type: 'ready', ms, sample }
 *   { type: 'plain', url, count }                             → { type: 'ready', ms }
 *   { type: 'expect', n, check? }                             → { type: 'arrived', first, median, last, wrong, sample }
 *   { type: 'close' }                                         → { type: 'closed' }
 * Times are epoch milliseconds with sub-millisecond precision
 * (performance.timeOrigin + performance.now()), comparable across processes.
 */
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

type Request =
  | { type: 'graphql'; url: string; token: string; query: string; variables: Record<string, unknown>; count: number }
  | { type: 'plain'; url: string; count: number }
  | { type: 'expect'; n: number; check?: { path: string[]; equals: unknown }; timeoutMs?: number }
  | { type: 'close' };

const now = () => performance.timeOrigin + performance.now();

interface Subscriber {
  /** Arrival time of each message, in order. */
  at: number[];
  /** The last message, as received. */
  last: unknown;
  close(): void;
}
let subscribers: Subscriber[] = [];

const reply = (m: unknown) => process.send!(m);

async function inBatches<T>(count: number, size: number, open: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < count; i += size) out.push(...(await Promise.all(Array.from({ length: Math.min(size, count - i) }, (_, k) => open(i + k)))));
  return out;
}

function openGraphQL(req: Extract<Request, { type: 'graphql' }>): Promise<Subscriber> {
  return new Promise((resolve, reject) => {
    const client = createClient({
      url: req.url,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${req.token}` },
      lazy: true,
      retryAttempts: 0,
    });
    const sub: Subscriber = { at: [], last: null, close: () => void client.dispose() };
    client.subscribe(
      { query: req.query, variables: req.variables },
      {
        next: (r) => {
          sub.at.push(now());
          sub.last = r;
          if (sub.at.length === 1) {
            if ((r as { errors?: unknown }).errors) reject(new Error(`subscription refused: ${JSON.stringify(r)}`));
            else resolve(sub);
          }
        },
        error: (e) =>
          reject(
            e instanceof Error
              ? e
              : new Error(`subscription failed: ${(e as { code?: number }).code ?? ''} ${(e as { reason?: string }).reason ?? JSON.stringify(e)}`),
          ),
        complete: () => {},
      },
    );
  });
}

function openPlain(url: string): Promise<Subscriber> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const sub: Subscriber = { at: [], last: null, close: () => socket.close() };
    socket.on('message', (data) => {
      sub.at.push(now());
      sub.last = (data as Buffer).toString('utf8'); // ws hands a text frame over as one Buffer (binaryType 'nodebuffer')
    });
    socket.once('open', () => resolve(sub));
    socket.once('error', reject);
  });
}

const get = (v: unknown, path: string[]) => path.reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], v);

async function handle(req: Request) {
  if (req.type === 'graphql' || req.type === 'plain') subscribers.splice(0).forEach((s) => s.close());
  switch (req.type) {
    case 'graphql': {
      const t0 = now();
      subscribers = await inBatches(req.count, 50, () => openGraphQL(req));
      return reply({ type: 'ready', ms: now() - t0, sample: subscribers[0]!.last });
    }
    case 'plain': {
      const t0 = now();
      subscribers = await inBatches(req.count, 100, () => openPlain(req.url));
      return reply({ type: 'ready', ms: now() - t0 });
    }
    case 'expect': {
      const deadline = now() + (req.timeoutMs ?? 60_000);
      while (subscribers.some((s) => s.at.length < req.n)) {
        if (now() > deadline) {
          const got = subscribers.filter((s) => s.at.length >= req.n).length;
          throw new Error(`only ${got} of ${subscribers.length} subscribers received message #${req.n}`);
        }
        await new Promise((r) => setTimeout(r, 2));
      }
      const times = subscribers.map((s) => s.at[req.n - 1]!).sort((a, b) => a - b);
      const wrong = req.check
        ? subscribers.filter((s) => s.at.length !== req.n || get(s.last, req.check!.path) !== req.check!.equals).length
        : subscribers.filter((s) => s.at.length !== req.n).length;
      return reply({
        type: 'arrived',
        first: times[0],
        median: times[times.length >> 1],
        last: times[times.length - 1],
        wrong,
        sample: subscribers[0]!.last,
      });
    }
    case 'close': {
      subscribers.forEach((s) => s.close());
      subscribers = [];
      return reply({ type: 'closed' });
    }
  }
}

process.on('message', (req: Request) => {
  handle(req).catch((err) => reply({ type: 'error', error: String((err as Error)?.stack ?? err) }));
});
