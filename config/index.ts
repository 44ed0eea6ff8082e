import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { apiClients, devApiClient, type ApiClient } from './api-clients';
import { serviceTokensFile, type ServiceTokens } from './service-tokens';
import type { RetentionWindows } from '../contracts/retention';
import { serviceNames, type ServiceName } from '../contracts/services';
import { defaultRouting, routingConfig, type RoutingConfig } from '../contracts/approval';

/** Thrown when the environment holds a bad value; entry points print its message and exit with 2. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export { serviceNames, type ServiceName };

const defaultServicePorts: Record<ServiceName, number> = {
  order: 4100,
  inventory: 4101,
  payments: 4102,
  wallet: 4103,
  coupon: 4104,
  shipping: 4105,
  billing: 4106,
  approvals: 4107,
};

const port = z.coerce
  .number({ error: 'must be a number' })
  .int('must be a whole number')
  .min(1, 'must be a port number from 1 to 65535')
  .max(65535, 'must be a port number from 1 to 65535');

const hostPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/, 'must be host:port, e.g. 127.0.0.1:7233')
  .refine((v) => {
    const n = Number(v.slice(v.lastIndexOf(':') + 1));
    return n >= 1 && n <= 65535;
  }, 'must be host:port with a port from 1 to 65535');

const postgresUrl = z.string().refine((v) => {
  try {
    const u = new URL(v);
    return (u.protocol === 'postgres:' || u.protocol === 'postgresql:') && u.hostname !== '' && u.pathname.length > 1;
  } catch {
    return false;
  }
}, 'must be a URL of the form postgres://user:password@host:port/database');

/** One `nats://host:port` (or `tls://`), or several comma-separated for a cluster. */
const natsUrls = z
  .string()
  .transform((v) => v.split(',').map((u) => u.trim()))
  .pipe(
    z
      .array(
        z
          .string()
          .regex(
            /^(nats|tls):\/\/([^:@/\s]+(:[^@/\s]*)?@)?[A-Za-z0-9.-]+:\d{1,5}$/,
            'must be nats://host:port (or tls://), several separated by commas',
          ),
      )
      .min(1),
  );

const redisUrl = z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' });
const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const existingFile = z.string().refine((p) => existsSync(p), 'must be the path of an existing file');
const identifier = z.string().regex(/^[A-Za-z0-9_.-]{1,200}$/, 'must be 1-200 letters, digits, ".", "_" or "-"');
const nonEmpty = z.string().min(1, 'must not be empty');
const units = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** A duration such as `500ms`, `30s`, `15m`, `1h` or `2d`, read as milliseconds. */
const duration = z
  .string()
  .regex(/^\d{1,9}(ms|s|m|h|d)$/, 'must be a duration such as 500ms, 30s, 15m, 1h or 2d')
  .transform((v) => {
    const [, n, unit] = /^(\d+)(ms|s|m|h|d)$/.exec(v)!;
    return Number(n) * units[unit as keyof typeof units];
  })
  .refine((ms) => ms >= 1, 'must be longer than zero');
const millis = z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(0).max(86_400_000);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

/** A payload encryption key: its id (kept in each payload's metadata) and its 32 bytes. */
export interface PayloadKey {
  id: string;
  key: Buffer;
}

/**
 * `PAYLOAD_KEYS=kid1:<base64>,kid0:<base64>`: AES-256 keys, newest first (new payloads use the
 * first; the others still decrypt the payloads written under them). Each key is 32 bytes in
 * standard base64; ids are unique.
 */
const payloadKeys = z.string().transform((v, ctx) => {
  const keys: PayloadKey[] = [];
  for (const [i, entry] of v.split(',').entries()) {
    const [id = '', b64 = '', ...rest] = entry.trim().split(':');
    const validId = /^[A-Za-z0-9_.-]{1,64}$/.test(id);
    const fail = (message: string) => {
      // The id only when it is one: a key given without its id must not be echoed.
      ctx.addIssue({ code: 'custom', message: `key ${i + 1}${validId ? ` (${id})` : ''}: ${message}` });
      return z.NEVER;
    };
    if (!validId || b64 === '' || rest.length > 0)
      return fail('must be <key id>:<base64 key>, the id 1-64 letters, digits, ".", "_" or "-"');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) return fail('must be standard base64');
    const key = Buffer.from(b64, 'base64');
    if (key.length !== 32) return fail(`must be 32 bytes (AES-256), got ${key.length}`);
    if (keys.some((k) => k.id === id)) return fail('key id is listed twice');
    keys.push({ id, key });
  }
  return keys;
});

