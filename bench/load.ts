/**
 * Load generator, run in its own process (forked by bench/run.ts) so autocannon
 * never shares an event loop with the servers it measures.
 *
 * Protocol: the parent sends one LoadJob over IPC; this process answers with one
 * LoadResult and exits.
 */
import autocannon from 'autocannon';

export interface LoadJob {
  url: string;
  headers: Record<string, string>;
  body: string;
  connections: number;
  /** Seconds of discarded warm-up, then seconds measured. */
  warmupSeconds: number;
  durationSeconds: number;
}

export interface LoadResult {
  /** Every measured response's latency, ms. */
  latencies: number[];
  /** Wall-clock seconds of the measured run. */
  seconds: number;
  /** Non-2xx responses, connection errors/timeouts, or bodies carrying GraphQL `errors`. */
  bad: number;
  badSample?: string;
}

async function run(job: LoadJob, seconds: number, record: boolean): Promise<LoadResult> {
  const latencies: number[] = [];
  let bad = 0;
  let badSample: string | undefined;
  const started = performance.now();
  let done!: (r: autocannon.Result) => void;
  let fail!: (e: unknown) => void;
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    done = resolve;
    fail = reject;
  });
  const instance = autocannon(
    {
      url: job.url,
      connections: job.connections,
      pipelining: 1,
      duration: seconds,
      method: 'POST',
      headers: job.headers,
      body: job.body,
      requests: [
        {
          method: 'POST',
          onResponse: (status: number, body: string) => {
            if (status !== 200 || body.includes('"errors"')) {
              bad++;
              badSample ??= `${status} ${body.slice(0, 300)}`;
            }
          },
        },
      ],
    },
    (err, result) => (err ? fail(err) : done(result)),
  );
  if (record) instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => void latencies.push(ms));
  const result = await finished;
  const elapsed = (performance.now() - started) / 1000;
  bad += result.errors; // connection errors and timeouts (status codes are checked above)
  return { latencies, seconds: elapsed, bad, badSample };
}

// The job's own try/catch reports every failure to the parent (and exits): nothing is left for an unhandled rejection.
process.once('message', (job: LoadJob) => void runJob(job));

async function runJob(job: LoadJob) {
  try {
    if (job.warmupSeconds > 0) await run(job, job.warmupSeconds, false);
    const result = await run(job, job.durationSeconds, true);
    process.send!({ ok: true, result }, () => process.exit(0));
  } catch (err) {
    process.send!({ ok: false, error: String((err as Error)?.stack ?? err) }, () => process.exit(1));
  }
}
