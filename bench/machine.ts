import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Pool } from '../services/shared/db';
import { projectRoot } from '../provision/tools';

/** The machine a result was measured on. */
export function machine() {
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
}

/** PostgreSQL's durability settings, recorded with every result. */
export async function durability(pool: Pool): Promise<Record<string, string>> {
  const settings: Record<string, string> = {};
  for (const name of ['fsync', 'synchronous_commit', 'full_page_writes']) {
    const { rows } = await pool.query<Record<string, string>>(`SHOW ${name}`);
    settings[name] = rows[0]?.[name] ?? 'unknown';
  }
  return settings;
}

/**
 * Where results go: `BENCH_RESULTS_DIR`, else a temporary folder for a quick run (its numbers
 * measure nothing and must not land next to real results), else bench/results/.
 */
export function resultsDir(): string {
  if (process.env.BENCH_RESULTS_DIR) return process.env.BENCH_RESULTS_DIR;
  return process.env.BENCH_QUICK === '1' ? join(tmpdir(), 'saga-bench-quick') : join(projectRoot, 'bench', 'results');
}

/** Writes <results>/<date>-<name>.json and .md, and .png when there is a chart (see `resultsDir`). */
export function writeResult(name: string, date: string, json: unknown, markdown: string[], chart?: Buffer): void {
  const dir = resultsDir();
  mkdirSync(dir, { recursive: true });
  const day = date.slice(0, 10);
  writeFileSync(join(dir, `${day}-${name}.json`), JSON.stringify(json, null, 2) + '\n');
  writeFileSync(join(dir, `${day}-${name}.md`), markdown.join('\n') + '\n');
  if (chart) writeFileSync(join(dir, `${day}-${name}.png`), chart);
}