/** Variables whose value an error line must not repeat. */
const secretVariables = new Set(['PAYLOAD_KEYS', 'PAYMENTS_WEBHOOK_SECRET', 'CODEC_SERVER_TOKEN']);

/** The codec server's bearer token on a dev machine; set CODEC_SERVER_TOKEN anywhere else. */
export const devCodecToken = 'dev-only-codec-token';

/** The webhook secret of the dev stack; set PAYMENTS_WEBHOOK_SECRET anywhere else. */
export const devWebhookSecret = 'dev-only-webhook-secret';

/** Which Temporal server `npm start` runs when none answers: the dev server, or the production one on PostgreSQL. */
export const temporalEngines = ['dev', 'server'] as const;
export type TemporalEngine = (typeof temporalEngines)[number];

const envSchema = z
  .object({
    TEMPORAL_ADDRESS: hostPort.default('127.0.0.1:7233'),
    TEMPORAL_NAMESPACE: identifier.default('default'),
    TEMPORAL_TASK_QUEUE: identifier.default('sagas'),
    TEMPORAL_TLS_CERT_PATH: optional(existingFile),
    TEMPORAL_TLS_KEY_PATH: optional(existingFile),
    TEMPORAL_TLS_CA_PATH: optional(existingFile),
    TEMPORAL_TLS_SERVER_NAME: optional(nonEmpty),
    TEMPORAL_API_KEY: optional(nonEmpty),
    TEMPORAL_UI_PORT: port.default(8233),
    TEMPORAL_ENGINE: z.enum(temporalEngines, { error: `must be one of ${temporalEngines.join(', ')}` }).default('dev'),
    WORKFLOW_BUNDLE_PATH: optional(existingFile),
    DATABASE_URL: optional(postgresUrl),
    PG_PORT: port.default(54329),
    DATA_DIR: nonEmpty.default('.data'),
    REDIS_URL: optional(redisUrl),
    REDIS_PORT: port.default(6390),
    FLASH_SALE_GATE_SHARDS: z.coerce
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(1, 'must be from 1 to 64')
      .max(64, 'must be from 1 to 64')
      .default(8),
    FLASH_SALE_GATE_CHECK_INTERVAL: duration.prefault('5m'),
    FLASH_SALE_GATE_QUIET: duration.prefault('1m'),
    SERVICES_HOST: nonEmpty.default('127.0.0.1'),
    PAYMENTS_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').default(devWebhookSecret),
    PAYMENTS_CALLBACK_URL: optional(httpUrl),
    CALLBACK_TOLERANCE_SECONDS: z.coerce.number().int().min(1, 'must be at least 1').max(3600).default(300),
    GATEWAY_SETTLE_MS: millis.default(100),
    GATEWAY_CALLBACK_DELAY_MS: millis.default(5000),
    GATEWAY_LATE_MS: millis.default(60_000),
    GATEWAY_HANG_MS: millis.default(15_000),
    ORDER_UNPAID_DEADLINE: duration.prefault('15m'),
    PAYMENT_CALLBACK_TIMEOUT: duration.prefault('30s'),
    PAYMENT_POLL_INITIAL: duration.prefault('1s'),
    PAYMENT_POLL_MAX: duration.prefault('1m'),
    RECONCILE_INTERVAL: duration.prefault('1h'),
    RECONCILE_LOOKBACK: optional(duration),
    RECONCILE_UNPAID_POLICY: z.enum(['refund', 'complete'], { error: 'must be refund or complete' }).default('refund'),
    RETENTION_INTERVAL: duration.prefault('1d'),
    RETENTION_BATCH_SIZE: z.coerce
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(10, 'must be from 10 to 10000')
      .max(10_000, 'must be from 10 to 10000')
      .default(1000),
    RETAIN_IDEMPOTENCY_KEYS: duration.prefault('30d'),
    RETAIN_TCC_BARRIER: duration.prefault('30d'),
    RETAIN_CALLBACKS: duration.prefault('90d'),
    API_PORT: port.default(4200),
    NATS_URL: optional(natsUrls),
    NATS_PORT: port.default(14222),
    NATS_USER: optional(nonEmpty),
    NATS_PASSWORD: optional(nonEmpty),
    NATS_TOKEN: optional(nonEmpty),
    ACTIVITY_PORT: port.default(4108),
    METRICS_PORT: z.coerce
      .number({ error: 'must be a number' })
      .int('must be a whole number')
      .min(0, 'must be a port number from 1 to 65535, or 0 for no metrics endpoint')
      .max(65535, 'must be a port number from 1 to 65535, or 0 for no metrics endpoint')
      .default(9464),
    API_TOKENS_FILE: optional(existingFile),
    SERVICE_TOKENS_FILE: optional(existingFile),
    REFUND_APPROVAL_THRESHOLD_CENTS: z.coerce
      .number({ error: 'must be a number' })
      .int('must be whole cents')
      .min(0)
      .default(10_000),
    APPROVAL_ROUTING_FILE: optional(existingFile),
    APPROVAL_SLA_PER_LEVEL: duration.prefault('1d'),
    APPROVAL_DEADLINE: duration.prefault('7d'),
    PAYLOAD_KEYS: optional(payloadKeys),
    CODEC_SERVER_PORT: port.default(4300),
    CODEC_SERVER_TOKEN: z.string().min(16, 'must be at least 16 characters').default(devCodecToken),
    LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  })
  .superRefine((env, ctx) => {
    // A flow may still retry a call with its key, or send a late try, until its approval deadline.
    for (const name of ['RETAIN_IDEMPOTENCY_KEYS', 'RETAIN_TCC_BARRIER'] as const) {
      if (env[name] < env.APPROVAL_DEADLINE) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: 'must be at least APPROVAL_DEADLINE (a flow may retry that late)',
        });
      }
    }
    if ((env.TEMPORAL_TLS_CERT_PATH === undefined) !== (env.TEMPORAL_TLS_KEY_PATH === undefined)) {
      const missing = env.TEMPORAL_TLS_CERT_PATH === undefined ? 'TEMPORAL_TLS_CERT_PATH' : 'TEMPORAL_TLS_KEY_PATH';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'must be set together with its certificate/key pair' });
    }
    if ((env.NATS_USER === undefined) !== (env.NATS_PASSWORD === undefined)) {
      const missing = env.NATS_USER === undefined ? 'NATS_USER' : 'NATS_PASSWORD';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'must be set together with NATS_USER/NATS_PASSWORD' });
    }
    if (env.NATS_TOKEN !== undefined && env.NATS_USER !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['NATS_TOKEN'], message: 'must not be set together with NATS_USER' });
    }
  });

