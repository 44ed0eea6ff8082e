import { SearchAttributeType } from '@temporalio/common';
import { searchAttributes } from '../contracts/search-attributes';
import { loadDynamicConfig, type DynamicValue } from './dynamic-config';

/** How the dev server's `--search-attribute name=Type` flag spells each type. */
const cliTypeName: Record<SearchAttributeType, string> = {
  [SearchAttributeType.TEXT]: 'Text',
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.DOUBLE]: 'Double',
  [SearchAttributeType.BOOL]: 'Bool',
  [SearchAttributeType.DATETIME]: 'Datetime',
  [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
};

/**
 * Dynamic config the project relies on, from the file both servers use
 * (temporal-config/dynamic-config.yaml; the same keys go into a cluster's dynamic config, see
 * README, "Running on a Temporal cluster").
 */
export const dynamicConfig: Record<string, DynamicValue> = loadDynamicConfig();

export interface DevServerOptions {
  ip: string;
  port: number;
  /** Web UI port; omit for a headless server (tests). */
  uiPort?: number;
  /** The codec server the Web UI sends payloads to for decoding (`--ui-codec-endpoint`). */
  uiCodecEndpoint?: string;
  namespace: string;
  /** SQLite file that keeps state across restarts; omit for an in-memory server (tests). */
  dbFile?: string;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** SQLite pragmas for the file (`synchronous`, `journal_mode`), e.g. for a durable benchmark. */
  sqlitePragmas?: Record<string, string>;
  /** Dynamic config on top of the project's (the benchmark turns on eager workflow start). */
  extraDynamicConfig?: Record<string, DynamicValue>;
}

/** Arguments for `temporal server start-dev` with our search attributes and dynamic config. */
export function devServerArgs(opts: DevServerOptions): string[] {
  const args = ['server', 'start-dev', '--ip', opts.ip, '--port', String(opts.port), '--namespace', opts.namespace];
  args.push('--log-level', opts.logLevel ?? 'warn');
  if (opts.uiPort === undefined) args.push('--headless');
  else args.push('--ui-ip', opts.ip, '--ui-port', String(opts.uiPort), '--ui-disable-news-fetch');
  if (opts.uiPort !== undefined && opts.uiCodecEndpoint !== undefined)
    args.push('--ui-codec-endpoint', opts.uiCodecEndpoint);
  if (opts.dbFile !== undefined) args.push('--db-filename', opts.dbFile);
  for (const key of searchAttributes) args.push('--search-attribute', `${key.name}=${cliTypeName[key.type]}`);
  for (const [key, value] of Object.entries(opts.sqlitePragmas ?? {})) args.push('--sqlite-pragma', `${key}=${value}`);
  for (const [key, value] of Object.entries({ ...dynamicConfig, ...opts.extraDynamicConfig })) {
    args.push('--dynamic-config-value', `${key}=${JSON.stringify(value)}`);
  }
  return args;
}
