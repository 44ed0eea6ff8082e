import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createActivities, serviceDeps } from '../activities';
import { runMain } from '../config/entry';
import { workflowBundlePath } from '../apps/worker/bundle';
import { benchWorkflowsPath } from './activities';
import { closedLoop, round, summary, type RunResult } from './loops';
import { machine, writeResult } from './machine';
import { ProcessMeter, selfMeter } from './procs';
import { settings } from './settings';
import { bringUp, startWorker, type BenchEngine } from './stack';
import { baseSystems } from './systems';
import type { BenchContext } from './workloads/context';
import { capacity, type CapacityResult } from './workloads/w2-capacity';

/** The engines compared side by side, in one run on one machine. */
const engines: { name: string; engine: BenchEngine }[] = [
  {
    name: 'dev server, default queue readers',
    // Temporal's defaults: each shard's queue readers load at most 20 times a second.
    engine: {
      engine: 'dev',
      dynamicConfig: {
        'history.transferProcessorMaxPollRPS': 20,
        'history.timerProcessorMaxPollRPS': 20,
        'history.visibilityProcessorMaxPollRPS': 20,
      },
    },
  },
  { name: 'dev server, queue readers raised', engine: { engine: 'dev' } },
  { name: 'production server on PostgreSQL', engine: { engine: 'server' } },
];

const engineLatencySagas = Number(process.env.BENCH_ENGINES_W1_SAGAS ?? (settings.quick ? 4 : 200));

interface EngineResult {
  engine: string;
  latency: RunResult[];
  capacity: CapacityResult;
}

/**
 * `npm run bench` part: (a) plain, (b) the engine floor and (c) paymentSaga (and its
 * local-activities variant) on each engine in `engines`, one after the other in one run: W1 one
 * saga at a time (`BENCH_ENGINES_W1_SAGAS`, 200) and W2's open loop (`BENCH_RATES`), with CPU
 * seconds per saga per process. Writes <results>/<date>-engines.{json,md}.
 */
