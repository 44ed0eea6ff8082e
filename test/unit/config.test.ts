import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, requireServiceTokens, serviceTokenOf } from '../../config';
import { callersOf } from '../../config/service-tokens';
import { devServerArgs } from '../../temporal-config/dev-server';

const errorOf = (env: NodeJS.ProcessEnv) => {
  try {
    loadConfig(env);
  } catch (err) {
    return err;
  }
  throw new Error('expected a ConfigError');
};

describe('loadConfig', () => {
  it('gives working defaults for the embedded stack', () => {
    const config = loadConfig({});
    expect(config.temporal).toEqual({
      address: '127.0.0.1:7233',
      namespace: 'default',
      taskQueue: 'sagas',
      uiPort: 8233,
      engine: 'dev',
    });
    expect(config.database).toEqual({
      url: 'postgres://saga@127.0.0.1:54329/saga',
      local: true,
      localPort: 54329,
      name: 'saga',
    });
    expect(config.services.inventory).toEqual({ host: '127.0.0.1', port: 4101, url: 'http://127.0.0.1:4101' });
  });

  it.each([
    [{ TEMPORAL_ADDRESS: 'localhost' }, 'TEMPORAL_ADDRESS: must be host:port, e.g. 127.0.0.1:7233 (got "localhost")'],
    [
      { TEMPORAL_ADDRESS: 'h:99999' },
      'TEMPORAL_ADDRESS: must be host:port with a port from 1 to 65535 (got "h:99999")',
    ],
    [
      { DATABASE_URL: 'mysql://x/y' },
      'DATABASE_URL: must be a URL of the form postgres://user:password@host:port/database',
    ],
    [
      { DATABASE_URL: 'postgres://host' },
      'DATABASE_URL: must be a URL of the form postgres://user:password@host:port/database',
    ],
    [{ PG_PORT: 'abc' }, 'PG_PORT: must be a number'],
    [{ INVENTORY_PORT: '0' }, 'INVENTORY_PORT: must be a port number from 1 to 65535'],
    [{ INVENTORY_URL: 'ftp://x' }, 'INVENTORY_URL: must be an http(s) URL'],
    [
      { TEMPORAL_TLS_CERT_PATH: '/nonexistent/cert.pem' },
      'TEMPORAL_TLS_CERT_PATH: must be the path of an existing file',
    ],
    [
      { TEMPORAL_TLS_CERT_PATH: 'package.json' },
      'TEMPORAL_TLS_KEY_PATH: must be set together with its certificate/key pair',
    ],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL: '],
    [
      { NATS_URL: 'nats://a:4222,http://b:4222' },
      'NATS_URL: must be nats://host:port (or tls://), several separated by commas',
    ],
    [{ NATS_USER: 'relay' }, 'NATS_PASSWORD: must be set together with NATS_USER/NATS_PASSWORD'],
    [{ NATS_TOKEN: 't', NATS_USER: 'u', NATS_PASSWORD: 'p' }, 'NATS_TOKEN: must not be set together with NATS_USER'],
    [{ REDIS_URL: 'http://cache:6379' }, 'REDIS_URL: must be a redis:// or rediss:// URL'],
    [{ FLASH_SALE_GATE_SHARDS: '0' }, 'FLASH_SALE_GATE_SHARDS: must be from 1 to 64'],
    [{ TEMPORAL_ENGINE: 'cluster' }, 'TEMPORAL_ENGINE: must be one of dev, server'],
  ])('refuses %o naming the variable and the rule', (env, message) => {
    const err = errorOf(env);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message.startsWith(message)).toBe(true);
  });

  it('runs its own broker unless NATS_URL names one or several, with credentials by config', () => {
    expect(loadConfig({}).nats).toEqual({ servers: ['nats://127.0.0.1:14222'], local: true, localPort: 14222 });
    expect(
      loadConfig({ NATS_URL: 'nats://n1:4222, nats://n2:4222', NATS_USER: 'relay', NATS_PASSWORD: 'secret' }).nats,
    ).toEqual({
      servers: ['nats://n1:4222', 'nats://n2:4222'],
      local: false,
      localPort: 14222,
      user: 'relay',
      password: 'secret',
    });
  });

  it('turns on TLS for an API key and for mTLS files', () => {
    expect(loadConfig({ TEMPORAL_API_KEY: 'k' }).temporal).toMatchObject({ apiKey: 'k', tls: {} });
    const mtls = loadConfig({ TEMPORAL_TLS_CERT_PATH: 'package.json', TEMPORAL_TLS_KEY_PATH: 'package.json' });
    expect(mtls.temporal.tls).toMatchObject({ clientCertPath: 'package.json', clientKeyPath: 'package.json' });
  });

  it("runs the project's own Redis on loopback unless REDIS_URL says otherwise", () => {
    expect(loadConfig({}).redis).toEqual({ url: 'redis://127.0.0.1:6390', local: true, localPort: 6390 });
    expect(loadConfig({}).flashSale).toEqual({ gateShards: 8, checkIntervalMs: 300_000, quietMs: 60_000 });
    expect(loadConfig({ REDIS_URL: 'rediss://cache.example:6380', FLASH_SALE_GATE_SHARDS: '16' })).toMatchObject({
      redis: { url: 'rediss://cache.example:6380', local: false },
      flashSale: { gateShards: 16 },
    });
  });

  it('uses DATABASE_URL instead of the local cluster when set', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u:p@db.example:5432/shop' });
    expect(config.database).toMatchObject({ url: 'postgres://u:p@db.example:5432/shop', local: false, name: 'shop' });
  });
});

