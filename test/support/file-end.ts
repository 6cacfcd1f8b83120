import { afterAll } from 'vitest';

/*
 * Clean-up that runs when the test file ends, wherever the resource was made.
 * Vitest runs an afterAll() only when it is registered while the file is
 * collected: one registered inside a test or a beforeAll() is silently never
 * run (a server started inside a test stayed open, its database was never
 * dropped). So the harness queues its clean-ups here, and setup-file.ts, which
 * vitest runs before every file, drains the queue in one afterAll().
 *
 * The queue lives on globalThis: with isolate: false a worker keeps the
 * harness's modules between files, but runs the setup file again.
 */

type Cleanup = () => unknown;
const KEY = Symbol.for('tovplus.test.fileEnd');
const queue = ((globalThis as Record<symbol, Cleanup[]>)[KEY] ??= []);

/** Runs `fn` when the current test file ends, after the file's own afterAll hooks; the latest first. */
export function atFileEnd(fn: Cleanup): void {
  queue.push(fn);
}

/** Registered once per file by setup-file.ts. */
export function drainAtFileEnd(): void {
  afterAll(async () => {
    const errors: unknown[] = [];
    for (let fn = queue.pop(); fn; fn = queue.pop()) {
      try {
        await fn();
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length) throw new AggregateError(errors, 'clean-up at the end of the file failed');
  });
}
