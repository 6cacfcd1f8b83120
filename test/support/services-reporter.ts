import path from 'node:path';
import type { Reporter, TestModule, Vitest } from 'vitest/node';
import { PG_FILE_NEEDS, type RunPlan, serviceOfNote, type ServiceStates, type Skipped, summaryLine } from './services.js';

/**
 * Ends the run with one line naming what was not run for lack of a service
 * (services.ts), after vitest's own summary; prints nothing when everything ran.
 * The pg project's share is counted from the pglite project, which runs the
 * same integration files: so a run of one file counts that one file.
 */
export class ServicesReporter implements Reporter {
  private root = process.cwd();

  constructor(
    private readonly states: ServiceStates,
    private readonly plan: RunPlan,
  ) {}

  onInit(vitest: Vitest) {
    this.root = vitest.config.root;
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>) {
    const rel = (m: TestModule) => path.relative(this.root, m.moduleId).split(path.sep).join('/');
    const integration = testModules.filter((m) => m.project.name === 'pglite').map(rel);
    const skipped: Skipped = {
      integrationFiles: integration.length,
      pgExcluded: this.plan.pgExclude.filter((f) => integration.includes(f) && f in PG_FILE_NEEDS),
      tests: [],
    };
    for (const m of testModules) {
      for (const t of m.children.allTests()) {
        const r = t.result();
        const service = r.state === 'skipped' ? serviceOfNote(r.note) : null;
        if (service) skipped.tests.push({ service, file: rel(m) });
      }
    }
    const line = summaryLine(this.states, this.plan, skipped);
    if (line) process.stdout.write(`\n${line}\n`);
  }
}
