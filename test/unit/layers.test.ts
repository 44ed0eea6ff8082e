import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';
// The rules themselves, as the repository's lint runs them: a test of the config, not a copy of it.
import { clientImports, layerZones } from '../../eslint.config.js';

const root = resolve(import.meta.dirname, '../..');

const eslint = new ESLint({
  cwd: root,
  overrideConfigFile: true,
  overrideConfig: [
    {
      files: ['**/*.ts'],
      languageOptions: { parser: tseslint.parser },
      plugins: { 'import-x': importX, '@typescript-eslint': tseslint.plugin },
      settings: { 'import-x/resolver': { typescript: true, node: true } },
      rules: { 'import-x/no-restricted-paths': ['error', { zones: layerZones }] },
    },
    { files: ['client/**/*.ts'], rules: { '@typescript-eslint/no-restricted-imports': clientImports } },
  ],
});

/** The rule ids lint reports for `code` placed at `file` (the file itself need not exist). */
async function violations(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(root, file) });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

describe('the layers: every import points down, and lint says so', () => {
  it.each([
    ['contracts/probe.ts', "import { paymentSaga } from '../workflows';"],
    ['workflows/probe.ts', "import { startServices } from '../apps/services';"],
    ['workflows/probe.ts', "import type { Pool } from '../services/shared/db';"],
    ['activities/probe.ts', "import type { Order } from '../services/order/app';"],
    ['services/probe.ts', "import { startPayment } from '../client';"],
    ['services/probe.ts', "import { loadConfig } from '../config';"],
    ['simulators/probe.ts', "import { buildOrderApp } from '../services/order/app';"],
    ['client/probe.ts', "import { loadConfig } from '../config';"],
    ['config/probe.ts', "import { temporalConnectionOptions } from '../temporal-config/connection';"],
    ['apps/probe.ts', "import { scratchStack } from '../provision/scratch';"],
    ['workflows/saga/probe.ts', "import { SagaStatus } from '../../contracts/search-attributes';"],
    ['workflows/saga/probe.ts', "import { appSagaOptions } from '../saga-options';"],
  ])('refuses an upward import in %s: %s', async (file, code) => {
    expect(await violations(file, `${code}\nexport {};\n`)).toContain('import-x/no-restricted-paths');
  });

  it.each([
    ['workflows/probe.ts', "import { businessId } from '../contracts/fields';"],
    ['simulators/probe.ts', "import { parseInput } from '../services/shared/http';"],
    ['apps/probe.ts', "import { loadConfig } from '../config';"],
    ['workflows/saga/probe.ts', "import { sagaStateQuery } from '../../contracts/saga';"],
    ['client/probe.ts', "import type { paymentSaga } from '../workflows';"],
  ])('allows a downward import in %s: %s', async (file, code) => {
    expect(await violations(file, `${code}\nexport {};\n`)).toEqual([]);
  });

  it('lets the client import workflows as types only', async () => {
    expect(await violations('client/probe.ts', "import { paymentSaga } from '../workflows';\nexport {};\n")).toContain(
      '@typescript-eslint/no-restricted-imports',
    );
  });
});
