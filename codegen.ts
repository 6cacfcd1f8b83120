import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed documents for every .graphql operation the tests and the demo use, and
 * for the partner operations, all checked against the committed schema.graphql.
 * The partner output also writes persisted-documents.json: the manifest of
 * trusted documents integrations may run, keyed by the SHA-256 of each document.
 */
const typed = {
  preset: 'client' as const,
  config: {
    scalars: { DateTime: 'string', JSON: 'unknown' },
    enumsAsTypes: true,
    useTypeImports: true,
    skipTypename: false,
  },
};

const config: CodegenConfig = {
  schema: 'schema.graphql',
  ignoreNoDocuments: false,
  // NodeNext ESM needs explicit .js extensions in relative imports.
  emitLegacyCommonJSImports: false,
  generates: {
    'src/generated/graphql/': {
      ...typed,
      documents: ['test/operations/**/*.graphql', 'docs/operations/**/*.graphql'],
      presetConfig: { fragmentMasking: false },
    },
    'src/generated/partner/': {
      ...typed,
      documents: ['src/interfaces/integrations/operations/**/*.graphql'],
      presetConfig: { fragmentMasking: false, persistedDocuments: { hashAlgorithm: 'sha256' } },
    },
  },
};

export default config;
