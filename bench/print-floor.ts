/**
 * The print floor: N invitation cards rendered by the PDF toolchain alone (Typst on its
 * worker thread, pdf-lib merging and setting print boxes, QR codes) from data that is
 * already computed, no database and no API. What an end-to-end print job costs above
 * this is the job's own work (reading guests, formatting, storing the file).
 *
 *   npx tsx bench/print-floor.ts [households=2000] [chunkSize] [all: also 1 and 100 first]
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { parsePrintSpec, type PrintSpec } from '../src/capabilities/publishing/print/print-spec.js';
import { stopTypstWorker } from '../src/capabilities/publishing/print/typst.js';
import { type InvitationPackageData, renderInvitationPackage } from '../src/modules/rsvp/print/invitation-package.render.js';

export interface PrintFloorResult {
  households: number;
  pages: number;
  ms: number;
  /** CPU time of the whole process (this thread, the Typst thread, sharp's and GC's threads): steadier than ms on a busy machine. */
  cpuMs: number;
  pagesPerSecond: number;
  bytes: number;
  /** Progress callbacks seen (one per chunk). */
  progressCalls: number;
  /** The longest the main thread's event loop was held during the render. */
  maxEventLoopBlockMs: number;
  /** The five longest stretches, ms (a timer that should fire every 10 ms, late by this much). */
  longestBlocksMs: number[];
}

/** Records how late a 10 ms timer fires: each lateness is a stretch the event loop was held. */
function blockSampler() {
  const late: number[] = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    late.push(now - last - 10);
    last = now;
  }, 10);
  return {
    stop: () => {
      clearInterval(timer);
      return late
        .sort((a, b) => b - a)
        .slice(0, 5)
        .map(Math.round);
    },
  };
}

const FIRST = ['Noa', 'Dan', 'Yael', 'Eitan', 'Maya', 'Omer', 'Tamar', 'Ariel', 'Shira', 'Yonatan', 'Lior', 'Avigail'];
const LAST = ['Cohen', 'Levi', 'Mizrahi', 'Peretz', 'Biton', 'Friedman', 'Azoulay', 'Katz', 'Rosen', 'Shapiro'];
const EVENTS = [
  { name: 'Henna night', when: 'Thursday, 10 June 2027 · 7:30 pm', location: 'The Old Olive Press, Ein Hod' },
  { name: 'Ceremony', when: 'Friday, 11 June 2027 · 5:00 pm', location: 'Kibbutz Tzuba, Judean Hills' },
  { name: 'Reception & dinner', when: 'Friday, 11 June 2027 · 7:00 pm', location: 'Kibbutz Tzuba, the Orchard Lawn' },
];

/** A landscape "photo" for the cover (a gradient and hills), as a planner's upload would be: a 2,400 px JPEG. */
export async function syntheticCover(): Promise<Uint8Array> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="2400" height="1350">
    <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#c9a27e"/>
    <stop offset="0.5" stop-color="#e8d3b9"/><stop offset="1" stop-color="#7d8f6a"/></linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#g)"/><circle cx="1800" cy="380" r="240" fill="#f6e7c8" opacity="0.8"/>
    <path d="M0 1050 Q600 750 1200 1020 T2400 930 V1350 H0Z" fill="#5d6e4c"/></svg>`;
  return new Uint8Array(await sharp(Buffer.from(svg)).jpeg({ quality: 90 }).toBuffer());
}

/**
 * N households (1–4 people, 1–3 events each), English. `run` goes into every name and code:
 * Typst memoises layout across compilations in a process, so a render of data it has seen
 * before (a second run of the same bench) would measure its cache, not the toolchain.
 */
export function floorData(households: number, cover: Uint8Array | null, run = ''): InvitationPackageData {
  return {
    occasion: {
      name: 'Noa & Dan’s Wedding',
      locale: 'en',
      direction: 'ltr',
      accentColour: '#8A6A3A',
      coverImage: cover ? { bytes: cover, format: 'jpg' } : null,
    },
    households: Array.from({ length: households }, (_, i) => {
      const last = LAST[i % LAST.length]!;
      const people = Array.from({ length: 1 + (i % 4) }, (_, j) => `${FIRST[(i + j * 5) % FIRST.length]} ${last}`);
      const code = `B${run}${String(i).padStart(5, '0')}`;
      return {
        printedName: `The ${last} family ${run}${i}`,
        people,
        events: EVENTS.slice(i % 3 === 0 ? 0 : 1),
        rsvpUrl: `https://tovplus.example/r/${code}x7Kq2Pz9`,
        rsvpCode: code,
      };
    }),
    texts: { invited: 'You are invited to', rsvp: 'RSVP', scanToReply: 'Scan the code with your phone’s camera to reply by 1 May 2027.' },
  };
}

let runs = 0;

/** Renders `households` cards (A5, 3 mm bleed, crop marks, CMYK unless told) and reports the time and the file. */
export async function renderFloor(
  households: number,
  opts: { chunkSize?: number; spec?: PrintSpec; cover?: boolean } = {},
): Promise<PrintFloorResult> {
  const data = floorData(households, opts.cover === false ? null : await syntheticCover(), (runs++).toString(36));
  const spec = opts.spec ?? parsePrintSpec();
  const delay = monitorEventLoopDelay({ resolution: 5 });
  let progressCalls = 0;
  delay.enable();
  const sampler = blockSampler();
  const started = performance.now();
  const cpu = process.cpuUsage();
  const { pdf, pages } = await renderInvitationPackage(data, spec, { chunkSize: opts.chunkSize, onProgress: () => void progressCalls++ });
  const ms = performance.now() - started;
  const { user, system } = process.cpuUsage(cpu);
  delay.disable();
  const longestBlocksMs = sampler.stop();
  return {
    households,
    pages,
    ms: Math.round(ms),
    cpuMs: Math.round((user + system) / 1000),
    pagesPerSecond: Math.round((pages / ms) * 1000),
    bytes: pdf.byteLength,
    progressCalls,
    maxEventLoopBlockMs: Math.round(delay.max / 1e6),
    longestBlocksMs,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const n = Number(process.argv[2] ?? 2000);
  const chunkSize = process.argv[3] ? Number(process.argv[3]) : undefined;
  // The first render pays the worker's start and Typst's font loading: report it apart.
  console.log('warm-up (1 card):', await renderFloor(1, { chunkSize }));
  for (const size of process.argv[4] ? [1, 100, n] : [n]) console.log(await renderFloor(size, { chunkSize }));
  await stopTypstWorker();
}
