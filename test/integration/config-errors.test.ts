import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import '../support/context';
import { envWithout, runEntry } from '../support/run';

const entries = ['provision/stack.ts', 'apps/worker/main.ts', 'apps/services/main.ts', 'apps/services/migrate.ts'];

describe('a bad configuration value stops every entry point before anything starts', () => {
  it.each(
    entries.flatMap((entry) => [
      [entry, { TEMPORAL_ADDRESS: 'not-an-address' }, 'TEMPORAL_ADDRESS: must be host:port'],
      [entry, { DATABASE_URL: 'postgres//oops' }, 'DATABASE_URL: must be a URL of the form postgres://'],
    ]) as [string, Record<string, string>, string][],
  )('%s with %o', async (entry, bad, rule) => {
    const parent = mkdtempSync(join(tmpdir(), 'saga-cfg-'));
    onTestFinished(() => rmSync(parent, { recursive: true, force: true }));
    const dataDir = join(parent, 'data');
    const result = await runEntry(entry, { ...envWithout('DATABASE_URL'), DATA_DIR: dataDir, ...bad });
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`configuration error: ${rule}`);
    expect(result.stdout).toBe('');
    // Nothing was started: not even the data folder was created.
    expect(existsSync(dataDir)).toBe(false);
  });
});

describe('cluster:setup against a running cluster', () => {
  it('finds every search attribute registered and says so', async () => {
    const result = await runEntry('temporal-config/cluster-setup.ts', {
      ...process.env,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(
      'search attributes already registered: SagaStatus, FlowType, OrderId, CustomerId, AmountCents',
    );
  });
});
