/**
 * The invitation package end to end: a planner's createArtifact
 * (invitation_package) → renderArtifact → the render in one real worker
 * process (src/bin/worker.ts as built in dist/: the render runtime, BullMQ on
 * Redis, local file storage) → polled until RENDERED → publishArtifactVersion,
 * for every household of the 5,000-guest occasion (a page each), over HTTP as
 * the owner. Beside it, the floor: the same number of pages rendered by the PDF
 * toolchain alone from data already computed (bench/print-floor.ts), in this
 * process; and the toolchain on the app's own data, loaded here, to tell what
 * the job adds from what its pages cost.
 *
 * Run by `npm run bench` (BENCH_PUBLISHING=0 skips it, BENCH_ONLY=publishing runs only it).
 * Env: BENCH_REDIS_URL (redis://127.0.0.1:6379).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { printSpecSchema } from '../src/capabilities/publishing/print/print-spec.js';
import { stopTypstWorker } from '../src/capabilities/publishing/print/typst.js';
import { recordGeneratedAsset, sha256Hex } from '../src/domains/assets/generated-files.js';
import { invitationPackageInputs, loadInvitationPackage } from '../src/modules/rsvp/print/invitation-package.data.js';
import { sha256 } from '../src/platform/crypto.js';
import type { Caller } from '../src/platform/principal.js';
import { pdfPageCount, pdfScratch, readQrOnPage } from '../test/support/pdf-tools.js';
import { startBenchApp } from './bench-app.js';
import { printAlone, type PrintAloneResult } from './print-alone.js';
import { renderFloor, syntheticCover } from './print-floor.js';
import { seed, seedRsvp, signUpOwner, SIZES } from './seed.js';
import { threadCpuMs, threadSplit, type ThreadSplit } from './thread-cpu.js';
import { cpuMs, startWorker } from './webhooks.js';

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const RENDER_TIMEOUT_MS = 600_000;
/**
 * How often the client polls the version (GraphQL), and the bench samples its row for the phases (SQL). A poll
 * costs the api a few ms of CPU: at 100 ms the api used ~14% of a core during the render, taken from the worker
 * on 2 cores; at 250 ms the client sees RENDERED at most that late, under 2% of the run.
 */
const CLIENT_POLL_MS = 250;
const ROW_POLL_MS = 50;

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : '-');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rawId = (globalId: string) => Buffer.from(globalId, 'base64url').toString('utf8').split(':')[1]!;
const BENCH_CALLER: Caller = { principal: { kind: 'system', reason: 'bench', actions: [] }, requestId: 'bench' };

const CREATE = `mutation($i: CreateArtifactInput!) { createArtifact(input: $i) {
  __typename ... on ArtifactPayload { artifact { id } } ... on Error { message } } }`;
const RENDER = `mutation($i: RenderArtifactInput!) { renderArtifact(input: $i) {
  __typename ... on ArtifactVersionPayload { version { id status } } ... on Error { message } } }`;
const PUBLISH = `mutation($i: PublishArtifactVersionInput!) { publishArtifactVersion(input: $i) {
  __typename ... on ArtifactVersionPayload { version { id status contentHash publishedAt } } ... on Error { message } } }`;
const VERSION = `query($id: ID!) { artifactVersion(id: $id) {
  status progress pagesDone pagesTotal error contentHash files { role contentType byteSize sha256 } } }`;

/** When the bench saw the version's row change (SQL, every ROW_POLL_MS): the render's phases, as the worker records them. */
interface Timeline {
  claimed?: number;
  progress: { at: number; done: number }[];
  rendered?: number;
}

export interface PublishingBenchResult {
  pages: number;
  /** createArtifact's request → publishArtifactVersion's response. */
  seconds: number;
  pagesPerSecond: number;
  bytes: number;
  cpuMsPerPage: { worker: number; pg: number };
  /** The worker's CPU by thread over the pass (ms in all). */
  threads: ThreadSplit | null;
  /** The bench process over the pass (ms): the api answering the mutations and the client's polls, and the bench's own sampling. */
  apiCpuMs: number;
  floor: { pagesPerSecond: number; seconds: number; cpuMsPerPage: number; bytes: number; threads: ThreadSplit | null };
  /** The app's own data loaded in the bench process (`loadSeconds`), then rendered by the toolchain alone. */
  ownData: PrintAloneResult & { loadSeconds: number; pagesPerSecond: number; cpuMsPerPage: number };
}

