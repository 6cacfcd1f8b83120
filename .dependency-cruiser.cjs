/**
 * The one-way rule of src/ (README, "Architecture"):
 *
 *   bin → app → interfaces → modules → capabilities → domains → kit → platform
 *
 * A folder may import its own layer and any layer to its right, never one to
 * its left. `npm run deps` checks it (in .ci/run). src/generated (Prisma client,
 * typed documents) is generated code any layer may read.
 */
/**
 * Which modules' code a module may import: its manifest's `dependsOn` and
 * `uses` (test/architecture/dependency-rule.test.ts keeps the two equal).
 */
const moduleUses = { rsvp: ['forms'], seating: ['rsvp'], timeline: ['rsvp'] };

const layers = ['bin', 'app', 'interfaces', 'modules', 'capabilities', 'domains', 'kit', 'platform'];

const forbidden = layers.map((layer, i) => {
  const above = layers.slice(0, i);
  return {
    name: `${layer}-imports-upward`,
    comment: `src/${layer} may not import ${above.join(', ') || '(nothing above it)'}: dependencies point one way.`,
    severity: 'error',
    from: { path: `^src/${layer}/` },
    to: { path: above.length ? `^src/(${above.join('|')})/` : '^$' },
  };
});

module.exports = {
  forbidden: [
    ...forbidden,
    // A module reaches another module only if its manifest declares it (dependsOn or uses; moduleUses above).
    {
      name: 'module-imports-module',
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/', pathNot: Object.keys(moduleUses).map((m) => `^src/modules/${m}/`) },
      to: { path: '^src/modules/([^/]+)/', pathNot: ['^src/modules/$1/'] },
    },
    ...Object.entries(moduleUses).map(([m, uses]) => ({
      name: `module-imports-module`,
      comment: `${m} may import only itself and ${uses.join(', ')}.`,
      severity: 'error',
      from: { path: `^src/modules/${m}/` },
      to: { path: '^src/modules/[^/]+/', pathNot: [m, ...uses].map((u) => `^src/modules/${u}/`) },
    })),
    {
      name: 'not-to-unresolvable',
      comment: 'An import that does not resolve is a typo or a missing dependency.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/generated/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js'],
    },
  },
};

// For test/architecture/dependency-rule.test.ts (not enumerable: the config schema allows no extra keys).
Object.defineProperty(module.exports, 'moduleUses', { value: moduleUses, enumerable: false });
