// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

// The layers, lowest first; a file may import only from its own layer or a lower one, so every
// import points down (contracts → workflows, activities → services, simulators → client →
// config, temporal-config → apps → provision → bench, test). Type imports count too.
const folders = [
  'contracts',
  'workflows',
  'activities',
  'services',
  'simulators',
  'client',
  'config',
  'temporal-config',
  'apps',
  'provision',
  'bench',
  'test',
];
/** Every folder listed before `name`. */
const below = (name) => folders.slice(0, folders.indexOf(name));
/** What each folder may import besides itself and npm packages. */
const mayImport = {
  contracts: [],
  // Activities only as types (the rule below), for `proxyActivities<typeof ...>`.
  workflows: ['contracts', 'activities'],
  activities: ['contracts'],
  services: ['contracts'],
  simulators: ['contracts', 'services'],
  // Workflows only as types (the rule below): a caller gets no workflow code.
  client: ['contracts', 'activities', 'workflows'],
  config: ['contracts'],
  'temporal-config': ['contracts', 'config'],
  // The top layers may use everything below them.
  apps: below('apps'),
  provision: below('provision'),
  bench: below('bench'),
  test: below('test'),
};
export const layerZones = Object.entries(mayImport)
  .map(([target, allowed]) => ({
    target: `./${target}`,
    from: folders.filter((f) => f !== target && !allowed.includes(f)).map((f) => `./${f}`),
    message: `${target}/ may import only from ${allowed.length > 0 ? allowed.join(', ') : 'itself'} (layers in eslint.config.js).`,
  }))
  .filter((zone) => zone.from.length > 0);
// The saga library knows no application: of ours it uses only its own files and its public
// contract (contracts/saga.ts), so it can be tested, and lifted out, on its own.
layerZones.push(
  {
    target: './workflows/saga',
    from: './workflows',
    except: ['./saga'],
    message: 'workflows/saga/ is a library: no flow code.',
  },
  {
    target: './workflows/saga',
    from: './contracts',
    except: ['./saga.ts'],
    message: 'workflows/saga/ may use contracts/saga.ts only.',
  },
);
// The gateway simulator is built with the participants' toolkit, never with their code.
layerZones.push({
  target: './simulators',
  from: './services',
  except: ['./shared'],
  message: 'simulators/ may use services/shared only.',
});

/** The client is the library other services install: no database driver, no worker, workflow code as types. */
export const clientImports = [
  'error',
  {
    patterns: [
      {
        group: ['**/workflows', '**/workflows/**', '**/activities', '**/activities/**'],
        allowTypeImports: true,
        message: 'The client imports workflows and activities as types only.',
      },
      {
        group: ['pg', 'pg/*', '@temporalio/worker'],
        message: 'The client library never needs a database driver or a worker.',
      },
    ],
  },
];

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
      'import-x/no-restricted-paths': ['error', { zones: layerZones }],
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
            { group: ['**/contracts/request-hash'], message: 'Request hashing is Node-only (node:crypto).' },
          ],
        },
      ],
    },
  },
  {
    // Contracts are imported by the workflow bundle: pure code, no Node builtins, no database.
    // request-hash.ts is the one Node-only file, used by the client and services, never by workflows.
    files: ['contracts/**/*.ts'],
    ignores: ['contracts/request-hash.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({
            name,
            message: 'Contracts are loaded by workflows: no Node builtins.',
          })),
          patterns: [{ group: ['pg', 'pg/*', 'pg-*'], message: 'Contracts never touch the database.' }],
        },
      ],
    },
  },
  {
    // Participants and simulators know nothing of Temporal: the processes wire it in through ports.
    files: ['services/**/*.ts', 'simulators/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@temporalio/*'],
              message: 'Services know nothing of Temporal; take a port (e.g. DeliverEvent) instead.',
            },
          ],
        },
      ],
    },
  },
  {
    // The client is the library other services install: no database driver, no worker, and
    // workflow code only as types.
    files: ['client/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': clientImports },
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
      'apps/cli/**/*.ts',
      'apps/services/migrate.ts',
      'provision/**/*.ts',
      'test/histories/record.ts',
      'config/entry.ts',
      'temporal-config/cluster-setup.ts',
      'bench/**/*.ts',
    ],
    rules: { 'no-console': 'off' },
  },
);