export async function runPublishingBench(opts: { adminUrl: string; log: (s: string) => void }): Promise<PublishingBenchResult> {
  const { log } = opts;
  const t0 = performance.now();
  // Local file storage the app and the worker share (the worker stores the PDF, the bench reads it back).
  const dataDir = mkdtempSync(join(tmpdir(), 'tovplus-bench-publishing-'));
  const bench = await startBenchApp(opts.adminUrl, 'publishing', { DATA_DIR: dataDir });
  const { appKey, databaseUrl, app, http, port } = bench;
  const db = app.db;
  const scratch = pdfScratch();
  const rows = new pg.Client({ connectionString: databaseUrl });
  await rows.connect();
  let worker: ChildProcess | undefined;
  const gql = bench.gql;
  const ok = (label: string, r: any, typename: string) => {
    const node: any = r?.data && Object.values(r.data)[0];
    if (r?.errors?.length || node?.__typename !== typename) throw new Error(`${label}: ${JSON.stringify(r).slice(0, 800)}`);
    return node;
  };

  try {
    // ── The 5k occasion, every household invited to RSVP on event 1, a cover photo as its branding ──
    const shape = SIZES[0]!;
    const seedStart = performance.now();
    const token = await signUpOwner(gql);
    const s = await seed(app, gql, token, shape);
    const rsvp = await seedRsvp(app, gql, s);
    if (rsvp.invited !== shape.households) throw new Error(`seeded ${rsvp.invited} invitations, expected ${shape.households}`);
    // The floor's cards carry a cover photo; so do the app's (a planner's upload; there is no branding API yet, so
    // the asset is written as the upload would leave it). The package reads it from storage on every render.
    const cover = await syntheticCover();
    const coverKey = `occasions/${s.occasionUuid}/branding/cover.jpg`;
    await app.storage.put(coverKey, cover, { contentType: 'image/jpeg' });
    await db.prisma.$transaction((tx) =>
      recordGeneratedAsset(
        tx,
        {
          occasionId: s.occasionUuid,
          storageKey: coverKey,
          filename: 'cover.jpg',
          contentType: 'image/jpeg',
          bytes: cover,
          sha256: sha256Hex(cover),
        },
        { subjectType: 'Occasion', subjectId: s.occasionUuid, role: 'cover' },
      ),
    );
    const households = rsvp.invited;
    log(
      `Publishing: seeded ${shape.key} (${households} households, all invited to RSVP; a 2,400 px cover photo as the occasion's branding) ` +
        `in ${fmt((performance.now() - seedStart) / 1000)} s`,
    );

    worker = await startWorker({
      DATABASE_URL: databaseUrl,
      REDIS_URL,
      APP_KEY: appKey,
      QUEUE_PREFIX: `benchrender${process.pid}`,
      DATA_DIR: dataDir,
      PUBLIC_URL: `http://127.0.0.1:${port}`,
    });
    const workerPids = [worker.pid!];

    /** renderArtifact, then the client's poll until the version leaves RENDERING; the row sampled for the phases meanwhile. */
    const renderAndWait = async (artifactId: string) => {
      const timeline: Timeline = { progress: [] };
      let sampling = true;
      const sampler = (async () => {
        let versionUuid: string | undefined;
        while (sampling) {
          versionUuid ??= (await rows.query<{ id: string }>(`SELECT id FROM artifact_versions WHERE artifact_id = $1`, [rawId(artifactId)])).rows[0]
            ?.id;
          if (versionUuid) {
            const [r] = (
              await rows.query<{ status: string; render_attempts: number; pages_done: number }>(
                `SELECT status, render_attempts, pages_done FROM artifact_versions WHERE id = $1`,
                [versionUuid],
              )
            ).rows;
            const at = performance.now();
            if (r && r.render_attempts > 0) timeline.claimed ??= at;
            if (r && r.pages_done > (timeline.progress.at(-1)?.done ?? 0)) timeline.progress.push({ at, done: r.pages_done });
            if (r && r.status !== 'RENDERING') {
              timeline.rendered ??= at;
              return;
            }
          }
          await sleep(ROW_POLL_MS);
        }
      })();
      const asked = performance.now();
      const r = ok('renderArtifact', await gql(RENDER, { i: { artifactId } }, token), 'ArtifactVersionPayload');
      const answered = performance.now();
      const versionId: string = r.version.id;
      const until = performance.now() + RENDER_TIMEOUT_MS;
      let v: any;
      for (;;) {
        const q = await gql(VERSION, { id: versionId }, token);
        if (q.errors) throw new Error(`artifactVersion: ${JSON.stringify(q.errors)}`);
        v = q.data.artifactVersion;
        if (v.status !== 'RENDERING') break;
        if (performance.now() > until) throw new Error(`the render did not finish in ${RENDER_TIMEOUT_MS / 1000} s (${v.pagesDone} pages done)`);
        await sleep(CLIENT_POLL_MS);
      }
      const seen = performance.now();
      sampling = false;
      await sampler;
      if (v.status !== 'RENDERED') throw new Error(`the render ended ${v.status}: ${v.error}`);
      return { versionId, version: v, asked, answered, seen, timeline };
    };

    const createPackage = async (title: string, inputs?: Record<string, unknown>) =>
      ok(
        'createArtifact',
        await gql(CREATE, { i: { occasionId: s.occasionId, definitionKey: 'invitation_package', title, inputs } }, token),
        'ArtifactPayload',
      ).artifact.id as string;

    // ── Warm-up: the worker's first render (one household) starts its Typst thread and loads the fonts, as the
    // floor's warm-up card does; a worker that has been running a while has done both. Not measured.
    const [firstInvitation] = await db.query<{ id: string }>(`SELECT id FROM rsvp_invitations WHERE occasion_id = $1 ORDER BY id LIMIT 1`, [
      s.occasionUuid,
    ]);
    const warmStart = performance.now();
    const warm = await renderAndWait(
      await createPackage('Warm-up card', { invitationIds: [Buffer.from(`RsvpInvitation:${firstInvitation!.id}`).toString('base64url')] }),
    );
    if (warm.version.pagesTotal !== 1) throw new Error(`warm-up: ${warm.version.pagesTotal} pages, expected 1`);
    const warmSeconds = (warm.seen - warmStart) / 1000;

    // ── End to end: createArtifact → renderArtifact → RENDERED → publishArtifactVersion ──
    const backendsCpu = async () => {
      const pids = await db.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`);
      return new Map(pids.map((r) => [r.pid, cpuMs([r.pid])]));
    };
    const load0 = loadavg()[0]!;
    const cpuBefore = { worker: cpuMs(workerPids), threads: threadCpuMs(worker.pid!), pg: await backendsCpu() };
    const apiCpu = process.cpuUsage();
    const start = performance.now();
    const artifactId = await createPackage('Wedding invitations');
    const created = performance.now();
    const run = await renderAndWait(artifactId);
    const pub = ok('publishArtifactVersion', await gql(PUBLISH, { i: { versionId: run.versionId } }, token), 'ArtifactVersionPayload');
    const end = performance.now();
    const apiUsed = process.cpuUsage(apiCpu);
    const cpuAfter = { worker: cpuMs(workerPids), threads: threadCpuMs(worker.pid!), pg: await backendsCpu() };
    const pgMs = [...cpuAfter.pg].reduce(
      (sum, [pid, ms]) => (ms === null || sum === null ? null : sum + ms - (cpuBefore.pg.get(pid) ?? 0)),
      0 as number | null,
    );

    // ── Checks: published, a page per invited household in the stored file, a readable QR with a live print code ──
    const v = run.version;
    if (pub.version.status !== 'PUBLISHED' || pub.version.contentHash !== v.contentHash)
      throw new Error(`publish: ${JSON.stringify(pub.version)} (rendered ${v.contentHash})`);
    const after = (await gql(VERSION, { id: run.versionId }, token)).data?.artifactVersion;
    if (after?.status !== 'PUBLISHED') throw new Error(`the version is ${after?.status} after publishing`);
    if (v.pagesTotal !== households || v.pagesDone !== households || v.progress !== 100)
      throw new Error(`pagesTotal ${v.pagesTotal}, pagesDone ${v.pagesDone}, progress ${v.progress}; ${households} households invited`);
    if (v.files.length !== 1 || v.files[0].role !== 'print_pdf' || v.files[0].contentType !== 'application/pdf')
      throw new Error(`files: ${JSON.stringify(v.files)}`);
    const asset = await db.prisma.asset.findFirstOrThrow({
      where: { attachments: { some: { subjectType: 'ArtifactVersion', subjectId: rawId(run.versionId), role: 'print_pdf' } } },
    });
    const pdf = await app.storage.get(asset.storageKey);
    if (!pdf || sha256Hex(pdf) !== v.files[0].sha256 || pdf.byteLength !== Number(v.files[0].byteSize))
      throw new Error(`the stored PDF (${pdf?.byteLength ?? 'absent'}) is not the file the version records (${v.files[0].byteSize} bytes)`);
    const file = scratch.write('package.pdf', pdf);
    const pdfPages = pdfPageCount(file);
    if (pdfPages !== households) throw new Error(`the stored PDF has ${pdfPages} pages (pdfinfo), expected ${households}`);
    const samplePage = Math.ceil(households / 2);
    const qr = await readQrOnPage(file, samplePage);
    const code = qr && /\/r\/(tovp_[0-9A-Z]+)$/.exec(qr)?.[1];
    if (!code) throw new Error(`page ${samplePage}'s QR reads ${JSON.stringify(qr)}, not a print code URL (…/r/tovp_…)`);
    const access = await db.prisma.guestAccess.findUnique({ where: { tokenHash: sha256(code) } });
    const invited =
      access && (await db.prisma.rsvpInvitation.count({ where: { occasionId: s.occasionUuid, invitationUnitActorId: access.unitActorId } }));
    if (!access || access.kind !== 'PRINT_CODE' || access.revokedAt || !invited)
      throw new Error(`page ${samplePage}'s code ${code.slice(0, 9)}… is not a live print code of an invited household`);
    const codes = await db.prisma.guestAccess.count({ where: { occasionId: s.occasionUuid, kind: 'PRINT_CODE', revokedAt: null } });
    if (codes !== households) throw new Error(`${codes} live print codes, expected one per household (${households})`);

    const seconds = (end - start) / 1000;
    const result: Omit<PublishingBenchResult, 'floor' | 'ownData'> = {
      pages: households,
      seconds,
      pagesPerSecond: households / seconds,
      bytes: pdf.byteLength,
      cpuMsPerPage: {
        worker: cpuAfter.worker === null || cpuBefore.worker === null ? NaN : (cpuAfter.worker - cpuBefore.worker) / households,
        pg: pgMs === null ? NaN : pgMs / households,
      },
      threads: threadSplit(worker.pid!, cpuBefore.threads, cpuAfter.threads),
      apiCpuMs: (apiUsed.user + apiUsed.system) / 1000,
    };

    // ── Floor: the same number of pages by the toolchain alone, from pre-computed data, after its own warm-up card ──
    await renderFloor(1);
    const floorThreads = threadCpuMs(process.pid);
    const f = await renderFloor(households);
    if (f.pages !== households) throw new Error(`the floor drew ${f.pages} pages, expected ${households}`);
    const floor = {
      pagesPerSecond: (f.pages / f.ms) * 1000,
      seconds: f.ms / 1000,
      cpuMsPerPage: f.cpuMs / f.pages,
      bytes: f.bytes,
      threads: threadSplit(process.pid, floorThreads, threadCpuMs(process.pid)),
    };

    // ── The same pages by the toolchain alone: the data the worker loaded (the codes now issued), loaded here and
    // rendered in a process of its own, after one card, as the worker's render and the floor's are (print-alone.ts) ──
    const loadStart = performance.now();
    const data = await loadInvitationPackage(app, BENCH_CALLER, s.occasionUuid, invitationPackageInputs.parse({}));
    const loadSeconds = (performance.now() - loadStart) / 1000;
    const spec = printSpecSchema.parse((await db.prisma.artifactVersion.findUniqueOrThrow({ where: { id: rawId(run.versionId) } })).printSpec);
    const own = await printAlone({ data, spec });
    if (own.pages !== households) throw new Error(`the app's data rendered alone: ${own.pages} pages, expected ${households}`);
    const ownData = { ...own, loadSeconds, pagesPerSecond: own.pages / own.seconds, cpuMsPerPage: own.cpuMs / own.pages };
    const load1 = loadavg()[0]!;

    // ── Report ──
    const tl = run.timeline;
    const since = (at: number | undefined, from = run.answered) => (at === undefined ? '-' : `+${fmt((at - from) / 1000, 2)} s`);
    const firstChunk = tl.progress[0];
    const lastChunk = tl.progress.at(-1);
    const chunkRate =
      firstChunk && lastChunk && lastChunk !== firstChunk ? ((lastChunk.done - firstChunk.done) / (lastChunk.at - firstChunk.at)) * 1000 : NaN;
    log(
      `  1 worker process (BullMQ on Redis, RENDER_CONCURRENCY 1, local file storage); its first render, 1 card (warm-up, not measured): ${fmt(warmSeconds, 2)} s`,
    );
    log(
      `  checked: PUBLISHED; pagesTotal ${v.pagesTotal} = households invited; the stored PDF (as recorded: size, sha256) has ${pdfPages} pages (pdfinfo); ` +
        `page ${samplePage}'s QR reads ${qr.replace(code, `${code.slice(0, 9)}…`)}, a live print code of an invited household; ${codes} print codes issued`,
    );
    log(
      `  end to end ${fmt(result.pagesPerSecond)} pages/s (${fmt(seconds, 2)} s, createArtifact's request → publishArtifactVersion's response; ` +
        `PDF ${fmt(result.bytes / 1024 / 1024, 2)} MiB) vs floor ${fmt(floor.pagesPerSecond)} pages/s (${fmt(floor.seconds, 2)} s, ${fmt(floor.bytes / 1024 / 1024, 2)} MiB) ` +
        `→ ratio ${fmt(result.pagesPerSecond / floor.pagesPerSecond, 2)}x`,
    );
    log(
      `  the same pages by the toolchain alone (the app's own data, loaded here in ${fmt(loadSeconds, 2)} s with the codes issued; rendered in a process of its own): ` +
        `${fmt(ownData.pagesPerSecond)} pages/s (${fmt(ownData.seconds, 2)} s; first ${own.firstChunk?.done ?? '-'} pages merged after ${fmt(own.firstChunk?.seconds ?? NaN, 2)} s) ` +
        `→ ratio ${fmt(result.pagesPerSecond / ownData.pagesPerSecond, 2)}x`,
    );
    log(
      `    mutations: createArtifact ${fmt(created - start, 0)} ms, renderArtifact ${fmt(run.answered - run.asked, 0)} ms, publishArtifactVersion ${fmt(end - run.seen, 0)} ms; ` +
        `after renderArtifact's response: claimed by the worker ${since(tl.claimed)}, first ${firstChunk?.done ?? '-'} pages merged ${since(firstChunk?.at)}, ` +
        `all ${lastChunk?.done ?? '-'} ${since(lastChunk?.at)} (${fmt(chunkRate)} pages/s from the first chunk to the last), ` +
        `RENDERED ${since(tl.rendered)} (saving, storing, recording: ${lastChunk && tl.rendered ? fmt((tl.rendered - lastChunk.at) / 1000, 2) : '-'} s), seen by the client's poll ${since(run.seen)}`,
    );
    const perPage = (t: ThreadSplit | null) =>
      t ? ` (main thread ${fmt(t.main / households, 2)} + other threads ${fmt(t.others / households, 2)})` : '';
    log(
      `    CPU per page: worker ${fmt(result.cpuMsPerPage.worker, 2)} ms${perPage(result.threads)} and PostgreSQL ${fmt(result.cpuMsPerPage.pg, 2)} ms ` +
        `(the api's statements and the polls' included; the api, in the bench process, ${fmt(result.apiCpuMs / 1000, 2)} s in all); ` +
        `floor ${fmt(floor.cpuMsPerPage, 2)} ms${perPage(floor.threads)}; the same pages alone ${fmt(ownData.cpuMsPerPage, 2)} ms${perPage(ownData.threads)}`,
    );
    log(
      `  machine: ${cpus().length} cores, load average ${fmt(load0, 2)} before, ${fmt(load1, 2)} after; scenario ${fmt((performance.now() - t0) / 1000)} s in all`,
    );
    return { ...result, floor, ownData };
  } finally {
    if (worker) {
      worker.kill('SIGTERM');
      await new Promise((r) => (worker!.exitCode !== null ? r(null) : worker!.once('exit', r)));
    }
    await stopTypstWorker();
    await rows.end().catch(() => {});
    scratch.remove();
    await http.close();
    await app.close();
    await db.close();
    await bench.dropDatabase();
    // The kept database's assets (the PDF, the cover) are files here.
    if (process.env.BENCH_KEEP_DB === '1') log(`  kept the publishing database ${bench.dbName} and its files in ${dataDir}`);
    else rmSync(dataDir, { recursive: true, force: true });
  }
}
