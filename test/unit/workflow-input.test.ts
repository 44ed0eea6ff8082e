import type { WorkflowFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { reconciliation } from '../../workflows';
import { useTimeSkippingEnv } from '../support/fixtures';
import { mockActivities } from '../support/mock-activities';
import { uniqueTaskQueue, withWorker } from '../support/temporal';

const ts = useTimeSkippingEnv();

// Each flow gets an input with one bad field; every one must refuse it the same way, before any call.
const cases = [
  ['paymentSaga', { orderId: 'o 1' }, /^invalid payment input: orderId: must be 1-200 letters/],
  ['checkout', { orderId: 'o 1' }, /^invalid checkout input: orderId: must be 1-200 letters/],
  ['flashSalePurchase', { orderId: 'o 1' }, /^invalid flash sale input: orderId: must be 1-200/],
  ['refundSaga', { refundId: 'r 1' }, /^invalid refund input: refundId: must be 1-200 letters/],
  ['approvalFlow', { requestId: 'a 1' }, /^invalid approval input: requestId: must be 1-256/],
  ['reconciliation', { lookbackMs: -5 }, /^invalid reconciliation input: lookbackMs: must be at least 1 ms/],
] as const;

describe('every flow parses its input one way', () => {
  it.each(cases)(
    '%s refuses a bad field with a non-retryable InvalidInput naming it',
    async (workflowType, bad, wording) => {
      const { calls, activities } = mockActivities();
      const taskQueue = uniqueTaskQueue('unit-input');
      const error = await withWorker({ connection: ts.env.nativeConnection, taskQueue, activities }, () =>
        ts.env.client.workflow
          .execute(workflowType, { taskQueue, workflowId: uniqueTaskQueue('input'), args: [bad] })
          .then(
            () => undefined,
            (err: unknown) => err as WorkflowFailedError,
          ),
      );
      const failure = error?.cause as ApplicationFailure | undefined;
      expect(failure).toMatchObject({ type: 'InvalidInput', nonRetryable: true });
      expect(failure?.message).toMatch(wording);
      expect(calls).toEqual([]);
    },
  );

  it('reconciliation refuses a window that ends before it starts, naming the field', async () => {
    const { calls, activities } = mockActivities();
    const taskQueue = uniqueTaskQueue('unit-input');
    const error = await withWorker({ connection: ts.env.nativeConnection, taskQueue, activities }, () =>
      ts.env.client.workflow
        .execute(reconciliation, {
          taskQueue,
          workflowId: uniqueTaskQueue('input'),
          args: [{ from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z', surprise: 1 } as never],
        })
        .then(
          () => undefined,
          (err: unknown) => err as WorkflowFailedError,
        ),
    );
    expect((error?.cause as ApplicationFailure).message).toMatch(/^invalid reconciliation input: .*surprise/);
    expect(calls).toEqual([]);
  });
});
