// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['node_modules/', '.data/', '.tools/', 'test-results/', 'eslint.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver': { typescript: true, node: true } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-cycle': 'error',
      'no-console': 'error',
    },
  },
  {
    // Workflows run in Temporal's deterministic sandbox: no I/O, no Node builtins, and activities
    // or services only as types (their values would drag side effects into the bundle).
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins.map((name) => ({ name, message: 'Workflows must stay deterministic: no Node builtins.' })),
            { name: 'pg', message: 'Workflows never touch the database.' },
          ],
          patterns: [
            {
              group: ['**/activities', '**/activities/**', '**/services', '**/services/**'],
              allowTypeImports: true,
              message: 'Import activities and services as types only (import type ...).',
            },
            { group: ['pg', 'pg/*', 'pg-*'], message: 'Workflows never touch the database.' },
          ],
        },
      ],
    },
  },
  {
    // Tests read untyped JSON bodies and hand activity methods around as values on purpose.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Entry points and scripts talk to a terminal.
    files: [
      '**/main.ts',
      'client/cli/**/*.ts',
      'provision/**/*.ts',
      'test/histories/record.ts',
      'services/migrate.ts',
      'temporal-config/entry.ts',
      'temporal-config/cluster-setup.ts',
      'bench/**/*.ts',
    ],
    rules: { 'no-console': 'off' },
  },
);
