import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createActivities, serviceDeps } from '../activities';
import { runMain } from '../config/entry';
import { workflowBundlePath } from '../apps/worker/bundle';
import { benchWorkflowsPath } from './activities';
import { closedLoop, merge, openLoop, round, summary, type RunResult } from './loops';
import { machine, writeResult } from './machine';
import { ProcessMeter, selfMeter } from './procs';
import { settings } from './settings';
import type { ManagedProcess } from '../provision/process';
import { bringUp, startWorker, type BenchEngine, type Stack } from './stack';
import { baseSystems, type System } from './systems';
import type { CapacityResult } from './workloads/w2-capacity';

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
/** W1 runs in blocks of this many sagas per engine and system, interleaved, so drift hits all alike. */
const block = settings.quick ? 2 : 25;

interface EngineResult {
  engine: string;
  latency: RunResult[];
  capacity: CapacityResult;
}

/** One engine's stack, up for the whole run, with its worker, meters and systems. */
interface Running {
  name: string;
  stack: Stack;
  worker: ManagedProcess;
  meters: ProcessMeter[];
  systems: System[];
}

async function bringUpEngine(name: string, engine: BenchEngine, i: number): Promise<Running> {
  const stack = await bringUp(Date.now().toString(36), engine, `saga_bench_engine_${i}`);
  try {
    const worker = await startWorker(stack, 'prebuilt');
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
    const base = baseSystems(stack.temporal.client, act);
    return { name, stack, worker: worker.proc, meters, systems: [...base.trio, base.saga('c local activities', true)] };
  } catch (err) {
    await stack.close();
    throw err;
  }
}

/**
 * `npm run bench` part: (a) plain, (b) the engine floor and (c) paymentSaga (and its
 * local-activities variant) on each engine in `engines`, all up at once and measured interleaved
 * in one run (a machine that drifts slows every engine alike): W1 one saga at a time
 * (`BENCH_ENGINES_W1_SAGAS`, 200, in blocks of 25 per engine and system) and W2's open loop
 * (`BENCH_RATES`, each rate on every engine before the next), with CPU seconds per saga per
 * process. The PostgreSQL cluster is shared: its CPU per saga is counted for the whole cluster
 * during each run. Writes <results>/<date>-engines.{json,md}.
 */
async function run(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const started = new Date().toISOString();
  await workflowBundlePath(benchWorkflowsPath);
  const running: Running[] = [];
  try {
    for (const [i, { name, engine }] of engines.entries()) {
      console.log(`bench engines: bringing up ${name}`);
      running.push(await bringUpEngine(name, engine, i));
    }
    for (const r of running) {
      for (const s of r.systems)
        await closedLoop(r.stack, r.meters, s, { sagas: settings.warmup, concurrency: 1, prefix: `warm-${s.name}` });
    }
    console.log(
      `bench engines W1: ${engineLatencySagas} sagas one at a time per engine and system, interleaved in blocks of ${block}`,
    );
    const runs = new Map<string, RunResult[]>();
    const latencies = new Map<string, number[]>();
    for (let done = 0; done < engineLatencySagas; done += block) {
      for (const r of running) {
        for (const s of r.systems) {
          const k = `${r.name}/${s.name}`;
          const one = await closedLoop(r.stack, r.meters, s, {
            sagas: Math.min(block, engineLatencySagas - done),
            concurrency: 1,
            prefix: 'e1',
          });
          runs.set(k, [...(runs.get(k) ?? []), summary(one)]);
          latencies.set(k, [...(latencies.get(k) ?? []), ...one.raw]);
        }
      }
    }
    console.log(`bench engines W2: open loop at ${settings.rates.join(', ')} sagas/s, ${settings.stepSeconds} s each`);
    const steps = new Map<string, CapacityResult['steps']>(running.map((r) => [r.name, []]));
    const failed = new Set<string>();
    for (const rate of settings.rates) {
      for (const r of running) {
        for (const s of r.systems) {
          const k = `${r.name}/${s.name}`;
          if (failed.has(k)) continue;
          const step = await openLoop(r.stack, r.meters, s, rate, settings.stepSeconds);
          steps.get(r.name)!.push(step);
          console.log(
            `  ${k} @${rate}/s: ${step.sagasPerSecond}/s p50 ${step.latencyMs.p50} p99 ${step.latencyMs.p99}${step.keepsUp ? '' : '  (falls behind)'}`,
          );
          if (!step.keepsUp) failed.add(k);
        }
      }
      if (failed.size === running.length * 4) break;
    }
    const results: EngineResult[] = running.map((r) => {
      const own = steps.get(r.name)!;
      return {
        engine: r.name,
        latency: r.systems.map((s) => merge(runs.get(`${r.name}/${s.name}`)!, latencies.get(`${r.name}/${s.name}`)!)),
        capacity: {
          steps: own,
          capacity: Object.fromEntries(
            r.systems.map((s) => [
              s.name,
              Math.max(0, ...own.filter((x) => x.system === s.name && x.keepsUp).map((x) => x.rate)),
            ]),
          ),
        },
      };
    });
    const report = {
      scenario: 'engines',
      date: started,
      machine: machine(),
      settings: { ...settings, engineLatencySagas, block },
      results,
    };
    writeResult('engines', started, report, renderEngines(report));
  } finally {
    for (const r of running.reverse()) {
      await r.worker.stop();
      await r.stack.close();
    }
  }
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
    `Machine: ${m.cores} cores (${m.cpu ?? 'unknown'}), ${m.memoryGiB} GiB, Node ${m.node}. Every process on this one machine; the three engines up at once and measured interleaved (W1 in blocks of 25 sagas per engine and system, W2 each rate on every engine before the next), so a drift of the machine hits all alike. The PostgreSQL cluster is shared: its column counts the whole cluster during each run.`,
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
