/**
 * Tallies outcomes, ties the server's error log lines to the requests that
 * caused them (by `x-request-id`), groups internal errors into classes (root
 * field + error message) with the shortest request of each as its reproducer,
 * and prints the summary.
 */
import type { FuzzRequest, PrincipalName } from './plan.js';
import type { Outcome } from './send.js';

export interface ErrorLog {
  requestId?: string;
  msg: string;
  error: string;
  stack: string[];
}

export interface InternalClass {
  target: string;
  message: string;
  count: number;
  principals: string[];
  stack: string[];
  reproducer: { principal: PrincipalName; transport: string; request: unknown; status: number; codes: string[] };
}

export interface FuzzReport {
  seed: number;
  requests: number;
  internalErrors: number;
  durationMs: number;
  perPrincipal: Record<string, { requests: number; internal: number }>;
  statuses: Record<string, number>;
  codes: Record<string, number>;
  /** Per root field: requests, internal errors, `ok` (200 without errors) and `data` (some root field resolved to non-null). */
  targets: Record<string, { requests: number; internal: number; ok: number; data: number }>;
  internalClasses: InternalClass[];
  /** Error responses whose errors carry no `extensions.code` (or whose body is not JSON), by status and target. */
  withoutCode: { key: string; count: number; example: { request: unknown; snippet: string } }[];
  slowest: { target: string; principal: string; ms: number; request: unknown }[];
  /** Server error lines not tied to a fuzzed request (background work, or a request id the server replaced). */
  unattributedErrorLogs: ErrorLog[];
  canaries?: Record<string, string>;
  /** Payloads the seeded webhook endpoint received, and those whose rendered document carries an internal error. */
  webhooks?: { received: number; withInternalErrors: number; classes: { type: string; message: string; count: number; example: string }[] };
}

/** Webhook bodies whose rendered document has an `INTERNAL_SERVER_ERROR` (the renderer reports errors without a code as that). */
export function webhookFindings(payloads: string[]): NonNullable<FuzzReport['webhooks']> {
  const classes = new Map<string, { type: string; message: string; count: number; example: string }>();
  let withInternalErrors = 0;
  for (const body of payloads) {
    let p: { type?: string; errors?: { code?: string; message?: string }[] };
    try {
      p = JSON.parse(body);
    } catch {
      continue;
    }
    const bad = (p.errors ?? []).filter((e) => e.code === 'INTERNAL_SERVER_ERROR');
    if (!bad.length) continue;
    withInternalErrors++;
    const key = `${p.type} ${bad[0]!.message}`;
    const c = classes.get(key) ?? { type: String(p.type), message: String(bad[0]!.message), count: 0, example: body.slice(0, 600) };
    c.count++;
    classes.set(key, c);
  }
  return { received: payloads.length, withInternalErrors, classes: [...classes.values()] };
}

/** pino lines at error level and above: the 'unexpected error' of maskError, 'request failed' of the http server, and any other. */
export function parseErrorLogs(lines: string[]): ErrorLog[] {
  const out: ErrorLog[] = [];
  for (const text of lines) {
    for (const line of text.split('\n')) {
      if (!line.includes('"level":5') && !line.includes('"level":6')) continue;
      try {
        const j = JSON.parse(line) as { level: number; msg?: string; requestId?: string; err?: { message?: string; stack?: string; type?: string } };
        if (j.level < 50) continue;
        const stack = (j.err?.stack ?? '')
          .split('\n')
          .slice(1, 7)
          .map((s) => s.trim());
        out.push({ requestId: j.requestId, msg: j.msg ?? '', error: `${j.err?.type ?? ''}: ${j.err?.message ?? ''}`, stack });
      } catch {
        // not a JSON line
      }
    }
  }
  return out;
}

/** Ids, numbers and long runs vary per request: take them out so one bug is one class. */
const normalize = (m: string) =>
  m
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<uuid>')
    .replace(/\d+/g, 'N')
    .replace(/\s+/g, ' ')
    .slice(0, 200);

