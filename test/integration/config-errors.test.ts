import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

describe('npm start refuses an engine it does not know, before anything starts', () => {
  it.each([
    [['--engine', 'cluster'], {}, '--engine: must be one of dev, server (got "cluster")'],
    [[], { TEMPORAL_ENGINE: 'cluster' }, 'TEMPORAL_ENGINE: must be one of dev, server (got "cluster")'],
  ] as [string[], Record<string, string>, string][])('%o %o', async (args, env, rule) => {
    const parent = mkdtempSync(join(tmpdir(), 'saga-engine-'));
    onTestFinished(() => rmSync(parent, { recursive: true, force: true }));
    const dataDir = join(parent, 'data');
    const result = await runEntry(
      'provision/stack.ts',
      { ...envWithout('DATABASE_URL'), DATA_DIR: dataDir, ...env },
      args,
    );
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([`configuration error: ${rule}`]);
    expect(existsSync(dataDir)).toBe(false);
  });
});

describe('the services, the worker and the API do not start without service tokens', () => {
  it.each(['apps/services/main.ts', 'apps/worker/main.ts', 'apps/api/main.ts'])('%s', async (entry) => {
    const parent = mkdtempSync(join(tmpdir(), 'saga-tokens-'));
    onTestFinished(() => rmSync(parent, { recursive: true, force: true }));
    const env = { ...envWithout('DATABASE_URL', 'SERVICE_TOKENS_FILE'), DATA_DIR: join(parent, 'data') };
    const none = await runEntry(entry, env);
    expect(none.code).toBe(2);
    expect(none.stderr.trim()).toBe(
      `configuration error: SERVICE_TOKENS_FILE: must be set (or ${join(parent, 'data', 'service-tokens.json')} exist; npm start writes one)`,
    );
    const file = join(parent, 'tokens.json');
    writeFileSync(file, JSON.stringify({ callers: { worker: 'too-short' } }));
    const short = await runEntry(entry, { ...env, SERVICE_TOKENS_FILE: file });
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('SERVICE_TOKENS_FILE: callers.worker: must be at least 32 characters');
    expect(existsSync(join(parent, 'data'))).toBe(false);
  });
});

describe('a bad payload key stops every entry point with exit 2, naming PAYLOAD_KEYS and not the key', () => {
  const short = Buffer.alloc(16, 7).toString('base64');
  const good = Buffer.alloc(32, 9).toString('base64');
  const withCli: [string, string[]][] = [
    ...[...entries, 'apps/relay/main.ts', 'apps/api/main.ts', 'apps/codec-server/main.ts'].map(
      (e): [string, string[]] => [e, []],
    ),
    ['apps/cli/index.ts', ['replay', '--file', 'test/histories/payment-saga-success.json']],
  ];
  it.each(
    withCli.flatMap(([entry, args]): [string, string[], string, string][] => [
      [entry, args, `kid1:${short}`, 'PAYLOAD_KEYS: key 1 (kid1): must be 32 bytes (AES-256), got 16'],
      [entry, args, 'kid1:%%%notbase64', 'PAYLOAD_KEYS: key 1 (kid1): must be standard base64'],
      [entry, args, `kid1:${good},kid1:${good}`, 'PAYLOAD_KEYS: key 2 (kid1): key id is listed twice'],
    ]),
  )('%s %o with PAYLOAD_KEYS=%s', async (entry, args, keys, rule) => {
    const parent = mkdtempSync(join(tmpdir(), 'saga-cfg-'));
    onTestFinished(() => rmSync(parent, { recursive: true, force: true }));
    const dataDir = join(parent, 'data');
    const env = { ...envWithout('DATABASE_URL'), DATA_DIR: dataDir, PAYLOAD_KEYS: keys };
    const result = await runEntry(entry, env, args);
    expect(result.code).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toEqual([`configuration error: ${rule}`]);
    expect(result.stderr).not.toContain(keys.split(':')[1]!.split(',')[0]!);
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
