import { describe, expect, inject, it } from 'vitest';
import { startPayment } from '../../client';
import { freePort } from '../../provision/process';
import { serviceNames } from '../../config';
import { testPaymentMethods } from '../../simulators/gateway/cards';
import { useStack } from '../support/fixtures';
import { startCommand } from '../support/run';
import { anOrder, shop } from '../support/shop';
import { uniqueTaskQueue } from '../support/temporal';

const stack = useStack();
const db = shop(
  () => stack.services.pool,
  (name) => stack.url(name),
);

/** The value of the first sample of `metric` whose labels include all of `labels`, or undefined. */
function sample(text: string, metric: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)\{([^}]*)\} ([0-9.e+-]+)$/.exec(line);
    if (!m || m[1] !== metric) continue;
    if (Object.entries(labels).every(([k, v]) => m[2]!.includes(`${k}="${v}"`))) return Number(m[3]);
  }
  return undefined;
}

describe('the worker process: Prometheus metrics and JSON logs', () => {
  it('counts sagas by flow and outcome, times steps, and logs with workflow and run ids', async () => {
    const taskQueue = uniqueTaskQueue('int-telemetry');
    const metricsPort = await freePort();
    const worker = startCommand(process.execPath, ['--import', 'tsx', 'apps/worker/main.ts'], {
      ...process.env,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE: taskQueue,
      WORKFLOW_BUNDLE_PATH: inject('workflowBundlePath'),
      LOG_LEVEL: 'info',
      METRICS_PORT: String(metricsPort),
      RECONCILE_INTERVAL: '1d',
      ...Object.fromEntries(serviceNames.map((s) => [`${s.toUpperCase()}_URL`, stack.url(s)])),
    });
    try {
      for (const id of ['tm-1', 'tm-2']) {
        await db.stock(`${id}-a`, 10);
        await db.stock(`${id}-b`, 10);
      }
      const ok = await startPayment(stack.client, anOrder('tm-1', ['tm-1-a', 'tm-1-b']), { taskQueue });
      const declined = await startPayment(
        stack.client,
        anOrder('tm-2', ['tm-2-a', 'tm-2-b'], { paymentMethod: testPaymentMethods.declined }),
        { taskQueue },
      );
      await ok.result();
      await declined.result().catch(() => undefined);

      const scrape = async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      await expect
        .poll(async () => sample(await scrape(), 'saga_completed', { flow: 'paymentSaga' }), { timeout: 20_000 })
        .toBe(1);
      const text = await scrape();
      expect(sample(text, 'saga_started', { flow: 'paymentSaga' })).toBe(2);
      expect(sample(text, 'saga_compensated', { flow: 'paymentSaga' })).toBe(1);
      expect(
        sample(text, 'saga_step_duration_count', { flow: 'paymentSaga', step: 'charge-card', outcome: 'done' }),
      ).toBe(1);
      expect(
        sample(text, 'saga_step_duration_count', { flow: 'paymentSaga', step: 'charge-card', outcome: 'failed' }),
      ).toBe(1);
      expect(text).toMatch(/^temporal_workflow_completed\{/m); // the runtime's own metrics too

      // Log lines reach the pipe on their own time: wait for both.
      const logLines = () =>
        worker
          .output()
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as Record<string, unknown>);
      const finished = () => logLines().filter((l) => l.msg === 'saga finished');
      await expect
        .poll(finished, { timeout: 15_000 })
        .toEqual(
          expect.arrayContaining([
            expect.objectContaining({ workflowId: 'payment:tm-1', runId: expect.any(String), status: 'COMPLETED' }),
            expect.objectContaining({ workflowId: 'payment:tm-2', status: 'COMPENSATED', failedStep: 'charge-card' }),
          ]),
        );
      expect(logLines().find((l) => l.msg === 'saga step failed')).toMatchObject({
        workflowId: 'payment:tm-2',
        runId: expect.any(String),
        step: 'charge-card',
        phase: 'forward',
        error: expect.stringContaining('CardDeclined'),
      });
      // Every line is JSON, with one name for the run id and errors written out, never `{}`.
      const lines = worker
        .output()
        .split('\n')
        .filter((l) => l.trim() !== '');
      for (const line of lines) expect(() => JSON.parse(line) as unknown, line).not.toThrow();
      for (const line of logLines()) {
        expect(line).not.toHaveProperty('workflowRunId');
        expect(line).not.toHaveProperty('taskToken');
        if ('error' in line) expect(line.error, JSON.stringify(line)).not.toEqual({});
      }
      const workflowFailed = logLines().find((l) => l.msg === 'Workflow failed' && l.workflowId === 'payment:tm-2');
      expect(workflowFailed?.error).toMatchObject({ message: expect.stringContaining('CardDeclined') });
      expect(workflowFailed?.runId).toEqual(expect.any(String));
    } finally {
      process.kill(-worker.pid!, 'SIGTERM');
      await new Promise((r) => worker.once('exit', r));
    }
  });
});