describe('devServerArgs', () => {
  it('registers every search attribute and persists state only when given a file', () => {
    const args = devServerArgs({ ip: '127.0.0.1', port: 7233, uiPort: 8233, namespace: 'default', dbFile: 'x.db' });
    expect(args).toEqual(expect.arrayContaining(['--db-filename', 'x.db', '--ui-port', '8233']));
    for (const sa of [
      'SagaStatus=Keyword',
      'FlowType=Keyword',
      'OrderId=Keyword',
      'CustomerId=Keyword',
      'AmountCents=Int',
    ]) {
      expect(args).toContain(sa);
    }
    const headless = devServerArgs({ ip: '127.0.0.1', port: 1, namespace: 'default' });
    expect(headless).toContain('--headless');
    expect(headless).not.toContain('--db-filename');
  });

  it('reads the payment, reconciliation and approval settings, durations in any unit', () => {
    const config = loadConfig({
      ORDER_UNPAID_DEADLINE: '2h',
      RECONCILE_INTERVAL: '90s',
      REFUND_APPROVAL_THRESHOLD_CENTS: '5000',
    });
    expect(config.payment.unpaidDeadline).toBe(7_200_000);
    expect(config.reconciliation).toMatchObject({ intervalMs: 90_000, lookbackMs: 180_000, unpaidPolicy: 'refund' });
    expect(config.refunds.approvalThresholdCents).toBe(5000);
    expect(config.approvals.routing.bands).toHaveLength(3);
    expect(config.gateway.callbackUrl).toBe('http://127.0.0.1:4106/callbacks/gateway');
  });

  it.each([
    [
      { ORDER_UNPAID_DEADLINE: '15 minutes' },
      'ORDER_UNPAID_DEADLINE: must be a duration such as 500ms, 30s, 15m, 1h or 2d',
    ],
    [{ PAYMENTS_WEBHOOK_SECRET: 'short' }, 'PAYMENTS_WEBHOOK_SECRET: must be at least 16 characters'],
    [{ RECONCILE_UNPAID_POLICY: 'keep' }, 'RECONCILE_UNPAID_POLICY: must be refund or complete'],
    [{ RETAIN_IDEMPOTENCY_KEYS: '1d' }, 'RETAIN_IDEMPOTENCY_KEYS: must be at least APPROVAL_DEADLINE'],
    [{ RETAIN_TCC_BARRIER: '6d' }, 'RETAIN_TCC_BARRIER: must be at least APPROVAL_DEADLINE'],
    [{ RETENTION_BATCH_SIZE: '5' }, 'RETENTION_BATCH_SIZE: must be from 10 to 10000'],
  ])('refuses %o naming the variable', (env, message) => {
    expect((errorOf(env) as Error).message).toContain(message);
  });

  it('validates the approval routing file and names the bad field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'routing-'));
    const file = join(dir, 'routing.json');
    writeFileSync(
      file,
      JSON.stringify({
        bands: [
          { upToCents: 5000, roles: ['team-lead'] },
          { upToCents: 1000, roles: ['team-lead', 'finance'] },
          { upToCents: null, roles: ['finance'] },
        ],
        approvers: { '*': { finance: ['f-1'] } },
      }),
    );
    try {
      const err = errorOf({ APPROVAL_ROUTING_FILE: file }) as Error;
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.message).toBe(`APPROVAL_ROUTING_FILE: bands.1.upToCents: bands must ascend (in ${file})`);
      writeFileSync(file, '{ not json');
      expect((errorOf({ APPROVAL_ROUTING_FILE: file }) as Error).message).toMatch(
        /^APPROVAL_ROUTING_FILE: .* is not JSON/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads the retention windows per table, with defaults', () => {
    const day = 86_400_000;
    expect(loadConfig({}).retention).toEqual({
      intervalMs: day,
      batchSize: 1000,
      windows: { idempotencyKeys: 30 * day, tccBarrier: 30 * day, callbacks: 90 * day },
    });
    const set = loadConfig({ RETAIN_CALLBACKS: '1h', RETAIN_TCC_BARRIER: '8d', RETENTION_BATCH_SIZE: '50' }).retention;
    expect(set.windows).toEqual({ idempotencyKeys: 30 * day, tccBarrier: 8 * day, callbacks: 3_600_000 });
    expect(set.batchSize).toBe(50);
  });

  it('reads the service tokens, refuses short or shared tokens and unknown callers, and names the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tokens-'));
    const file = join(dir, 'service-tokens.json');
    const worker = 'w'.repeat(32);
    const operator = 'o'.repeat(40);
    const write = (json: unknown) => writeFileSync(file, JSON.stringify(json));
    const messageOf = (json: unknown) => {
      write(json);
      return (errorOf({ SERVICE_TOKENS_FILE: file }) as Error).message;
    };
    try {
      write({ callers: { worker, operator }, allow: { payments: ['worker'] } });
      const config = loadConfig({ SERVICE_TOKENS_FILE: file });
      expect(serviceTokenOf(config, 'worker')).toBe(worker);
      expect(callersOf(requireServiceTokens(config), 'payments').map((c) => c.name)).toEqual(['worker']);
      expect(callersOf(requireServiceTokens(config), 'order').map((c) => c.name)).toEqual(['worker', 'operator']);
      expect(() => serviceTokenOf(config, 'relay')).toThrow('SERVICE_TOKENS_FILE: callers: has no token for relay');

      expect(messageOf({ callers: { worker: 'short' } })).toBe(
        `SERVICE_TOKENS_FILE: callers.worker: must be at least 32 characters (in ${file})`,
      );
      expect(messageOf({ callers: { worker, operator: worker } })).toContain('callers: tokens must differ');
      expect(messageOf({ callers: { worker }, allow: { order: ['relay'] } })).toContain(
        'allow.order.0: relay is not in callers',
      );
      expect(messageOf({ callers: { worker }, allow: { nowhere: ['worker'] } })).toMatch(
        /^SERVICE_TOKENS_FILE: allow: .*nowhere/,
      );
      expect((errorOf({ SERVICE_TOKENS_FILE: join(dir, 'missing.json') }) as Error).message).toContain(
        'SERVICE_TOKENS_FILE: must be the path of an existing file',
      );
      rmSync(file);
      const none = loadConfig({ DATA_DIR: dir });
      expect(() => requireServiceTokens(none)).toThrow(`SERVICE_TOKENS_FILE: must be set (or ${file} exist`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
