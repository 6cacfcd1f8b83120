/**
 * Sends one fuzzed request over a real socket and reduces the answer to what
 * the report counts: HTTP status, the `extensions.code` of every error, whether
 * anything was internal, and the data (for the id pools).
 */
import type { FuzzRequest } from './plan.js';
import { expandDeepJson } from './values.js';

export interface Outcome {
  status: number;
  /** One per error; `NO_CODE` for an error without `extensions.code`, `NON_JSON` for a body that is not JSON, `TIMEOUT`, `NETWORK`. */
  codes: string[];
  messages: string[];
  ms: number;
  internal: boolean;
  /** Some root field of the response resolved to a non-null value. */
  resolved: boolean;
  data?: unknown;
  /** The body's start, for errors worth reading. */
  snippet: string;
}

const TIMEOUT_MS = 20_000;
const SSE_WAIT_MS = 2_000;

function httpRequest(base: string, req: FuzzRequest): { url: string; init: RequestInit } {
  if (req.raw) {
    return {
      url: base + req.raw.path,
      init: { method: req.raw.method, body: req.raw.body, headers: req.raw.contentType ? { 'content-type': req.raw.contentType } : {} },
    };
  }
  const p = req.params ?? {};
  if (req.transport === 'get') {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(p)) if (v !== undefined) qs.set(k, typeof v === 'string' ? v : expandDeepJson(JSON.stringify(v)));
    return { url: `${base}/graphql?${qs}`, init: { method: 'GET' } };
  }
  return {
    url: `${base}/graphql`,
    init: { method: 'POST', body: expandDeepJson(JSON.stringify(p)), headers: { 'content-type': 'application/json' } },
  };
}

/** The first `next`/`complete` event of an SSE stream (yoga's distinct-connections mode), or what arrived before the wait ran out. */
async function readFirstEvent(res: Response, abort: AbortController): Promise<string> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const timer = setTimeout(() => abort.abort(), SSE_WAIT_MS);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      const m = /event: (next|complete)\ndata:(.*)\n/.exec(text);
      if (m) return m[2]!.trim() || '{}';
    }
  } catch {
    // The wait ran out: a live stream that sent nothing yet is not an error.
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return text.includes('data:') ? (/data:(.*)\n/.exec(text)?.[1]?.trim() ?? '{}') : '{}';
}

export async function send(base: string, req: FuzzRequest, headers: Record<string, string>): Promise<Outcome> {
  const { url, init } = httpRequest(base, req);
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), TIMEOUT_MS);
  const started = performance.now();
  const accept = req.transport === 'sse' ? 'text/event-stream' : 'application/graphql-response+json, application/json';
  let status = 0;
  let text: string;
  try {
    const res = await fetch(url, { ...init, headers: { accept, ...(init.headers as Record<string, string>), ...headers }, signal: abort.signal });
    status = res.status;
    text =
      req.transport === 'sse' && res.headers.get('content-type')?.startsWith('text/event-stream')
        ? await readFirstEvent(res, abort)
        : await res.text();
  } catch (err) {
    const ms = performance.now() - started;
    const timedOut = abort.signal.aborted;
    return {
      status,
      codes: [timedOut ? 'TIMEOUT' : 'NETWORK'],
      messages: [String((err as Error)?.message ?? err)],
      ms,
      internal: false,
      resolved: false,
      snippet: '',
    };
  } finally {
    clearTimeout(timer);
  }
  const ms = performance.now() - started;
  let body: { data?: unknown; errors?: { message?: string; extensions?: { code?: string } }[] } | null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  const codes: string[] = [];
  const messages: string[] = [];
  if (!body || typeof body !== 'object') {
    if (status >= 400 || text) codes.push('NON_JSON');
  } else {
    for (const e of Array.isArray(body.errors) ? body.errors : []) {
      codes.push(e?.extensions?.code ?? 'NO_CODE');
      messages.push(String(e?.message ?? ''));
    }
  }
  const internal = status >= 500 || codes.includes('INTERNAL_SERVER_ERROR');
  const data = body?.data;
  const resolved = !!data && typeof data === 'object' && Object.values(data).some((v) => v !== null);
  return { status, codes, messages, ms, internal, resolved, data, snippet: text.slice(0, 300) };
}