const inc = (m: Record<string, number>, k: string) => (m[k] = (m[k] ?? 0) + 1);

export function requestView(req: FuzzRequest): unknown {
  return req.raw ? { raw: req.raw } : { transport: req.transport, ...req.params };
}

const size = (req: FuzzRequest) => JSON.stringify(requestView(req)).length;

export class Tally {
  private readonly started = performance.now();
  private readonly results: { req: FuzzRequest; out: Outcome }[] = [];

  constructor(private readonly seed: number) {}

  add(req: FuzzRequest, out: Outcome): void {
    // Keep the data out of memory: the pools already took what they need.
    this.results.push({ req, out: { ...out, data: undefined } });
  }

  report(requestIdOf: (n: number) => string, errorLogs: ErrorLog[]): FuzzReport {
    const perPrincipal: FuzzReport['perPrincipal'] = {};
    const statuses: Record<string, number> = {};
    const codes: Record<string, number> = {};
    const targets: FuzzReport['targets'] = {};
    const logsById = new Map<string, ErrorLog[]>();
    for (const l of errorLogs) if (l.requestId) logsById.set(l.requestId, [...(logsById.get(l.requestId) ?? []), l]);
    const classes = new Map<string, InternalClass & { size: number }>();
    const withoutCode = new Map<string, { count: number; example: { request: unknown; snippet: string } }>();
    const attributed = new Set<string>();
    let internalErrors = 0;

    for (const { req, out } of this.results) {
      const p = (perPrincipal[req.principal] ??= { requests: 0, internal: 0 });
      p.requests++;
      inc(statuses, String(out.status));
      for (const c of out.codes) inc(codes, c);
      const t = (targets[req.target] ??= { requests: 0, internal: 0, ok: 0, data: 0 });
      t.requests++;
      if (!out.codes.length && out.status === 200) t.ok++;
      if (out.resolved) t.data++;
      if (out.codes.some((c) => c === 'NO_CODE' || c === 'NON_JSON')) {
        const key = `${out.status} ${req.target} ${out.codes.includes('NON_JSON') ? 'non-JSON body' : normalize(out.messages[out.codes.indexOf('NO_CODE')] ?? '')}`;
        const w = withoutCode.get(key) ?? { count: 0, example: { request: requestView(req), snippet: out.snippet } };
        w.count++;
        withoutCode.set(key, w);
      }
      const rid = requestIdOf(req.n);
      const logs = logsById.get(rid) ?? [];
      if (logs.length) attributed.add(rid);
      if (!out.internal) continue;
      internalErrors++;
      p.internal++;
      t.internal++;
      const log = logs[0];
      const message = normalize(log ? log.error : `HTTP ${out.status}: ${out.messages[out.codes.indexOf('INTERNAL_SERVER_ERROR')] ?? out.snippet}`);
      const key = `${req.target} | ${message}`;
      const cls = classes.get(key);
      const reproducer = { principal: req.principal, transport: req.transport, request: requestView(req), status: out.status, codes: out.codes };
      if (!cls) {
        classes.set(key, {
          target: req.target,
          message,
          count: 1,
          principals: [req.principal],
          stack: log?.stack ?? [],
          reproducer,
          size: size(req),
        });
      } else {
        cls.count++;
        if (!cls.principals.includes(req.principal)) cls.principals.push(req.principal);
        if (size(req) < cls.size) Object.assign(cls, { reproducer, size: size(req) });
      }
    }
    const slowest = [...this.results]
      .sort((a, b) => b.out.ms - a.out.ms)
      .slice(0, 10)
      .map(({ req, out }) => ({ target: req.target, principal: req.principal, ms: Math.round(out.ms), request: requestView(req) }));
    return {
      seed: this.seed,
      requests: this.results.length,
      internalErrors,
      durationMs: Math.round(performance.now() - this.started),
      perPrincipal,
      statuses,
      codes,
      targets,
      internalClasses: [...classes.values()].sort((a, b) => b.count - a.count).map(({ size: _size, ...c }) => c),
      withoutCode: [...withoutCode.entries()].map(([key, v]) => ({ key, ...v })).sort((a, b) => b.count - a.count),
      slowest,
      unattributedErrorLogs: errorLogs.filter((l) => !l.requestId || !attributed.has(l.requestId)).slice(0, 50),
    };
  }
}

