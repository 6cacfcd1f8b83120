/**
 * The invitation package's pages rendered by the toolchain alone, in a process of
 * their own (forked by bench/publishing.ts): the data the app loaded arrives over
 * IPC, one card is rendered first (the Typst thread started, its fonts loaded, as
 * the worker's warm-up card and the floor's do), then every card, timed.
 *
 * A process of its own because a second large render in one process costs about a
 * quarter less CPU than the first (Typst's caches and V8's code are warm by then):
 * rendered after the floor in the bench process, these pages would be measured on
 * better terms than the worker's and the floor's renders, each the first of its process.
 *
 * Protocol: the parent sends one PrintAloneJob; this process answers with one
 * PrintAloneResult and exits.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { PrintSpec } from '../src/capabilities/publishing/print/print-spec.js';
import { stopTypstWorker } from '../src/capabilities/publishing/print/typst.js';
import { type InvitationPackageData, renderInvitationPackage } from '../src/modules/rsvp/print/invitation-package.render.js';
import { threadCpuMs, threadSplit, type ThreadSplit } from './thread-cpu.js';

export interface PrintAloneJob {
  data: InvitationPackageData;
  spec: PrintSpec;
}

export interface PrintAloneResult {
  pages: number;
  seconds: number;
  /** The whole process's CPU (every thread), ms. */
  cpuMs: number;
  threads: ThreadSplit | null;
  /** The first chunk merged: pages, seconds after the start. */
  firstChunk: { done: number; seconds: number } | null;
  bytes: number;
}

async function renderAlone({ data, spec }: PrintAloneJob): Promise<PrintAloneResult> {
  await renderInvitationPackage({ ...data, households: data.households.slice(0, 1) }, spec);
  let firstChunk: PrintAloneResult['firstChunk'] = null;
  const threads = threadCpuMs(process.pid);
  const cpu = process.cpuUsage();
  const start = performance.now();
  const { pdf, pages } = await renderInvitationPackage(data, spec, {
    onProgress: (done) => void (firstChunk ??= { done, seconds: (performance.now() - start) / 1000 }),
  });
  const seconds = (performance.now() - start) / 1000;
  const { user, system } = process.cpuUsage(cpu);
  return {
    pages,
    seconds,
    cpuMs: (user + system) / 1000,
    threads: threadSplit(process.pid, threads, threadCpuMs(process.pid)),
    firstChunk,
    bytes: pdf.byteLength,
  };
}

/** Renders the job in a new process (structured clone over IPC, so the image bytes stay bytes). */
export function printAlone(job: PrintAloneJob): Promise<PrintAloneResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [], { execArgv: ['--import', 'tsx'], stdio: 'inherit', serialization: 'advanced' });
    let settled = false;
    child.on('message', (m: { ok: boolean; result?: PrintAloneResult; error?: string }) => {
      settled = true;
      if (m.ok) resolve(m.result!);
      else reject(new Error(m.error));
    });
    child.on('exit', (code) => {
      if (!settled) reject(new Error(`the print-alone process exited with ${code}`));
    });
    child.send(job);
  });
}

if (process.send && process.argv[1] === fileURLToPath(import.meta.url)) {
  process.once('message', (job: PrintAloneJob) => {
    renderAlone(job)
      .then(async (result) => {
        await stopTypstWorker();
        process.send!({ ok: true, result }, () => process.exit(0));
      })
      .catch((err: unknown) => process.send!({ ok: false, error: String((err as Error)?.stack ?? err) }, () => process.exit(1)));
  });
}
