import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ = 100 on Linux

/** CPU ms (user + system) each thread of `pid` has used so far, by thread id; null off Linux or once the process is gone. */
export function threadCpuMs(pid: number): Map<number, number> | null {
  try {
    const out = new Map<number, number>();
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        out.set(Number(tid), (Number(rest[11]) + Number(rest[12])) * TICK_MS);
      } catch {
        // the thread ended while the directory was read
      }
    }
    return out;
  } catch {
    return null;
  }
}

export interface ThreadSplit {
  /** The process's main thread: its event loop (for a render: the QR codes, pdf-lib's merging and saving, Prisma, JSON). */
  main: number;
  /**
   * Every other thread: Typst's compiler thread and the threads it lays pages out on, V8's (GC, compilers),
   * libvips's (sharp), libuv's pool. Node names none of them but libvips's, so they are counted together.
   * Threads that ended in between are missed.
   */
  others: number;
  total: number;
}

/** Where a process's CPU went between two readings of {@link threadCpuMs}. */
export function threadSplit(pid: number, before: Map<number, number> | null, after: Map<number, number> | null): ThreadSplit | null {
  if (!before || !after) return null;
  let main = 0;
  let others = 0;
  for (const [tid, ms] of after) {
    const used = ms - (before.get(tid) ?? 0);
    if (tid === pid) main = used;
    else others += used;
  }
  return { main, others, total: main + others };
}
