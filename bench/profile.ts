/**
 * Where the api's CPU goes during a load: a node:inspector CPU profile of the
 * bench process (the app runs in it; autocannon runs in its own process and
 * the SQL floor's server is idle during a GraphQL slice), attributed by file.
 *
 * Attribution: a sample belongs to the first frame, walking from the leaf up
 * its stack, that is "owned" code — the app's src/, graphql-js, graphql-yoga,
 * envelop, Pothos. Library and Node frames below that (Prisma's runtime, pg,
 * JSON, timers) are charged to the owned frame that called them, so the
 * grants query the authorizer builds counts as authorization, while the
 * scope-auth wrapper's call into a resolver counts as the resolver. Work that
 * resumes after an `await` has only the resumed frame on its stack: the
 * Prisma/pg completion of the authorizer's grant query is not charged to it.
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';

/** A category: the files whose frames it owns. */
interface Category {
  name: string;
  test: (url: string) => boolean;
}

/** The permission engine and the Pothos scope-auth plugin's wrappers (issue 12's list). */
export const AUTHORIZATION: Category = {
  name: 'authorization',
  test: (url) =>
    /\/src\/domains\/permissions\/(authorizer|grant-match|private-events)\.ts$/.test(url) ||
    /\/src\/kit\/(rules|authorization)\.ts$/.test(url) ||
    url.includes('/@pothos/plugin-scope-auth/'),
};
/** id → permission target (the DataLoader of ctx.targets and the definitions of each domain/module). */
export const TARGET_LOOKUP: Category = {
  name: 'target lookup',
  test: (url) => /\/src\/kit\/targets\.ts$/.test(url) || /\/src\/.*\.targets\.ts$/.test(url),
};
const OTHER_OWNED: Category = {
  name: 'other',
  test: (url) => url.includes('/src/') || /\/node_modules\/(graphql|graphql-yoga|@graphql-yoga\/[^/]+|@envelop\/[^/]+|@pothos\/[^/]+)\//.test(url),
};
const CATEGORIES = [AUTHORIZATION, TARGET_LOOKUP, OTHER_OWNED];

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface CpuAttribution {
  /** Sampled CPU time, ms, idle excluded (JS, GC and native work of the process's main thread). */
  cpuMs: number;
  /** Wall-clock ms profiled. */
  wallMs: number;
  /** Share of cpuMs per category name (authorization, target lookup, other; the rest is unowned: GC, Node, libraries at top level). */
  share: Record<string, number>;
  /** Top self-time functions, share of cpuMs. */
  top: { name: string; share: number }[];
}

/** Profiles the process while `during` runs; `intervalUs` is the sampling interval. */
export async function profileDuring(during: () => Promise<unknown>, intervalUs = 500, saveAs?: string): Promise<CpuAttribution> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
    await session.post('Profiler.start');
    let stopped: { profile: CpuProfile };
    try {
      await during();
    } finally {
      // Stopped whether or not the load failed: a profiler left running would slow the rest of the run.
      stopped = (await session.post('Profiler.stop')) as { profile: CpuProfile };
    }
    await session.post('Profiler.disable');
    // Saved for Chrome DevTools or a closer look than the top five (BENCH_PROFILE_DIR).
    if (saveAs) await writeFile(saveAs, JSON.stringify(stopped.profile));
    return attribute(stopped.profile);
  } finally {
    session.disconnect();
  }
}

const IDLE = new Set(['(idle)', '(root)']);

export function attribute(profile: CpuProfile): CpuAttribution {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const owner = new Map<number, string>();
  const ownerOf = (id: number): string => {
    const known = owner.get(id);
    if (known !== undefined) return known;
    const url = byId.get(id)!.callFrame.url;
    const hit = url ? CATEGORIES.find((c) => c.test(url)) : undefined;
    const p = parent.get(id);
    const result = hit ? hit.name : p === undefined ? 'unowned' : ownerOf(p);
    owner.set(id, result);
    return result;
  };

  // Sample i lasted until sample i+1: timeDeltas[i+1] (the last one gets the mean).
  const n = profile.samples.length;
  const mean = n ? (profile.endTime - profile.startTime) / n : 0;
  const selfUs = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const id = profile.samples[i]!;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (i + 1 < n ? profile.timeDeltas[i + 1]! : mean));
  }
  let cpuUs = 0;
  const perCategory: Record<string, number> = {};
  const perFunction = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const f = byId.get(id)!.callFrame;
    if (IDLE.has(f.functionName)) continue;
    cpuUs += us;
    const cat = ownerOf(id);
    perCategory[cat] = (perCategory[cat] ?? 0) + us;
    const file = f.url ? f.url.replace(/^.*\/node_modules\//, '').replace(/^.*\/(src|bench)\//, '$1/') : '';
    // Line numbers of .ts files are those of tsx's output, not of the source: the file alone names them.
    const where = file && !file.endsWith('.ts') ? `${file}:${f.lineNumber + 1}` : file;
    const key = `${f.functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
    perFunction.set(key, (perFunction.get(key) ?? 0) + us);
  }
  const share = Object.fromEntries(Object.entries(perCategory).map(([k, v]) => [k, cpuUs ? v / cpuUs : 0]));
  const top = [...perFunction.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([name, us]) => ({ name, share: cpuUs ? us / cpuUs : 0 }));
  return { cpuMs: cpuUs / 1000, wallMs: (profile.endTime - profile.startTime) / 1000, share, top };
}
