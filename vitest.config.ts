import { defineConfig } from 'vitest/config';

// Three tiers, each with its own global setup: unit (time-skipping server, mocked activities),
// integration (real dev server, PostgreSQL and services over HTTP) and replay (recorded histories).
// Forks, not threads: the Temporal worker is a native addon.
export default defineConfig({
  test: {
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', ['json', { outputFile: 'test-results/vitest.json' }]],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], globalSetup: ['test/support/setup-unit.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/setup-integration.ts'],
          testTimeout: 180_000,
        },
      },
      {
        extends: true,
        test: { name: 'replay', include: ['test/replay/**/*.test.ts'], globalSetup: ['test/support/setup-replay.ts'] },
      },
    ],
  },
});
