/**
 * A start-up failure the operator fixes by changing configuration or stopping
 * another process: the api, worker and CLI print its message alone (no stack,
 * which only buries the one line that says what to do) and exit with 1.
 */
export class StartupError extends Error {
  override name = 'StartupError';
}

/** The last catch of every bin script. */
export function exitOnStartupError(err: unknown): never {
  if (err instanceof StartupError) console.error(err.message);
  else console.error(err);
  process.exit(1);
}