/** `<SERVICE>_PORT` (where it listens) and `<SERVICE>_URL` (where activities reach it) per service. */
const serviceSchema = z.object(
  Object.fromEntries(
    serviceNames.flatMap((s) => [
      [portVar(s), port.default(defaultServicePorts[s])],
      [urlVar(s), optional(httpUrl)],
    ]),
  ),
);

function parseEnv<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv): z.infer<T> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const name = String(issue?.path[0] ?? 'environment');
  const got = env[name];
  throw new ConfigError(
    `${name}: ${issue?.message ?? 'invalid'}${got === undefined || secretVariables.has(name) ? '' : ` (got ${JSON.stringify(got)})`}`,
  );
}

/** URL of a database on the project-local cluster (superuser `saga`, trust auth on loopback). */
export function localDatabaseUrl(port: number, database: string): string {
  return `postgres://saga@127.0.0.1:${port}/${database}`;
}

function portVar(s: ServiceName): string {
  return `${s.toUpperCase()}_PORT`;
}
function urlVar(s: ServiceName): string {
  return `${s.toUpperCase()}_URL`;
}

export interface TlsConfig {
  clientCertPath?: string;
  clientKeyPath?: string;
  caPath?: string;
  serverName?: string;
}

export interface AppConfig {
  /** Payload encryption keys, newest first; empty means payloads are not encrypted. */
  payloadKeys: PayloadKey[];
  /** Where the codec server listens, its bearer token and the browser origins it answers. */
  codecServer: { host: string; port: number; url: string; token: string; origins: string[] };
  temporal: {
    address: string;
    namespace: string;
    taskQueue: string;
    uiPort: number;
    /** What `npm start` runs when nothing answers at `address` (TEMPORAL_ENGINE, or `--engine`). */
    engine: TemporalEngine;
    /** A prebuilt workflow bundle for the worker; unset means the worker bundles at start. */
    workflowBundlePath?: string;
    /** Set when connecting with mTLS, an API key, or a custom CA. */
    tls?: TlsConfig;
    apiKey?: string;
  };
  database: {
    url: string;
    /** True when DATABASE_URL is unset: the project runs its own cluster on 127.0.0.1:`localPort`. */
    local: boolean;
    localPort: number;
    /** Database name on the local cluster. */
    name: string;
  };
  dataDir: string;
  /** The flash-sale gate's Redis; `local` when REDIS_URL is unset (the project runs it on 127.0.0.1:`localPort`). */
  redis: { url: string; local: boolean; localPort: number };
  /**
   * How many keys a new sale's remaining units are split over in the gate; how often the gate is
   * compared with the database, and how long a sale's stock must be unchanged to count as over.
   */
  flashSale: { gateShards: number; checkIntervalMs: number; quietMs: number };
  logLevel: string;
  services: Record<ServiceName, { host: string; port: number; url: string }>;
  /** The gateway simulator and our callback receiver. */
  gateway: {
    secret: string;
    /** Where the simulator sends callbacks; default: the billing service's receiver. */
    callbackUrl: string;
    toleranceSeconds: number;
    timings: { settleMs: number; callbackDelayMs: number; lateMs: number; hangMs: number };
  };
  /** How flows wait for their payment (workflow inputs, in milliseconds). */
  payment: { unpaidDeadline: number; callbackTimeout: number; poll: { initial: number; max: number } };
  reconciliation: { intervalMs: number; lookbackMs: number; unpaidPolicy: 'refund' | 'complete' };
  /** The `retention` Schedule: how often, how many rows per table per batch, how long each table keeps rows. */
  retention: { intervalMs: number; batchSize: number; windows: RetentionWindows };
  /** Where the worker serves Prometheus metrics (`host:port`); undefined when METRICS_PORT=0. */
  metricsAddress?: string;
  /**
   * The bearer tokens between our processes and the services (SERVICE_TOKENS_FILE, or the dev
   * stack's `<DATA_DIR>/service-tokens.json` when that exists); undefined when neither is there.
   */
  serviceTokens?: ServiceTokens;
  /** The event broker: NATS with JetStream. */
  nats: {
    servers: string[];
    /** True when NATS_URL is unset: the project runs its own nats-server on 127.0.0.1:`localPort`. */
    local: boolean;
    localPort: number;
    user?: string;
    password?: string;
    token?: string;
  };
  /** The customer-activity read model (`apps/activity`, started by `npm start`): its HTTP API and metrics. */
  activity: { host: string; port: number; url: string };
  /** The HTTP API (`npm run api`) and the calling services allowed to use it. */
  api: { host: string; port: number; url: string; clients: ApiClient[] };
  /** Approvals: routing rules (validated) and timers, for refunds above the threshold and internal requests. */
  approvals: { routing: RoutingConfig; slaPerLevelMs: number; deadlineMs: number };
  refunds: {
    approvalThresholdCents: number;
    routing: RoutingConfig;
    approvalSlaPerLevelMs: number;
    approvalDeadlineMs: number;
    payment: AppConfig['payment'];
  };
}

