import { spawn, type ChildProcess } from 'node:child_process';
import { inject } from 'vitest';
import { projectRoot } from '../../provision/tools';

/** The environment without the variables a test wants unset (its own DATABASE_URL, say). */
export function envWithout(...names: string[]): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const n of names) delete env[n];
  return env;
}

/** Runs a TypeScript entry file to its end and collects its exit code and output. */
export function runEntry(
  script: string,
  env: NodeJS.ProcessEnv,
  args: string[] = [],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: projectRoot, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A long-running command in its own process group, as a terminal would run it, with its output kept. */
export function startCommand(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): ChildProcess & { output(): string } {
  const child = spawn(command, args, { cwd: projectRoot, env, detached: true });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  return Object.assign(child, { output: () => output });
}

/**
 * A worker process (apps/worker/main.ts) on `taskQueue` of the server at `temporalAddress`, its
 * activities calling the services at `url(name)`, in its own process group (kill it with
 * `process.kill(-child.pid, 'SIGKILL')`).
 */
export function startWorkerProcess(opts: {
  temporalAddress: string;
  taskQueue: string;
  url(name: 'order' | 'inventory' | 'payments' | 'wallet' | 'coupon' | 'shipping'): string;
}): ChildProcess & { output(): string } {
  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: opts.temporalAddress,
    TEMPORAL_TASK_QUEUE: opts.taskQueue,
    WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath'),
    LOG_LEVEL: 'warn',
    METRICS_PORT: '0',
    ...Object.fromEntries(
      (['order', 'inventory', 'payments', 'wallet', 'coupon', 'shipping'] as const).map((s) => [
        `${s.toUpperCase()}_URL`,
        opts.url(s),
      ]),
    ),
  };
  return startCommand(process.execPath, ['--import', 'tsx', 'apps/worker/main.ts'], env);
}
