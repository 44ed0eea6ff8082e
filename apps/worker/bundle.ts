import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { workflowsPath } from './worker';

const projectRoot = resolve(import.meta.dirname, '../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/**
 * Bundles the workflows once and reuses the bundle (in `.data/bundles/`) while no file it can depend
 * on changed, so every test tier, test file and replay loads the same prebuilt code instead of
 * bundling again. `entry` is another bundle's entry file (the benchmark's), whose folder then
 * counts too.
 */
export async function workflowBundlePath(entry: string = workflowsPath): Promise<string> {
  const hash = createHash('sha256');
  // Everything the workflow bundle may import: the workflows, their contracts and the activity types.
  const dirs = ['workflows', 'contracts', 'activities'];
  if (entry !== workflowsPath) dirs.push(relative(projectRoot, dirname(entry)));
  for (const dir of dirs) {
    for (const file of sourceFiles(join(projectRoot, dir))) hash.update(file).update(readFileSync(file));
  }
  hash.update(readFileSync(join(projectRoot, 'package-lock.json')));
  const outDir = join(projectRoot, '.data', 'bundles');
  const name = entry === workflowsPath ? 'workflow-bundle' : `${basename(entry, '.ts')}-bundle`;
  const out = join(outDir, `${name}-${hash.digest('hex').slice(0, 16)}.js`);
  if (!existsSync(out)) {
    mkdirSync(outDir, { recursive: true });
    const { code } = await bundleWorkflowCode({ workflowsPath: entry, logger: new DefaultLogger('WARN') });
    writeFileSync(`${out}.tmp`, code);
    renameSync(`${out}.tmp`, out);
  }
  return out;
}