/** A JSON file named by `variable`, validated with `schema` (the error names the field), or `fallback`. */
function readJsonFile<T extends z.ZodType>(
  variable: string,
  path: string | undefined,
  schema: T,
  fallback: z.infer<T>,
): z.infer<T> {
  if (path === undefined) return fallback;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${variable}: ${path} is not JSON (${(err as Error).message})`);
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new ConfigError(`${variable}: ${issue.path.join('.') || '(file)'}: ${issue.message} (in ${path})`);
}

/**
 * Reads and validates the whole configuration once. Fails with a ConfigError whose message names
 * the first bad variable and its rule; nothing has been started when it throws.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const e = parseEnv(envSchema, env);
  const serviceEnv = parseEnv(serviceSchema, env);
  const tlsParts = {
    clientCertPath: e.TEMPORAL_TLS_CERT_PATH,
    clientKeyPath: e.TEMPORAL_TLS_KEY_PATH,
    caPath: e.TEMPORAL_TLS_CA_PATH,
    serverName: e.TEMPORAL_TLS_SERVER_NAME,
  };
  const routing = readJsonFile('APPROVAL_ROUTING_FILE', e.APPROVAL_ROUTING_FILE, routingConfig, defaultRouting);
  const payment = {
    unpaidDeadline: e.ORDER_UNPAID_DEADLINE,
    callbackTimeout: e.PAYMENT_CALLBACK_TIMEOUT,
    poll: { initial: e.PAYMENT_POLL_INITIAL, max: e.PAYMENT_POLL_MAX },
  };
  const wantsTls = Object.values(tlsParts).some((v) => v !== undefined) || e.TEMPORAL_API_KEY !== undefined;
  const services = Object.fromEntries(
    serviceNames.map((s) => {
      const p = serviceEnv[portVar(s)] as number;
      const url = (serviceEnv[urlVar(s)] as string | undefined) ?? `http://${e.SERVICES_HOST}:${p}`;
      return [s, { host: e.SERVICES_HOST, port: p, url }];
    }),
  ) as AppConfig['services'];
  const tokensPath = e.SERVICE_TOKENS_FILE ?? devServiceTokensPath(e.DATA_DIR);
  const serviceTokens = existsSync(tokensPath)
    ? { file: tokensPath, ...readJsonFile('SERVICE_TOKENS_FILE', tokensPath, serviceTokensFile, { callers: {} }) }
    : undefined;
  return {
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      uiPort: e.TEMPORAL_UI_PORT,
      engine: e.TEMPORAL_ENGINE,
      ...(e.WORKFLOW_BUNDLE_PATH !== undefined ? { workflowBundlePath: e.WORKFLOW_BUNDLE_PATH } : {}),
      ...(wantsTls ? { tls: tlsParts } : {}),
      ...(e.TEMPORAL_API_KEY !== undefined ? { apiKey: e.TEMPORAL_API_KEY } : {}),
    },
    database: {
      url: e.DATABASE_URL ?? localDatabaseUrl(e.PG_PORT, 'saga'),
      local: e.DATABASE_URL === undefined,
      localPort: e.PG_PORT,
      name: e.DATABASE_URL === undefined ? 'saga' : new URL(e.DATABASE_URL).pathname.slice(1),
    },
    dataDir: e.DATA_DIR,
    redis: {
      url: e.REDIS_URL ?? `redis://127.0.0.1:${e.REDIS_PORT}`,
      local: e.REDIS_URL === undefined,
      localPort: e.REDIS_PORT,
    },
    flashSale: {
      gateShards: e.FLASH_SALE_GATE_SHARDS,
      checkIntervalMs: e.FLASH_SALE_GATE_CHECK_INTERVAL,
      quietMs: e.FLASH_SALE_GATE_QUIET,
    },
    logLevel: e.LOG_LEVEL,
    payloadKeys: e.PAYLOAD_KEYS ?? [],
    codecServer: {
      host: e.SERVICES_HOST,
      port: e.CODEC_SERVER_PORT,
      url: `http://${e.SERVICES_HOST}:${e.CODEC_SERVER_PORT}`,
      token: e.CODEC_SERVER_TOKEN,
      // The dev server's Web UI, by either name of this machine.
      origins: [`http://127.0.0.1:${e.TEMPORAL_UI_PORT}`, `http://localhost:${e.TEMPORAL_UI_PORT}`],
    },
    services,
    gateway: {
      secret: e.PAYMENTS_WEBHOOK_SECRET,
      callbackUrl: e.PAYMENTS_CALLBACK_URL ?? `${services.billing.url}/callbacks/gateway`,
      toleranceSeconds: e.CALLBACK_TOLERANCE_SECONDS,
      timings: {
        settleMs: e.GATEWAY_SETTLE_MS,
        callbackDelayMs: e.GATEWAY_CALLBACK_DELAY_MS,
        lateMs: e.GATEWAY_LATE_MS,
        hangMs: e.GATEWAY_HANG_MS,
      },
    },
    payment,
    ...(e.METRICS_PORT > 0 ? { metricsAddress: `${e.SERVICES_HOST}:${e.METRICS_PORT}` } : {}),
    ...(serviceTokens !== undefined ? { serviceTokens } : {}),
    nats: {
      servers: e.NATS_URL ?? [`nats://127.0.0.1:${e.NATS_PORT}`],
      local: e.NATS_URL === undefined,
      localPort: e.NATS_PORT,
      ...(e.NATS_USER !== undefined ? { user: e.NATS_USER, password: e.NATS_PASSWORD } : {}),
      ...(e.NATS_TOKEN !== undefined ? { token: e.NATS_TOKEN } : {}),
    },
    activity: { host: e.SERVICES_HOST, port: e.ACTIVITY_PORT, url: `http://${e.SERVICES_HOST}:${e.ACTIVITY_PORT}` },
    api: {
      host: e.SERVICES_HOST,
      port: e.API_PORT,
      url: `http://${e.SERVICES_HOST}:${e.API_PORT}`,
      clients: readJsonFile('API_TOKENS_FILE', e.API_TOKENS_FILE, apiClients, [devApiClient]),
    },
    approvals: { routing, slaPerLevelMs: e.APPROVAL_SLA_PER_LEVEL, deadlineMs: e.APPROVAL_DEADLINE },
    refunds: {
      approvalThresholdCents: e.REFUND_APPROVAL_THRESHOLD_CENTS,
      routing,
      approvalSlaPerLevelMs: e.APPROVAL_SLA_PER_LEVEL,
      approvalDeadlineMs: e.APPROVAL_DEADLINE,
      payment,
    },
    retention: {
      intervalMs: e.RETENTION_INTERVAL,
      batchSize: e.RETENTION_BATCH_SIZE,
      windows: {
        idempotencyKeys: e.RETAIN_IDEMPOTENCY_KEYS,
        tccBarrier: e.RETAIN_TCC_BARRIER,
        callbacks: e.RETAIN_CALLBACKS,
      },
    },
    reconciliation: {
      intervalMs: e.RECONCILE_INTERVAL,
      lookbackMs: e.RECONCILE_LOOKBACK ?? 2 * e.RECONCILE_INTERVAL,
      unpaidPolicy: e.RECONCILE_UNPAID_POLICY,
    },
  };
}

