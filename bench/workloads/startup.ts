import type { ManagedProcess } from '../../provision/process';
import { startWorker, type Stack } from '../stack';

/**
 * Worker startup: bundling at start against loading a prebuilt bundle. Leaves the prebuilt worker
 * running for the other workloads and answers it with both times.
 */
export async function startup(stack: Stack): Promise<{
  worker: ManagedProcess;
  result: { bundleAtStartMs: number; prebuiltBundleMs: number };
}> {
  const built = await startWorker(stack, 'build');
  await built.proc.stop();
  const prebuilt = await startWorker(stack, 'prebuilt');
  console.log(`bench: worker ready in ${built.startupMs} ms bundling, ${prebuilt.startupMs} ms prebuilt`);
  return { worker: prebuilt.proc, result: { bundleAtStartMs: built.startupMs, prebuiltBundleMs: prebuilt.startupMs } };
}
