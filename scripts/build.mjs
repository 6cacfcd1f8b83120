#!/usr/bin/env node
/**
 * `npm run build`: the TypeScript of the server compiled to JavaScript in dist/,
 * which plain `node` runs (`node dist/src/bin/api.js`, worker.js, cli.js).
 *
 * dist/ mirrors the repository (dist/src/…, dist/prisma/seed.js: the demo seed is
 * part of the api), and the files the code reads at run time beside itself are
 * copied to the same places (prisma/migrations, and every file under src that is
 * not TypeScript, such as the persisted-documents manifest), so paths relative to
 * a module work unchanged and dist/ + node_modules + package.json is the server.
 *
 *   node scripts/build.mjs              type-check (tsconfig.build.json) and emit; a type error fails it
 *   node scripts/build.mjs --no-check   emit only: what `npm start` does when the sources changed
 *   node scripts/build.mjs --if-stale   emit only, and only when the sources differ from the last build
 *
 * A build is written next to dist/ and swapped in when complete, with a
 * fingerprint of its inputs (dist/.build-fingerprint.json): a failed or
 * interrupted build never leaves a half-written dist/ behind, and
 * scripts/start.mjs compares the fingerprint to decide whether to rebuild.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = path.join(ROOT, 'dist');
const FINGERPRINT = '.build-fingerprint.json';

/** What a build is made of: a change to any of these (added, removed, edited) makes dist/ stale. */
const INPUTS = ['src', 'prisma', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'scripts/build.mjs'];
/** Read at run time relative to the modules that read them, so copied beside the JavaScript. */
const ASSETS = ['prisma/migrations'];
const isAsset = (rel) => rel.startsWith('src/') && !rel.endsWith('.ts');

/** Every input file (repository-relative, '/'-separated, sorted). */
function inputFiles() {
  const files = [];
  const walk = (rel) => {
    const abs = path.join(ROOT, rel);
    let st;
    try {
      st = statSync(abs);
    } catch {
      return;
    }
    if (st.isDirectory()) for (const name of readdirSync(abs)) walk(`${rel}/${name}`);
    else if (st.isFile()) files.push(rel);
  };
  for (const rel of INPUTS) walk(rel);
  return files.sort();
}

/**
 * Two fingerprints of the inputs: `stat` (names, sizes, modification times: a few
 * milliseconds, checked at every start) and `content` (names and bytes: checked only
 * when `stat` differs, so a checkout or copy that touched files without changing them
 * does not rebuild).
 */
function fingerprint(files, withContent) {
  const stat = createHash('sha256');
  const content = withContent ? createHash('sha256') : null;
  for (const rel of files) {
    const st = statSync(path.join(ROOT, rel));
    stat.update(`${rel}\0${st.size}\0${st.mtimeMs}\n`);
    content?.update(`${rel}\0${st.size}\n`).update(readFileSync(path.join(ROOT, rel)));
  }
  return { stat: stat.digest('hex'), content: content?.digest('hex') ?? null };
}

function readFingerprint() {
  try {
    return JSON.parse(readFileSync(path.join(DIST, FINGERPRINT), 'utf8'));
  } catch {
    return null;
  }
}

/**
 * Whether dist/ was built from the sources as they are now: 'fresh', 'stale',
 * 'missing' (no complete build) or 'no-sources' (a deployment with dist/ only:
 * nothing to compare with, the build is what there is).
 */
export function buildState() {
  const built = readFingerprint();
  if (!existsSync(path.join(ROOT, 'src'))) return built ? 'no-sources' : 'missing';
  if (!built) return 'missing';
  const files = inputFiles();
  if (fingerprint(files, false).stat === built.stat) return 'fresh';
  const now = fingerprint(files, true);
  if (now.content !== built.content) return 'stale';
  // Same bytes, other times: remember them, so the next start takes the fast path (best effort).
  try {
    writeFileSync(path.join(DIST, FINGERPRINT), JSON.stringify(now));
  } catch {
    // a read-only dist/ is fine: the content check answers
  }
  return 'fresh';
}

