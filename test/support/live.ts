import { type Client, createClient } from 'graphql-ws';
import WebSocket from 'ws';

/** Polls until `ok()` holds; fails after `ms` with `what`. */
export async function until(ok: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Received {
  data?: any;
  errors?: { message: string; extensions?: { code?: string } }[];
  at: number;
}

/** Everything one subscription received, in order, and how it ended. */
export interface LiveSubscription {
  messages: Received[];
  /** Set when the server completed the stream or it errored. */
  ended: null | { at: number; error?: unknown };
  /** Waits until `n` messages have arrived. */
  next(n: number, ms?: number): Promise<Received>;
  stop(): void;
}

export interface WsClient {
  client: Client;
  /** Close events of the socket, with when they happened. */
  closes: { code: number; reason: string; at: number }[];
  subscribe(query: string, variables?: Record<string, unknown>): LiveSubscription;
  dispose(): Promise<void>;
}

/** A graphql-ws client on the server's /graphql, authenticated in connection_init. */
export function wsClient(baseUrl: string, token?: string): WsClient {
  const closes: WsClient['closes'] = [];
  const client = createClient({
    url: baseUrl.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: true,
    on: { closed: (e) => closes.push({ code: (e as CloseEvent).code, reason: (e as CloseEvent).reason, at: Date.now() }) },
  });
  return {
    client,
    closes,
    subscribe(query, variables) {
      const sub: LiveSubscription = {
        messages: [],
        ended: null,
        next: async (n, ms = 5000) => {
          await until(() => sub.messages.length >= n || (sub.ended !== null && sub.messages.length < n), ms, `message #${n}`);
          if (sub.messages.length < n) throw new Error(`stream ended after ${sub.messages.length} message(s): ${JSON.stringify(sub.ended)}`);
          return sub.messages[n - 1]!;
        },
        stop: () => unsubscribe(),
      };
      const unsubscribe = client.subscribe(
        { query, variables },
        {
          next: (r) => void sub.messages.push({ ...(r as object), at: Date.now() }),
          error: (error) => (sub.ended = { at: Date.now(), error }),
          complete: () => (sub.ended ??= { at: Date.now() }),
        },
      );
      return sub;
    },
    dispose: () => Promise.resolve(client.dispose()),
  };
}

/** GraphQL over SSE (yoga's distinct-connections mode): POST with `Accept: text/event-stream`. */
export function sseSubscribe(baseUrl: string, token: string, query: string, variables?: Record<string, unknown>): LiveSubscription {
  const abort = new AbortController();
  const sub: LiveSubscription = {
    messages: [],
    ended: null,
    next: async (n, ms = 5000) => {
      await until(() => sub.messages.length >= n || (sub.ended !== null && sub.messages.length < n), ms, `SSE message #${n}`);
      if (sub.messages.length < n) throw new Error(`SSE stream ended after ${sub.messages.length} message(s): ${JSON.stringify(sub.ended)}`);
      return sub.messages[n - 1]!;
    },
    stop: () => abort.abort(),
  };
  void (async () => {
    try {
      const res = await fetch(`${baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
        signal: abort.signal,
      });
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let i: number;
        while ((i = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: ?(.*)$/m.exec(block)?.[1];
          if (event === 'next' && data) sub.messages.push({ ...JSON.parse(data), at: Date.now() });
          if (event === 'complete') sub.ended ??= { at: Date.now() };
        }
      }
      sub.ended ??= { at: Date.now() };
    } catch (error) {
      sub.ended ??= { at: Date.now(), error: String(error) };
    }
  })();
  return sub;
}
