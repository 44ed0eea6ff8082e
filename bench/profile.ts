import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createActivities, serviceDeps } from '../activities';
import { runMain } from '../config/entry';
import { workflowBundlePath } from '../apps/worker/bundle';
import { projectRoot } from '../provision/tools';
import { benchWorkflowsPath } from './activities';
import { closedLoop, round } from './loops';
import { machine, writeResult } from './machine';
import { ProcessMeter, selfMeter } from './procs';
import { settings } from './settings';
import { bringUp, startWorker } from './stack';
import { baseSystems } from './systems';

/** A V8 CPU profile as `--cpu-prof` writes it. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a function's code lives: an npm package, our own folder, Node itself, or the VM's bookkeeping. */
function owner(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node: builtins';
  // The prebuilt workflow bundle (our workflows with the SDK's workflow runtime) in the sandbox.
  if (url.includes('/.data/') || url.startsWith('evalmachine')) return 'workflow bundle (sandbox)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const ours = url.replace(/^file:\/\//, '').replace(`${projectRoot}/`, '');
  return ours.split('/')[0] ?? ours;
}

/** Self time per function and per owner, in milliseconds, from a profile's samples. */
function selfTimes(profiles: CpuProfile[]) {
  const fn = new Map<string, number>();
  const own = new Map<string, number>();
  let total = 0;
  for (const profile of profiles) {
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    profile.samples.forEach((id, i) => {
      const ms = (profile.timeDeltas[i] ?? 0) / 1000;
      const node = byId.get(id);
      // Idle time is the thread waiting for work: not a cost.
      if (!node || node.callFrame.functionName === '(idle)') return;
      total += ms;
      const { functionName, url, lineNumber } = node.callFrame;
      const name = `${functionName || '(anonymous)'} ${owner(url, functionName)}${url ? `:${lineNumber + 1}` : ''}`;
      fn.set(name, (fn.get(name) ?? 0) + ms);
      const o = owner(url, functionName);
      own.set(o, (own.get(o) ?? 0) + ms);
    });
  }
  const top = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, ms]) => ({ name, ms: round(ms), share: round((ms / total) * 100) }));
  return { totalMs: round(total), functions: top(fn, 20), owners: top(own, 15) };
}

/**
 * `node --import tsx bench/profile.ts`: the benchmark's worker under `--cpu-prof` while
 * `BENCH_PROFILE_SAGAS` (300) paymentSagas run, four at a time, on the dev server; writes where its
 * CPU goes (self time per package and per function) to <results>/<date>-worker-profile.{json,md}.
 */
async function run(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const started = new Date().toISOString();
  const sagas = Number(process.env.BENCH_PROFILE_SAGAS ?? (settings.quick ? 8 : 300));
  const dir = join(projectRoot, '.data', 'bench', 'cpu-profile');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  await workflowBundlePath(benchWorkflowsPath);
  const stack = await bringUp(Date.now().toString(36));
  let usage: Record<string, number> = {};
  try {
    const worker = await startWorker(stack, 'prebuilt', ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
    try {
      await fetch(`${stack.urls.inventory}/stock/BENCH-A`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.tokens.callers.operator!}` },
        body: JSON.stringify({ available: 1_000_000_000 }),
      });
      await fetch(`${stack.urls.inventory}/stock/BENCH-B`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.tokens.callers.operator!}` },
        body: JSON.stringify({ available: 1_000_000_000 }),
      });
      const act = createActivities(serviceDeps(stack.urls, stack.tokens.callers.worker!));
      const meters = [new ProcessMeter('worker', worker.proc.child.pid!), selfMeter];
      const r = await closedLoop(stack, meters, baseSystems(stack.temporal.client, act).ours, {
        sagas,
        concurrency: 4,
        prefix: 'prof',
      });
      usage = r.usage.cpuSeconds;
      console.log(`bench profile: ${sagas} sagas, ${r.sagasPerSecond}/s, worker ${usage.worker} CPU s`);
    } finally {
      await worker.proc.stop(30_000); // the profile is written as the worker exits
    }
  } finally {
    await stack.close();
  }
  // One profile per thread: the main one (activities, the SDK's plumbing) and the workflow threads.
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) throw new Error(`no .cpuprofile written in ${dir}`);
  const times = selfTimes(files.map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile));
  const perSaga = (ms: number) => round(ms / sagas, 2);
  const lines = [
    `# Worker CPU profile, ${started.slice(0, 10)}`,
    '',
    `Machine: ${machine().cores} cores (${machine().cpu ?? 'unknown'}), Node ${machine().node}. ${sagas} paymentSagas, four at a time, on the dev server; the worker ran under \`--cpu-prof\` (${times.totalMs} ms sampled over ${files.length} JavaScript threads, main and workflow threads, ${perSaga(times.totalMs)} ms per saga; the Rust core's own threads are not sampled, so the worker's CPU seconds above exceed the sampled time).`,
    '',
    '## Self time by where the code lives',
    '',
    '| owner | ms | ms per saga | share % |',
    '| ----- | -- | ----------- | ------- |',
    ...times.owners.map((o) => `| ${o.name} | ${o.ms} | ${perSaga(o.ms)} | ${o.share} |`),
    '',
    '## The 20 functions with the most self time',
    '',
    '| function | ms | share % |',
    '| -------- | -- | ------- |',
    ...times.functions.map((f) => `| \`${f.name}\` | ${f.ms} | ${f.share} |`),
  ];
  writeResult('worker-profile', started, { date: started, machine: machine(), sagas, usage, ...times }, lines);
}

runMain(run);
