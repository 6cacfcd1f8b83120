// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config({ ignores: ['src/generated/**'] }, js.configs.recommended, ...tseslint.configs.recommendedTypeChecked, {
  languageOptions: {
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
});
