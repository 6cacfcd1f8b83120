import { drainAtFileEnd } from './file-end.js';

// Runs before every test file (vitest.config.ts setupFiles): the harness's clean-ups at the file's end.
drainAtFileEnd();
