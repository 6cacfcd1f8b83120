#!/usr/bin/env node
/**
 * `npm start` / `npm run worker` / `npm run cli -- …`: runs dist/src/bin/<name>.js,
 * building it first when there is no build yet or the sources changed since the
 * last one (emit only, no type check: `npm run typecheck` is for that), so a fresh
 * clone works and an edit to src is never served stale.
 *
 *   node scripts/start.mjs <api|worker|cli> [args…]
 *
 * The bin runs in this process (no second Node start-up; signals reach it
 * directly), with process.argv as if it had been started as `node dist/src/bin/<name>.js args…`.
 */
import module from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, buildState, canBuild, DIST } from './build.mjs';

// Node 22.1 and later keep the modules' compiled code between starts (a no-op on Node 20; NODE_COMPILE_CACHE= sets the folder).
module.enableCompileCache?.();

const BINS = ['api', 'worker', 'cli'];
const [name, ...args] = process.argv.slice(2);
if (!BINS.includes(name)) {
  console.error(`usage: node scripts/start.mjs <${BINS.join('|')}> [args…]`);
  process.exit(2);
}

const state = buildState();
if (state === 'missing' || state === 'stale') {
  if (state === 'stale' && !canBuild()) {
    // A deployment without devDependencies whose sources were touched: run what was built.
    console.error('start: the sources differ from dist/ and TypeScript is not installed to rebuild it; running the existing build.');
  } else {
    // stderr: the CLI's stdout carries only its answer.
    console.error(
      state === 'missing' ? 'start: no build yet, building dist/ (once)…' : 'start: sources changed since the last build, rebuilding dist/…',
    );
    const started = performance.now();
    try {
      build({ check: false });
    } catch (e) {
      console.error(`start: the build failed: ${e.message}`);
      process.exit(1);
    }
    console.error(`start: built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
}

const entry = path.join(DIST, 'src', 'bin', `${name}.js`);
process.argv = [process.argv[0], entry, ...args];
await import(pathToFileURL(entry).href);
