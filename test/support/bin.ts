import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export type BinName = 'api' | 'worker' | 'cli';

/**
 * Node's arguments to run a bin as `npm start` / `npm run worker|cli` run it: its build,
 * dist/src/bin/<name>.js, in plain node (no tsx loader), so it starts as an operator's does.
 * test/support/build-setup.ts rebuilds dist/ before a run whose sources changed.
 */
export function binArgs(name: BinName, ...args: string[]): string[] {
  return [path.join(ROOT, 'dist', 'src', 'bin', `${name}.js`), ...args];
}
