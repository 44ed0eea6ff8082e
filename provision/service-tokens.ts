import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { generateServiceTokens } from '../config/service-tokens';

/**
 * Writes fresh service tokens to `path` (owner-only, 0600) unless a file is already there, which
 * is kept as it is: the dev stack's first start makes them, every later start reuses them.
 * Returns whether it wrote one.
 */
export function ensureServiceTokensFile(path: string): boolean {
  if (existsSync(path)) return false;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(generateServiceTokens(), null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  return true;
}
