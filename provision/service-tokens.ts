import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { devCallers, generateServiceTokens } from '../config/service-tokens';

/**
 * Writes fresh service tokens to `path` (owner-only, 0600) unless a file is already there, which
 * is kept (only a dev caller it lacks is added): the dev stack's first start makes them, every
 * later start reuses them. Returns whether it wrote.
 */
export function ensureServiceTokensFile(path: string): boolean {
  if (existsSync(path)) {
    // A file an earlier version wrote may lack a caller added since: give it one, keep the rest.
    const file = JSON.parse(readFileSync(path, 'utf8')) as { callers?: Record<string, string> };
    const fresh = generateServiceTokens().callers;
    const missing = devCallers.filter((c) => file.callers !== undefined && !(c in file.callers));
    if (missing.length === 0 || file.callers === undefined) return false;
    for (const c of missing) file.callers[c] = fresh[c];
    writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
    return true;
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(generateServiceTokens(), null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  return true;
}
