/**
 * The fuzz run itself, shared by `npm run fuzz` and the smoke test: seed the
 * world on a running server, then send `requests` generated requests in small
 * concurrent batches (generated before each batch, so a seed always yields the
 * same sequence of request shapes), feed the responses' ids and cursors back
 * into the pools, and report.
 */
import { readFileSync } from 'node:fs';
import { isInterfaceType } from 'graphql';
import type { TestServer } from '../../test/support/harness.js';
import { loadSchema, RequestPlanner } from './plan.js';
import { parseErrorLogs, Tally, webhookFindings, type FuzzReport } from './report.js';
import { Rng } from './rng.js';
import { send } from './send.js';
import { ValueGen } from './values.js';
import { MANIFEST, seedWorld } from './world.js';

export interface FuzzOptions {
  requests: number;
  seed: number;
  /** Requests in flight at once (each batch is generated before it is sent). */
  concurrency: number;
  onProgress?: (done: number, internal: number) => void;
  /** A receiver for the seeded webhook endpoint (with a worker delivering): its bodies are checked for internal errors too. */
  webhooks?: { url: string; payloads: string[] };
}

export const requestIdOf = (seed: number) => (n: number) => `fuzz-${seed}-${n}`;

export async function runFuzz(s: TestServer, opts: FuzzOptions): Promise<FuzzReport> {
  const schema = loadSchema(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'));
  const node = schema.getType('Node');
  const nodeTypes = isInterfaceType(node) ? [...schema.getPossibleTypes(node).map((t) => t.name), 'WebhookDelivery', 'AuditEntry'] : [];
  const world = await seedWorld(s, nodeTypes, { webhookUrl: opts.webhooks?.url });
  const logStart = s.logs.length;

  const rng = new Rng(opts.seed);
  const values = new ValueGen(rng, world.knowledge);
  const planner = new RequestPlanner(schema, rng, values, MANIFEST);
  const tally = new Tally(opts.seed);
  const rid = requestIdOf(opts.seed);
  let internal = 0;

  for (let n = 0; n < opts.requests;) {
    await world.refresh();
    const batch = Array.from({ length: Math.min(opts.concurrency, opts.requests - n) }, (_, i) => planner.next(n + i));
    n += batch.length;
    const outcomes = await Promise.all(batch.map((req) => send(s.url, req, { ...world.headers(req.principal), 'x-request-id': rid(req.n) })));
    for (const [i, out] of outcomes.entries()) {
      world.knowledge.pools.harvest(out.data);
      tally.add(batch[i]!, out);
      if (out.internal) internal++;
    }
    if (n % 500 < batch.length) opts.onProgress?.(n, internal);
  }

  if (opts.webhooks) await new Promise((r) => setTimeout(r, 3_000)); // deliveries due now (test sends, the last events) arrive
  const report = tally.report(rid, parseErrorLogs(s.logs.slice(logStart)));
  if (opts.webhooks) report.webhooks = webhookFindings(opts.webhooks.payloads);
  report.canaries = await world.canaries();
  return report;
}
