import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createActivities, serviceDeps } from '../activities';
import { runMain } from '../config/entry';
import { workflowBundlePath } from '../apps/worker/bundle';
import { smallMachineTuning } from '../apps/worker/tuning';
import type { ManagedProcess } from '../provision/process';
import { benchWorkflowsPath } from './activities';
import { measureBackgroundCommits } from './loops';
import { machine, resultsDir, writeResult } from './machine';
import { ProcessMeter, selfMeter } from './procs';
import { renderReport } from './report';
import { settings, sqlitePragmas } from './settings';
import { bringUp } from './stack';
import { baseSystems } from './systems';
import type { BenchContext } from './workloads/context';
import { startup } from './workloads/startup';
import { latency } from './workloads/w1-latency';
import { capacity } from './workloads/w2-capacity';
import { length } from './workloads/w3-length';
import { compensation } from './workloads/w4-compensation';
import { soak } from './workloads/soak';

/**
 * The saga benchmark: (a) plain calls, (b) the engine floor and (c) our paymentSaga on one stack,
 * each part its own measured process, through the workloads in `BENCH_WORKLOADS` (see
 * bench/workloads/). Writes <results>/<date>-<BENCH_NAME or sagas>.{json,md,png}.
 */
async function run(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') }); // the in-process eager worker's
  const nonce = Date.now().toString(36);
  const started = new Date().toISOString();
  console.log(`bench: bringing up PostgreSQL, Temporal (SQLite ${JSON.stringify(sqlitePragmas)}), services`);
  // Bundle once up front, so the prebuilt variant loads a file like a deployed worker would.
  await workflowBundlePath(benchWorkflowsPath);
  const stack = await bringUp(nonce);
  const results: Record<string, unknown> = {};
  let worker: ManagedProcess | undefined;
  try {
    const up = await startup(stack);
    worker = up.worker;
    results.startup = up.result;
    results.backgroundCommitsPerSecond = await measureBackgroundCommits(stack, settings.idleSeconds);
    console.log(
      `bench: ${String(results.backgroundCommitsPerSecond)} PostgreSQL commits/s with no saga running (taken out of each run)`,
    );

    const meters = [
      new ProcessMeter('worker', worker.child.pid!),
      new ProcessMeter('temporal', stack.temporal.server.process.child.pid!),
      new ProcessMeter('postgres', stack.postmasterPid),
      new ProcessMeter('services', stack.services.child.pid!),
      selfMeter,
    ];
    for (const sku of ['BENCH-A', 'BENCH-B', 'BENCH-CHAIN']) {
      await fetch(`${stack.urls.inventory}/stock/${sku}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.tokens.callers.operator!}` },
        body: JSON.stringify({ available: 1_000_000_000 }),
      });
    }
    const act = createActivities(serviceDeps(stack.urls, stack.tokens.callers.worker!));
    const ctx: BenchContext = { stack, meters, act, systems: baseSystems(stack.temporal.client, act), settings };
    const wanted = (w: string) => settings.workloads.includes(w);

    if (wanted('W1')) results.W1 = await latency(ctx);
    const w2 = wanted('W2') ? await capacity(ctx) : undefined;
    if (w2) results.W2 = w2;
    if (wanted('W3')) results.W3 = await length(ctx);
    if (wanted('W4')) results.W4 = await compensation(ctx);
    if (wanted('soak') && settings.soakMinutes > 0) results.soak = await soak(ctx, w2?.capacity[ctx.systems.ours.name]);

    const pgSettings = await stack.pool.query<{ name: string; setting: string }>(
      `SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'max_connections', 'shared_buffers')`,
    );
    const report = {
      scenario: process.env.BENCH_NAME ?? 'sagas',
      date: started,
      machine: machine(),
      durability: {
        postgres: Object.fromEntries(pgSettings.rows.map((r) => [r.name, r.setting])),
        temporal: `dev server (temporal CLI), SQLite file with ${Object.entries(sqlitePragmas)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')}: every commit is fsynced`,
      },
      settings: { ...settings, workerTuning: smallMachineTuning, gatewaySettleMs: 0, gatewayTickMs: 50 },
      results,
    };
    const { markdown, chart } = await renderReport(report);
    const name = process.env.BENCH_NAME ?? 'sagas';
    writeResult(name, started, report, markdown, chart);
    console.log(`bench: results in ${resultsDir()}/${started.slice(0, 10)}-${name}.{json,md,png}`);
  } finally {
    await worker?.stop();
    await stack.close();
  }
}

runMain(run);
