import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
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

/** Writes bench/results/<date>-<name>.json and .md, and .png when there is a chart. */
export function writeResult(name: string, date: string, json: unknown, markdown: string[], chart?: Buffer): void {
  const dir = join(projectRoot, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const day = date.slice(0, 10);
  writeFileSync(join(dir, `${day}-${name}.json`), JSON.stringify(json, null, 2) + '\n');
  writeFileSync(join(dir, `${day}-${name}.md`), markdown.join('\n') + '\n');
  if (chart) writeFileSync(join(dir, `${day}-${name}.png`), chart);
}