const pad = (s: string | number, n: number) => String(s).padEnd(n);
const clip = (s: string, n: number) => (s.length > n ? s.slice(0, n) + `… (${s.length} chars)` : s);

export function printReport(r: FuzzReport, log: (s: string) => void = console.log): void {
  log(`\nFuzz: ${r.requests} requests, ${r.internalErrors} internal errors (seed ${r.seed}, ${(r.durationMs / 1000).toFixed(1)} s)`);
  log('\nper principal           requests  internal');
  for (const [p, v] of Object.entries(r.perPrincipal)) log(`  ${pad(p, 22)}${pad(v.requests, 10)}${v.internal}`);
  log(
    '\nHTTP status: ' +
      Object.entries(r.statuses)
        .map(([k, v]) => `${k}×${v}`)
        .join('  '),
  );
  log(
    'error codes: ' +
      Object.entries(r.codes)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k}×${v}`)
        .join('  '),
  );
  const targets = Object.entries(r.targets);
  const clean = targets.filter(([, v]) => v.ok > 0).length;
  const resolved = targets.filter(([, v]) => v.data > 0).length;
  log(
    `targets (root fields, persisted documents, raw kinds): ${targets.length}; with data at least once: ${resolved}; with a clean 200 at least once: ${clean}`,
  );
  const never = targets.filter(([k, v]) => v.data === 0 && !k.startsWith('raw.') && !k.startsWith('persisted.')).map(([k]) => k);
  if (never.length) log(`root fields that never returned data: ${never.join(', ')}`);
  if (r.internalClasses.length) {
    log(`\nInternal errors by class (${r.internalClasses.length}):`);
    for (const [i, c] of r.internalClasses.entries()) {
      log(`\n#${i + 1} ${c.target} ×${c.count} [${c.principals.join(', ')}]\n   ${c.message}`);
      if (c.stack.length) log(`   at ${c.stack.slice(0, 3).join('\n      ')}`);
      log(
        `   reproducer (${c.reproducer.principal}, ${c.reproducer.transport}, HTTP ${c.reproducer.status}): ${clip(JSON.stringify(c.reproducer.request), 600)}`,
      );
    }
  }
  if (r.withoutCode.length) {
    log(`\nError responses without extensions.code (${r.withoutCode.reduce((s, w) => s + w.count, 0)}):`);
    for (const w of r.withoutCode.slice(0, 15))
      log(`  ×${w.count} ${w.key}\n     e.g. ${clip(JSON.stringify(w.example.request), 200)} → ${clip(w.example.snippet, 160)}`);
  }
  log('\nSlowest requests:');
  for (const s of r.slowest.slice(0, 5)) log(`  ${pad(s.ms + ' ms', 10)} ${s.target} (${s.principal}) ${clip(JSON.stringify(s.request), 160)}`);
  if (r.unattributedErrorLogs.length) {
    log(`\nServer error log lines not tied to a fuzzed request: ${r.unattributedErrorLogs.length}`);
    for (const l of r.unattributedErrorLogs.slice(0, 5)) log(`  ${l.msg}: ${clip(l.error, 200)}`);
  }
  if (r.webhooks) {
    log(`\nWebhook payloads received: ${r.webhooks.received}, with an internal error in the rendered document: ${r.webhooks.withInternalErrors}`);
    for (const c of r.webhooks.classes) log(`  ×${c.count} ${c.type}: ${c.message}\n     e.g. ${clip(c.example, 400)}`);
  }
  if (r.canaries)
    log(
      '\nprincipals at the end: ' +
        Object.entries(r.canaries)
          .map(([k, v]) => `${k} ${v}`)
          .join(', '),
    );
}
