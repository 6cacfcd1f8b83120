import { createRequire } from 'node:module';
import type { Agent } from 'undici';
import { AddressRefusedError, type AllowedNetwork, assertAddressAllowed, guardedLookup, literalAddress } from './network-policy.js';

/*
 * The one HTTP client webhooks are sent with: connect and total timeouts, no
 * redirects followed, only the first bytes of a response kept, the network
 * policy applied to the resolved address. It classifies what happened; what
 * to do about it (retry when, disable the endpoint) is the delivery's call.
 */

export interface PostOptions {
  connectTimeoutMs: number;
  totalTimeoutMs: number;
  allowedNetworks: readonly AllowedNetwork[];
}

export type PostResult = {
  durationMs: number;
  statusCode: number | null;
  /** The first bytes of the response body (text), for operators. */
  excerpt: string | null;
  /** Retry-After in milliseconds when the receiver sent one (429, 503). */
  retryAfterMs: number | null;
  /** Null when it got a response; otherwise what went wrong before one arrived. */
  errorClass: 'timeout' | 'connect_timeout' | 'connect_refused' | 'dns' | 'address_refused' | 'network' | null;
  error: string | null;
};

const EXCERPT_BYTES = 1024;

/** undici (CommonJS) is loaded by the first delivery: an api that sends none starts without it. */
const require = createRequire(import.meta.url);
const undici = () => require('undici') as typeof import('undici');

export function createWebhookHttpClient(opts: PostOptions) {
  let agent: Agent | null = null;
  const dispatcher = () =>
    (agent ??= new (undici().Agent)({
      connect: { timeout: opts.connectTimeoutMs, lookup: guardedLookup(opts.allowedNetworks) },
      // A webhook is one request: no keep-alive pool kept open to hundreds of receivers.
      keepAliveTimeout: 4_000,
      connections: 16,
    }));

  async function post(url: string, headers: Record<string, string>, body: string): Promise<PostResult> {
    const started = performance.now();
    const done = (r: Omit<PostResult, 'durationMs'>): PostResult => ({ ...r, durationMs: Math.round(performance.now() - started) });
    try {
      const literal = literalAddress(new URL(url));
      if (literal) assertAddressAllowed(literal, opts.allowedNetworks);
      const res = await undici().request(url, {
        method: 'POST',
        dispatcher: dispatcher(),
        headers: { 'content-type': 'application/json', 'user-agent': 'TovPlus-Webhooks/1', ...headers },
        body,
        signal: AbortSignal.timeout(opts.totalTimeoutMs),
        headersTimeout: opts.totalTimeoutMs,
        bodyTimeout: opts.totalTimeoutMs,
      });
      const excerpt = await readExcerpt(res.body);
      const retryAfter = res.headers['retry-after'];
      return done({
        statusCode: res.statusCode,
        excerpt,
        retryAfterMs: parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter),
        errorClass: null,
        error: null,
      });
    } catch (e) {
      const { errorClass, error } = classify(e);
      return done({ statusCode: null, excerpt: null, retryAfterMs: null, errorClass, error });
    }
  }

  return { post, close: async () => agent?.close() };
}

export type WebhookHttpClient = ReturnType<typeof createWebhookHttpClient>;

async function readExcerpt(body: AsyncIterable<Buffer> & { destroy(): void }): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= EXCERPT_BYTES) break;
    }
  } catch {
    // A body cut off mid-way is still an answer; the status decides.
  } finally {
    body.destroy();
  }
  if (!size) return null;
  return Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString('utf8');
}

/** Retry-After as delay-seconds or an HTTP date, in ms; null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

function classify(e: unknown): Pick<PostResult, 'errorClass' | 'error'> {
  const err = e as { name?: string; code?: string; message?: string; cause?: unknown };
  const root = (err.cause ?? err) as { code?: string; message?: string };
  if (e instanceof AddressRefusedError || root instanceof AddressRefusedError) {
    return { errorClass: 'address_refused', error: (root as Error).message ?? err.message ?? null };
  }
  const code = root.code ?? err.code;
  if (err.name === 'TimeoutError' || err.name === 'AbortError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return { errorClass: 'timeout', error: 'No complete response in time.' };
  }
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return { errorClass: 'connect_timeout', error: 'Could not connect in time.' };
  if (code === 'ECONNREFUSED') return { errorClass: 'connect_refused', error: 'Connection refused.' };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { errorClass: 'dns', error: `Host not found (${code}).` };
  return { errorClass: 'network', error: `${code ?? err.name ?? 'Error'}: ${root.message ?? err.message ?? ''}`.slice(0, 300) };
}
