/**
 * `npm run fuzz`: schema-driven fuzzing of the API over real HTTP. See bench/fuzz/README.md.
 *
 *   npm run fuzz -- --requests 10000 --seed 1 --db pg --concurrency 4
 *
 * Env equivalents: FUZZ_REQUESTS, FUZZ_SEED, FUZZ_DB (pg | pglite), FUZZ_CONCURRENCY, FUZZ_REDIS_URL,
 * FUZZ_REPORT (path of the JSON report; default .bench/fuzz-<seed>.json).
 * Exits 1 when any response was an internal error.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runFuzz } from './fuzz.js';
import { printReport } from './report.js';
import { startTarget, type DatabaseKind } from './target.js';

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', short: 'n' },
    seed: { type: 'string', short: 's' },
    db: { type: 'string' },
    concurrency: { type: 'string', short: 'c' },
    redis: { type: 'string' },
    report: { type: 'string' },
  },
});

const requests = Number(args.requests ?? process.env.FUZZ_REQUESTS ?? 10_000);
const seed = Number(args.seed ?? process.env.FUZZ_SEED ?? 1);
const db = (args.db ?? process.env.FUZZ_DB ?? 'pg') as DatabaseKind;
const concurrency = Number(args.concurrency ?? process.env.FUZZ_CONCURRENCY ?? 4);
const redisUrl = args.redis ?? process.env.FUZZ_REDIS_URL;
const reportPath = resolve(args.report ?? process.env.FUZZ_REPORT ?? `.bench/fuzz-${seed}.json`);
if (!['pg', 'pglite'].includes(db) || !(requests > 0) || !Number.isInteger(seed) || !(concurrency > 0)) {
  console.error('usage: npm run fuzz -- [--requests 10000] [--seed 1] [--db pg|pglite] [--concurrency 4] [--redis redis://…] [--report path.json]');
  process.exit(2);
}

const command = `npm run fuzz -- --requests ${requests} --seed ${seed} --db ${db} --concurrency ${concurrency}${redisUrl ? ` --redis ${redisUrl}` : ''}`;
const target = await startTarget(db, { redisUrl });
// Interrupted: still drop the scratch database.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void target.close().finally(() => process.exit(130)));
}
console.log(`Tov+ API fuzz: ${command}\n  server ${target.url} on ${target.description}`);
let code: number;
try {
  const report = await runFuzz(target, {
    requests,
    seed,
    concurrency,
    webhooks: { url: target.webhookUrl, payloads: target.webhookPayloads },
    onProgress: (done, internal) => console.log(`  ${done}/${requests} sent, ${internal} internal errors so far`),
  });
  printReport(report);
  mkdirSync(dirname(reportPath), { recursive: true });
  writeFileSync(reportPath, JSON.stringify({ command, database: db, at: new Date().toISOString(), ...report }, null, 2));
  console.log(`\nFull report: ${reportPath}`);
  code = report.internalErrors > 0 || (report.webhooks?.withInternalErrors ?? 0) > 0 ? 1 : 0;
} catch (err) {
  console.error(err);
  code = 3;
} finally {
  await target.close();
}
process.exit(code);
