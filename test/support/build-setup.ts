import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Before a run: the tests that start real api, worker and CLI processes run the build (dist/,
 * see test/support/bin.ts), so it is rebuilt here when the sources changed since the last one,
 * as `npm start` does (emit only; a no-op taking milliseconds when it is fresh).
 */
export default function setup() {
  execFileSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { cwd: fileURLToPath(new URL('../../', import.meta.url)), stdio: 'inherit' });
}