async function run(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const started = new Date().toISOString();
  await workflowBundlePath(benchWorkflowsPath);
  const results: EngineResult[] = [];
  for (const { name, engine } of engines) {
    console.log(`bench engines: ${name}`);
    const stack = await bringUp(Date.now().toString(36), engine);
    let worker: Awaited<ReturnType<typeof startWorker>> | undefined;
    try {
      worker = await startWorker(stack, 'prebuilt');
      const meters = [
        new ProcessMeter('worker', worker.proc.child.pid!),
        new ProcessMeter('temporal', stack.temporal.server.process.child.pid!),
        new ProcessMeter('postgres', stack.postmasterPid),
        new ProcessMeter('services', stack.services.child.pid!),
        selfMeter,
      ];
      for (const sku of ['BENCH-A', 'BENCH-B']) {
        await fetch(`${stack.urls.inventory}/stock/${sku}`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.tokens.callers.operator!}` },
          body: JSON.stringify({ available: 1_000_000_000 }),
        });
      }
      const act = createActivities(serviceDeps(stack.urls, stack.tokens.callers.worker!));
      const systems = baseSystems(stack.temporal.client, act);
      const ctx: BenchContext = { stack, meters, act, systems, settings };
      const all = [...systems.trio, systems.saga('c local activities', true)];
      const latency: RunResult[] = [];
      for (const s of all) {
        await closedLoop(stack, meters, s, { sagas: settings.warmup, concurrency: 1, prefix: `warm-${s.name}` });
        const r = summary(
          await closedLoop(stack, meters, s, { sagas: engineLatencySagas, concurrency: 1, prefix: 'e1' }),
        );
        console.log(
          `  ${s.name}: p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, ${r.cpuSecondsPerSaga} CPU s/saga`,
        );
        latency.push(r);
      }
      results.push({ engine: name, latency, capacity: await capacity(ctx) });
    } finally {
      await worker?.proc.stop();
      await stack.close();
    }
  }
  const report = {
    scenario: 'engines',
    date: started,
    machine: machine(),
    settings: { ...settings, engineLatencySagas },
    results,
  };
  writeResult('engines', started, report, renderEngines(report));
}

/** CPU seconds per saga of one process in a run. */
const per = (usage: { cpuSeconds: Record<string, number> }, sagas: number, proc: string) =>
  round((usage.cpuSeconds[proc] ?? 0) / sagas, 3);
const processes = ['worker', 'temporal', 'postgres', 'services', 'load generator'];

function renderEngines(report: {
  date: string;
  machine: ReturnType<typeof machine>;
  results: EngineResult[];
}): string[] {
  const m = report.machine;
  const lines = [
    `# Engines side by side, ${report.date.slice(0, 10)}`,
    '',
    `Machine: ${m.cores} cores (${m.cpu ?? 'unknown'}), ${m.memoryGiB} GiB, Node ${m.node}. Every process on this one machine, one engine after the other in one run.`,
    '',
    'Engines: the dev server (`temporal server start-dev`, SQLite file) with Temporal’s default queue-reader limits',
    '(20 loads/s per shard), the same with the limits of temporal-config/dynamic-config.yaml (1000/s), and the',
    'production server (`temporal-server` v1.32, 16 shards) on the same PostgreSQL cluster as the services.',
    '',
    '## Capacity (highest open-loop rate kept up: completions within 5 % of arrivals, p99 under 1 s)',
    '',
    '| engine | a plain | b engine floor | c paymentSaga | c local activities | c / b | c / a |',
    '| ------ | ------- | -------------- | ------------- | ------------------ | ----- | ----- |',
  ];
  for (const r of report.results) {
    const c = r.capacity.capacity;
    const [a, b, ours, local] = ['a plain', 'b engine floor', 'c paymentSaga', 'c local activities'].map(
      (k) => c[k] ?? 0,
    );
    lines.push(
      `| ${r.engine} | ${a} | ${b} | ${ours} | ${local} | ${b ? round(ours! / b, 2) : '–'} | ${a ? round(ours! / a, 2) : '–'} |`,
    );
  }
  lines.push(
    '',
    '## One saga at a time: latency and CPU seconds per saga, per process',
    '',
    `| engine | system | sagas | p50 ms | p99 ms | p99/p50 | history events | CPU s/saga | ${processes.map((p) => `CPU ${p}`).join(' | ')} |`,
    `| ------ | ------ | ----- | ------ | ------ | ------- | -------------- | ---------- | ${processes.map(() => '---').join(' | ')} |`,
  );
  for (const r of report.results) {
    for (const l of r.latency) {
      lines.push(
        `| ${r.engine} | ${l.system} | ${l.sagas} | ${l.latencyMs.p50} | ${l.latencyMs.p99} | ${round(l.latencyMs.p99 / l.latencyMs.p50, 2)} | ${l.historyEventsPerSaga ?? '–'} | ${l.cpuSecondsPerSaga} | ${processes.map((p) => per(l.usage, l.sagas, p)).join(' | ')} |`,
      );
    }
  }
  lines.push(
    '',
    '## Open loop: every step',
    '',
    `| engine | system | rate/s | done/s | p50 ms | p99 ms | keeps up | ${processes.map((p) => `CPU ${p}/saga`).join(' | ')} |`,
    `| ------ | ------ | ------ | ------ | ------ | ------ | -------- | ${processes.map(() => '---').join(' | ')} |`,
  );
  for (const r of report.results) {
    for (const s of r.capacity.steps) {
      lines.push(
        `| ${r.engine} | ${s.system} | ${s.rate} | ${s.sagasPerSecond} | ${s.latencyMs.p50} | ${s.latencyMs.p99} | ${s.keepsUp ? 'yes' : 'no'} | ${processes.map((p) => per(s.usage, s.sagas, p)).join(' | ')} |`,
      );
    }
  }
  return lines;
}

runMain(run);
