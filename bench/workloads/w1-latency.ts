import { flows } from '../../contracts/flows';
import { Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { workflowBundlePath } from '../../apps/worker/bundle';
import { smallMachineTuning } from '../../apps/worker/tuning';
import { paymentSaga } from '../../workflows';
import { benchWorkflowsPath, createBenchActivities } from '../activities';
import { closedLoop, merge, summary, type RunResult } from '../loops';
import { EAGER_QUEUE } from '../settings';
import { engineOutcome, order, type System } from '../systems';
import type { BenchContext } from './context';

/**
 * W1, latency: sagas one at a time per system, interleaved in blocks of 100 so that drift of the
 * machine hits every system alike; the variants of (c) (local activities, eager start) with fewer.
 */
export async function latency({ stack, meters, act, systems, settings }: BenchContext): Promise<RunResult[]> {
  const { trio, saga } = systems;
  // Eager start needs the worker in the starting process, on a connection shared with the client.
  const native = await NativeConnection.connect({ address: stack.temporal.server.address });
  try {
    const eagerWorker = await Worker.create({
      connection: native,
      taskQueue: EAGER_QUEUE,
      activities: { ...act, ...createBenchActivities() },
      workflowBundle: { codePath: await workflowBundlePath(benchWorkflowsPath) },
      ...smallMachineTuning,
    });
    const eagerClient = new Client({ connection: native });
    const eager: System = {
      name: 'c eager start',
      workflowId: (id) => flows.paymentSaga.id(id),
      run: (id, fail) =>
        engineOutcome(
          eagerClient.workflow
            .start(paymentSaga, {
              taskQueue: EAGER_QUEUE,
              workflowId: flows.paymentSaga.id(id),
              args: [order(id, fail), {}],
              requestEagerStart: true,
            })
            .then((h) => h.result()),
        ),
    };
    const all = [...trio, saga('c local activities', true), eager];
    return await eagerWorker.runUntil(async () => {
      console.log(
        `bench W1: ${settings.latencySagas} sagas one at a time per system, interleaved in blocks of 100 (its variants ${settings.variantSagas})`,
      );
      for (const s of all)
        await closedLoop(stack, meters, s, { sagas: settings.warmup, concurrency: 1, prefix: `warm-${s.name}` });
      const runs = new Map<string, RunResult[]>(all.map((s) => [s.name, []]));
      const latencies = new Map<string, number[]>(all.map((s) => [s.name, []]));
      const blocks = Math.ceil(settings.latencySagas / 100);
      for (let b = 0, done = 0; b < blocks; b++, done += 100) {
        for (const s of all) {
          const variant = !trio.includes(s);
          const block = variant
            ? Math.ceil(settings.variantSagas / blocks)
            : Math.min(100, settings.latencySagas - done);
          const r = await closedLoop(stack, meters, s, {
            sagas: block,
            concurrency: 1,
            prefix: `w1-${s.name.split(' ')[0]}`,
          });
          runs.get(s.name)!.push(summary(r));
          latencies.get(s.name)!.push(...r.raw);
        }
      }
      const results = all.map((s) => merge(runs.get(s.name)!, latencies.get(s.name)!));
      console.table(results.map((r) => ({ system: r.system, ...r.latencyMs, perSec: r.sagasPerSecond })));
      return results;
    });
  } finally {
    await native.close();
  }
}
