import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

/*
 * Where the browser tests find Chromium: CHROMIUM_PATH, else Debian's
 * `chromium` package (.ci/run installs it). The package's binary is launched
 * directly, not through its /usr/bin/chromium wrapper script, which sources
 * /etc/chromium.d (Google API keys, extension loading) and prints shell noise;
 * Playwright passes the flags a test browser needs (--headless, --no-sandbox,
 * --disable-dev-shm-usage, no background networking). Playwright's own
 * browser downloads are never used.
 */
const CANDIDATES = ['/usr/lib/chromium/chromium', '/usr/bin/chromium', '/usr/bin/chromium-browser'];

const executable = (file: string) => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** The Chromium to launch, or null; CHROMIUM_PATH, when set, is the only place looked at. */
export function chromiumPath(): string | null {
  const given = process.env.CHROMIUM_PATH;
  if (given) return executable(given) ? given : null;
  return CANDIDATES.find(executable) ?? null;
}

/** Where chromiumPath() looks, for the message when it finds nothing. */
export const chromiumWhere = () => process.env.CHROMIUM_PATH ?? CANDIDATES.join(', ');

/** Whether Chromium is there and starts (`--version`: a missing shared library fails it). */
export function chromiumRuns(): boolean {
  const file = chromiumPath();
  return !!file && spawnSync(file, ['--version'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
}
