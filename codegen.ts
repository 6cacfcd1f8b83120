import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents for every .graphql operation the tests and the demo use,
 * checked against the committed schema.graphql. Partner persisted operations
 * will be generated from the same setup (their manifest hashes the documents).
 */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  documents: ['test/operations/**/*.graphql', 'docs/operations/**/*.graphql'],
  ignoreNoDocuments: false,
  // NodeNext ESM needs explicit .js extensions in relative imports.
  emitLegacyCommonJSImports: false,
  generates: {
    'src/generated/graphql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        scalars: { DateTime: 'string', JSON: 'unknown' },
        enumsAsTypes: true,
        useTypeImports: true,
        skipTypename: false,
      },
    },
  },
};

export default config;
