import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cruise, type ICruiseResult, type IConfiguration } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import { afterAll, describe, expect, it } from 'vitest';
import { moduleRegistry } from '../../src/modules/registry.js';

const require = createRequire(import.meta.url);
const root = path.resolve(import.meta.dirname, '../..');
const config = require(path.join(root, '.dependency-cruiser.cjs')) as IConfiguration & { moduleUses: Record<string, string[]> };

/** The project's rules run over `baseDir/src`, resolved with `baseDir/tsconfig.json` as `npm run deps` does. */
async function violations(baseDir: string, atLeast = 1): Promise<string[]> {
  const tsConfigFile = path.join(baseDir, 'tsconfig.json');
  const tsConfig = extractTSConfig(tsConfigFile);
  const { output } = await cruise(
    ['src'],
    { ...config.options, baseDir, ruleSet: { forbidden: config.forbidden }, tsConfig: { fileName: tsConfigFile }, validate: true },
    // A fresh resolver per call: the two calls resolve in different folders.
    { bustTheCache: true },
    { tsConfig },
  );
  const { summary } = output as ICruiseResult;
  // A rule set that resolves nothing would find nothing wrong.
  expect(summary.totalCruised).toBeGreaterThanOrEqual(atLeast);
  return summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
}

describe('the one-way dependency rule (.dependency-cruiser.cjs, npm run deps)', () => {
  const fixture = mkdtempSync(path.join(tmpdir(), 'tovplus-deps-'));
  afterAll(() => rmSync(fixture, { recursive: true, force: true }));
  const write = (file: string, body: string) => {
    mkdirSync(path.dirname(path.join(fixture, file)), { recursive: true });
    writeFileSync(path.join(fixture, file), body);
  };

  it('lets a module import only the modules its manifest names (dependsOn and uses)', () => {
    const declared = Object.fromEntries(
      moduleRegistry
        .list()
        .map((m) => [m.key, [...m.dependsOn, ...(m.uses ?? [])].sort()] as const)
        .filter(([, uses]) => uses.length),
    );
    expect(config.moduleUses).toEqual(declared);
  });

  it('refuses imports against the arrow and between undeclared modules, and allows the rest', async () => {
    write('tsconfig.json', JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' }, include: ['src'] }));
    write('src/platform/db.ts', 'export const db = 1;\n');
    write('src/kit/builder.ts', "import { db } from '../platform/db.js';\nexport const builder = db;\n");
    write(
      'src/domains/events/events.service.ts',
      "import { builder } from '../../kit/builder.js';\nimport { yoga } from '../../interfaces/graphql/yoga.js';\nexport const e = [builder, yoga];\n",
    );
    write('src/interfaces/graphql/yoga.ts', 'export const yoga = 1;\n');
    write('src/kit/context.ts', "import { e } from '../domains/events/events.service.js';\nexport const c = e;\n");
    write('src/modules/forms/forms.service.ts', "import { r } from '../rsvp/rsvp.service.js';\nexport const f = r;\n");
    write('src/modules/rsvp/rsvp.service.ts', "import { builder } from '../../kit/builder.js';\nexport const r = builder;\n");
    write('src/modules/rsvp/rsvp.forms.ts', "import { f } from '../forms/forms.service.js';\nexport const x = f;\n");
    expect((await violations(fixture, 8)).sort()).toEqual([
      'domains-imports-upward: src/domains/events/events.service.ts → src/interfaces/graphql/yoga.ts',
      'kit-imports-upward: src/kit/context.ts → src/domains/events/events.service.ts',
      'module-imports-module: src/modules/forms/forms.service.ts → src/modules/rsvp/rsvp.service.ts',
    ]);
  });

  it('finds nothing against the arrow in src', async () => {
    expect(await violations(root, 200)).toEqual([]);
  });
});