/** Where the dev stack keeps the service tokens it generates, unless SERVICE_TOKENS_FILE says otherwise. */
export function devServiceTokensPath(dataDir: string): string {
  return join(dataDir, 'service-tokens.json');
}

/**
 * The service tokens, or a ConfigError naming SERVICE_TOKENS_FILE: a process that serves or calls
 * the participant services cannot start without them.
 */
export function requireServiceTokens(config: AppConfig): ServiceTokens {
  if (config.serviceTokens !== undefined) return config.serviceTokens;
  throw new ConfigError(
    `SERVICE_TOKENS_FILE: must be set (or ${devServiceTokensPath(config.dataDir)} exist; npm start writes one)`,
  );
}

/** The bearer token `caller` sends to the services, or a ConfigError naming the missing caller. */
export function serviceTokenOf(config: AppConfig, caller: string): string {
  const tokens = requireServiceTokens(config);
  const token = tokens.callers[caller];
  if (token === undefined)
    throw new ConfigError(`SERVICE_TOKENS_FILE: callers: has no token for ${caller} (in ${tokens.file})`);
  return token;
}

/** Each service's base URL, as activities reach it. */
export function serviceUrls(services: AppConfig['services']): Record<ServiceName, string> {
  return Object.fromEntries(serviceNames.map((n) => [n, services[n].url])) as Record<ServiceName, string>;
}