/** TypeScript 7's native tsc (installed as @typescript/native beside the TypeScript 6 API), else typescript's own. */
function tscPath() {
  const require = createRequire(import.meta.url);
  for (const pkg of ['@typescript/native', 'typescript']) {
    try {
      const bin = path.join(path.dirname(require.resolve(`${pkg}/package.json`)), 'bin', 'tsc');
      if (existsSync(bin)) return bin;
    } catch {
      // not installed
    }
  }
  return null;
}

/** Whether this installation can build (TypeScript is a devDependency). */
export const canBuild = () => tscPath() !== null;

/** What builds killed midway (a SIGTERM, a closed terminal) left beside dist/: their processes are gone. */
function removeAbandoned() {
  for (const name of readdirSync(ROOT)) {
    const m = /^dist\.(?:building|old)-(\d+)$/.exec(name);
    if (!m || Number(m[1]) === process.pid) continue;
    try {
      process.kill(Number(m[1]), 0);
      continue; // still building
    } catch (e) {
      if (e.code === 'EPERM') continue;
    }
    rmSync(path.join(ROOT, name), { recursive: true, force: true });
  }
}

/**
 * Compiles into a directory beside dist/, copies the run-time files, writes the
 * fingerprint of the inputs it was built from, and swaps it in. Throws on failure.
 */
export function build({ check = true } = {}) {
  const tsc = tscPath();
  if (!tsc) throw new Error('TypeScript is not installed (a devDependency): run `npm install`, or deploy a dist/ built with `npm run build`.');
  // Taken before compiling: an edit made during the build leaves this build stale, not falsely fresh.
  const inputs = fingerprint(inputFiles(), true);
  removeAbandoned();
  const out = path.join(ROOT, `dist.building-${process.pid}`);
  rmSync(out, { recursive: true, force: true });
  try {
    const args = [tsc, '-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', out, ...(check ? [] : ['--noCheck'])];
    const r = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) throw new Error(`tsc ${check ? '' : '--noCheck '}failed (exit code ${r.status ?? r.signal})`);
    for (const rel of ASSETS) cpSync(path.join(ROOT, rel), path.join(out, rel), { recursive: true });
    for (const rel of inputFiles().filter(isAsset)) {
      mkdirSync(path.dirname(path.join(out, rel)), { recursive: true });
      cpSync(path.join(ROOT, rel), path.join(out, rel));
    }
    writeFileSync(path.join(out, FINGERPRINT), JSON.stringify(inputs));
    const old = path.join(ROOT, `dist.old-${process.pid}`);
    try {
      renameSync(DIST, old);
    } catch (e) {
      if (e.code !== 'ENOENT') throw e;
    }
    try {
      renameSync(out, DIST);
    } catch (e) {
      // Another build swapped its dist/ in first (two starts at once): it was built from the same sources.
      if (e.code !== 'ENOTEMPTY' && e.code !== 'EEXIST') throw e;
    }
    rmSync(old, { recursive: true, force: true });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const flags = new Set(process.argv.slice(2));
  const unknown = [...flags].filter((f) => !['--no-check', '--if-stale'].includes(f));
  if (unknown.length) {
    console.error(`usage: node scripts/build.mjs [--no-check] [--if-stale]  (unknown: ${unknown.join(' ')})`);
    process.exit(2);
  }
  const ifStale = flags.has('--if-stale');
  const state = ifStale ? buildState() : 'stale';
  if (state === 'fresh' || state === 'no-sources') process.exit(0);
  const started = performance.now();
  try {
    build({ check: !ifStale && !flags.has('--no-check') });
  } catch (e) {
    console.error(`build: ${e.message}`);
    process.exit(1);
  }
  console.error(`built dist/ in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
