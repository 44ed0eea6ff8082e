import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import type { ManagedProcess } from '../../provision/process';
import { projectRoot } from '../../provision/tools';
import { TASK_QUEUE } from '../settings';
import { startWorker, type Stack } from '../stack';

export interface StartupResult {
  bundleAtStartMs: number;
  prebuiltBundleMs: number;
  /** Wall time of one `saga` CLI call, median of several, run as `npm run saga` runs it (node + tsx). */
  cli: { helpMs: number; listMs: number };
}

/** The median wall time of `runs` runs of the CLI with these arguments, against the stack's server. */
function cliMs(stack: Stack, args: string[], runs = 5): number {
  const env = { ...process.env, TEMPORAL_ADDRESS: stack.temporal.server.address, TEMPORAL_TASK_QUEUE: TASK_QUEUE };
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'apps/cli/index.ts', ...args], { cwd: projectRoot, env });
    if (r.status !== 0) throw new Error(`saga ${args.join(' ')} exited ${r.status}: ${String(r.stderr)}`);
    times.push(performance.now() - started);
  }
  return Math.round(times.sort((a, b) => a - b)[Math.floor(runs / 2)]!);
}

/**
 * Worker startup: bundling at start against loading a prebuilt bundle, and the operator CLI's start
 * (`--help`, and `list` with one round trip to the server). Leaves the prebuilt worker running for
 * the other workloads and answers it with the times.
 */
export async function startup(stack: Stack): Promise<{ worker: ManagedProcess; result: StartupResult }> {
  const built = await startWorker(stack, 'build');
  await built.proc.stop();
  const prebuilt = await startWorker(stack, 'prebuilt');
  console.log(`bench: worker ready in ${built.startupMs} ms bundling, ${prebuilt.startupMs} ms prebuilt`);
  const cli = { helpMs: cliMs(stack, ['--help']), listMs: cliMs(stack, ['list', '--limit', '1']) };
  console.log(`bench: saga CLI in ${cli.helpMs} ms (--help), ${cli.listMs} ms (list)`);
  return {
    worker: prebuilt.proc,
    result: { bundleAtStartMs: built.startupMs, prebuiltBundleMs: prebuilt.startupMs, cli },
  };
}
