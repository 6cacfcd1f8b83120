import type { TestProject } from 'vitest/node';
import { pgliteTemplate } from './pglite-template.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Path of the migrated PGlite dump every file of the pglite project starts from. */
    pgliteTemplate: string;
  }
}

/** The pglite project's migrated database, made once per run (or found from an earlier run): see pglite-template.ts. */
export default async function setup(project: TestProject) {
  project.provide('pgliteTemplate', await pgliteTemplate());
}
