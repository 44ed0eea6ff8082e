import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { projectRoot } from '../provision/tools';
import { workflowsPath } from './worker';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/**
 * Bundles the workflows once and reuses the bundle (in `.data/bundles/`) while no file it can depend
 * on changed, so every test tier, test file and replay loads the same prebuilt code instead of
 * bundling again.
 */
export async function workflowBundlePath(): Promise<string> {
  const hash = createHash('sha256');
  for (const dir of ['workflows', 'domain', 'temporal-config', 'activities', 'services']) {
    for (const file of sourceFiles(join(projectRoot, dir))) hash.update(file).update(readFileSync(file));
  }
  hash.update(readFileSync(join(projectRoot, 'package-lock.json')));
  const outDir = join(projectRoot, '.data', 'bundles');
  const out = join(outDir, `workflow-bundle-${hash.digest('hex').slice(0, 16)}.js`);
  if (!existsSync(out)) {
    mkdirSync(outDir, { recursive: true });
    const { code } = await bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
    writeFileSync(`${out}.tmp`, code);
    renameSync(`${out}.tmp`, out);
  }
  return out;
}
