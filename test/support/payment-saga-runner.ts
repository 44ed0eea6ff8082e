import type { WorkflowHandle } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { PaymentSagaInput } from '../../contracts/payment';
import {
  paymentSaga,
  paymentStatusQuery,
  sagaStateQuery,
  type PaymentSagaOptions,
  type SagaState,
} from '../../workflows';
import type { mockActivities } from './mock-activities';
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
  card: { number: '4242424242424242' },
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

/** Runs payment sagas on a time-skipping test server with mocked activities. */
export function paymentSagaRunner(ts: { env: TestWorkflowEnvironment }) {
  /** Runs one saga; resolves with its result or its failure (never throws), its state and handle. */
  async function runSaga(
    activities: ReturnType<typeof mockActivities>['activities'],
    input = anOrderForUnitTests(),
    options: PaymentSagaOptions = fast,
    during?: (handle: WorkflowHandle<typeof paymentSaga>) => Promise<void>,
  ) {
    const taskQueue = uniqueTaskQueue('unit-payment');
    return withWorker({ connection: ts.env.nativeConnection, taskQueue, activities }, async () => {
      const handle = await ts.env.client.workflow.start(paymentSaga, {
        taskQueue,
        workflowId: `payment:${input.orderId}`,
        args: [input, options],
      });
      await during?.(handle);
      const outcome = await handle.result().then(
        (result) => ({ result, error: undefined }),
        (error: unknown) => ({ result: undefined, error }),
      );
      // An input refused before the saga starts leaves no state to query.
      const state = await handle.query(sagaStateQuery).catch(() => undefined);
      const payment = await handle.query(paymentStatusQuery).catch(() => undefined);
      return { ...outcome, state: state!, payment: payment!, handle };
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
