import type { WorkflowHandle } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Activities } from '../../activities';
import type { PaymentSagaInput } from '../../contracts/payment';
import {
  paymentSaga,
  paymentStatusQuery,
  sagaStateQuery,
  type PaymentSagaOptions,
  type SagaState,
} from '../../workflows';
import { uniqueTaskQueue, withWorker } from './temporal';

let seq = 0;
/** A fresh order of two lines (2 × 15.00 + 1 × 20.00) with a 5.00 coupon, for mocked-activity tests. */
export const anOrderForUnitTests = (): PaymentSagaInput => ({
  orderId: `o-${++seq}`,
  customerId: 'c-1',
  currency: 'EUR',
  items: [
    { sku: 'A', quantity: 2, unitPriceCents: 1500 },
    { sku: 'B', quantity: 1, unitPriceCents: 2000 },
  ],
  couponCode: 'SAVE5',
  paymentMethod: 'pm_card_success',
});

/** Saga options with a short operator budget, so NEEDS_ATTENTION comes quickly in skipped time. */
export const fast: PaymentSagaOptions = {
  attemptsBeforeAttention: 3,
  backoff: { initial: '1 second', max: '5 seconds' },
};

/** The innermost failure (the activity's own ApplicationFailure under the ActivityFailure). */
export function rootCause(err: unknown): ApplicationFailure {
  let current = err as { cause?: unknown };
  while (current.cause) current = current.cause;
  return current as ApplicationFailure;
}

/**
 * Runs one kind of saga workflow (`workflow(input, options)`) on a time-skipping test server with
 * mocked activities, under the id `workflowId(input)` on a fresh task queue.
 */
export function sagaRunner<I, O, R>(
  ts: { env: TestWorkflowEnvironment },
  workflow: (input: I, options: O) => Promise<R>,
  opts: { workflowId: (input: I) => string; taskQueuePrefix: string },
) {
  /**
   * Runs one saga; `during` acts on its handle while it runs, `after` reads from it once it ended
   * (queries need the worker, which still runs then). Resolves with its result or its failure
   * (never throws), what `after` read, and the handle.
   */
  return async function run<T extends object>(
    activities: Activities,
    input: I,
    options: O,
    during: ((handle: WorkflowHandle<typeof workflow>) => Promise<void>) | undefined,
    after: (handle: WorkflowHandle<typeof workflow>) => Promise<T>,
  ) {
    const taskQueue = uniqueTaskQueue(opts.taskQueuePrefix);
    return withWorker({ connection: ts.env.nativeConnection, taskQueue, activities }, async () => {
      const handle = await ts.env.client.workflow.start(workflow, {
        taskQueue,
        workflowId: opts.workflowId(input),
        args: [input, options],
      });
      await during?.(handle);
      const outcome = await handle.result().then(
        (result) => ({ result, error: undefined }),
        (error: unknown) => ({ result: undefined, error }),
      );
      return { ...outcome, ...(await after(handle)), handle };
    });
  };
}

/** Runs payment sagas on a time-skipping test server with mocked activities. */
export function paymentSagaRunner(ts: { env: TestWorkflowEnvironment }) {
  const run = sagaRunner(ts, paymentSaga, {
    workflowId: (input) => `payment:${input.orderId}`,
    taskQueuePrefix: 'unit-payment',
  });
  /** Runs one saga; resolves with its result or its failure (never throws), its state and handle. */
  async function runSaga(
    activities: Activities,
    input = anOrderForUnitTests(),
    options: PaymentSagaOptions = fast,
    during?: (handle: WorkflowHandle<typeof paymentSaga>) => Promise<void>,
  ) {
    return run(activities, input, options, during, async (handle) => {
      // An input refused before the saga starts leaves no state to query.
      const state = await handle.query(sagaStateQuery).catch(() => undefined);
      const payment = await handle.query(paymentStatusQuery).catch(() => undefined);
      return { state: state!, payment: payment! };
    });
  }
  /** Advances skipped time (2 s a step) until the saga's state satisfies `ready`. */
  async function until(handle: WorkflowHandle, ready: (s: SagaState) => boolean): Promise<SagaState> {
    for (let i = 0; i < 200; i++) {
      const state = await handle.query(sagaStateQuery);
      if (ready(state)) return state;
      await ts.env.sleep('2 seconds');
    }
    throw new Error('saga never reached the expected state');
  }

  return { runSaga, until };
}
