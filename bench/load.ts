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
  /**
   * At least this many measured responses: when the warm-up's rate says the timed run would complete fewer
   * (autocannon drops requests still in flight when a timed run ends, so a path slower than the slice
   * leaves none), the measured run sends exactly this many requests instead and takes as long as they do.
   */
  minResponses?: number;
}

export interface LoadResult {
  /** Every measured response's latency, ms. */
  latencies: number[];
  /** Wall-clock seconds of the measured run. */
  seconds: number;
  /** Non-2xx responses, connection errors/timeouts, or bodies carrying GraphQL `errors`. */
  bad: number;
  badSample?: string;
  /** The measured run sent a fixed number of requests (minResponses) instead of running for durationSeconds. */
  byCount?: boolean;
}

/** A timed run (`seconds`), or one of exactly `amount` requests. */
async function run(job: LoadJob, length: { seconds: number } | { amount: number }, record: boolean): Promise<LoadResult & { responses: number }> {
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
      ...('amount' in length ? { amount: length.amount } : { duration: length.seconds }),
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
  let responses = 0;
  instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => {
    responses++;
    if (record) latencies.push(ms);
  });
  const result = await finished;
  const elapsed = (performance.now() - started) / 1000;
  bad += result.errors; // connection errors and timeouts (status codes are checked above)
  return { latencies, seconds: elapsed, bad, badSample, responses };
}

// The job's own try/catch reports every failure to the parent (and exits): nothing is left for an unhandled rejection.
process.once('message', (job: LoadJob) => void runJob(job));

async function runJob(job: LoadJob) {
  try {
    const warm = job.warmupSeconds > 0 ? await run(job, { seconds: job.warmupSeconds }, false) : undefined;
    const expected = warm ? (warm.responses / warm.seconds) * job.durationSeconds : Infinity;
    const byCount = job.minResponses !== undefined && expected < job.minResponses;
    const { responses: _, ...result } = await run(job, byCount ? { amount: job.minResponses! } : { seconds: job.durationSeconds }, true);
    process.send!({ ok: true, result: { ...result, byCount } }, () => process.exit(0));
  } catch (err) {
    process.send!({ ok: false, error: String((err as Error)?.stack ?? err) }, () => process.exit(1));
  }
}
