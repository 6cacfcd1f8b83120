/**
 * The api's memory under load: process.memoryUsage() of the bench process,
 * sampled on a timer while a GraphQL load slice runs. The app runs in this
 * process, so the figures also hold the harness (tsx, the seed's leftovers
 * until collected) and the SQL floor's server and pool, idle during a GraphQL
 * slice; the "before" sample, taken after the seed, right before the loads,
 * is what they and the idle app hold together.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
export interface MemoryPeak {
  /** Bytes. */
  rss: number;
  heapUsed: number;
  samples: number;
}

/** A full garbage collection, so the "before" figure is not the seed's leftovers (--expose-gc, turned on at run time). */
export function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

export function memoryNow(): { rss: number; heapUsed: number } {
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed };
}

/** Runs `during`, sampling memory every `everyMs`; returns the peaks (the first and last samples included). */
export async function sampleMemoryDuring<T>(during: () => Promise<T>, everyMs = 100): Promise<{ result: T; peak: MemoryPeak }> {
  const peak: MemoryPeak = { rss: 0, heapUsed: 0, samples: 0 };
  const sample = () => {
    const m = memoryNow();
    peak.rss = Math.max(peak.rss, m.rss);
    peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
    peak.samples++;
  };
  sample();
  const timer = setInterval(sample, everyMs);
  try {
    const result = await during();
    sample();
    return { result, peak };
  } finally {
    clearInterval(timer);
  }
}

export const mib = (bytes: number) => bytes / 1024 / 1024;
