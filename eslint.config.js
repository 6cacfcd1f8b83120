// @ts-check
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  // dist/: the build (npm run build), and the directories a build writes before swapping it in.
  { ignores: ['src/generated/**', 'dist/**', 'dist.*/**'] },
  js.configs.recommended,
  // recommended + the type-aware rules: floating and misused promises, unsafe any, needless assertions, …
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      // Typed linting from tsconfig.json; this file itself is outside it.
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Off: an async function without await is deliberate here (a Promise-returning interface, or a throw that
      // must become a rejection); a forgotten await is what no-floating-promises and no-misused-promises catch.
      '@typescript-eslint/require-await': 'off',
      // A promise returned from inside try/catch is awaited there, so its rejection reaches the catch and finally.
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
    },
  },
  {
    // Tests and the bench drive the API with GraphQL text over HTTP and WebSocket and read its JSON answers as
    // `any` (harness.gql without a typed document): what the server answered is what is under test, and the
    // assertions are the check on its shape. Typing each of those ~2,000 reads would restate the schema in
    // every test. Everything else (floating and misused promises, needless assertions, …) still applies.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // The build and start scripts (plain Node ESM, run before anything is compiled), outside tsconfig.json: linted
    // without type information.
    files: ['scripts/**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { parserOptions: { projectService: false }, globals: { process: 'readonly', console: 'readonly', performance: 'readonly' } },
  },
  {
    // CommonJS outside tsconfig.json (tool configuration, the Typst worker thread's script): linted without type
    // information; require() is how CommonJS imports.
    files: ['**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { sourceType: 'commonjs', parserOptions: { projectService: false }, globals: { module: 'writable', require: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
