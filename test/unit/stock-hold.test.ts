import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReleaseStockInput, ReserveStockInput } from '../../activities/inventory';
import { confirmHold, stockHold } from '../../workflows';
import { timeSkippingEnv, uniqueTaskQueue, withWorker } from '../support/temporal';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await timeSkippingEnv();
});
afterAll(async () => {
  await env?.teardown();
});

/** Mocked inventory activities that record every call in order. */
function mockInventory(reserve: (input: ReserveStockInput) => Promise<void> = async () => undefined) {
  const calls: string[] = [];
  const activities = {
    async reserveStock(input: ReserveStockInput) {
      calls.push(`reserve:${input.reservationId}:${input.idempotencyKey}`);
      await reserve(input);
      return { reservationId: input.reservationId, status: 'RESERVED' as const, items: input.items };
    },
    async releaseStock(input: ReleaseStockInput) {
      calls.push(`release:${input.reservationId}:${input.idempotencyKey}`);
      return { reservationId: input.reservationId, status: 'RELEASED' as const, items: [], returned: true };
    },
  };
  return { calls, activities };
}

const items = [{ sku: 'SKU-1', quantity: 2 }];

describe('stockHold on the time-skipping server', () => {
  it('keeps the stock when confirmed before the hold expires', async () => {
    const { calls, activities } = mockInventory();
    const taskQueue = uniqueTaskQueue('unit-hold');
    const result = await withWorker({ connection: env.nativeConnection, taskQueue, activities }, async () => {
      const handle = await env.client.workflow.start(stockHold, {
        taskQueue,
        workflowId: 'hold:h-confirm',
        args: [{ holdId: 'h-confirm', items, holdSeconds: 3600 }],
      });
      await env.sleep('10 minutes');
      await handle.signal(confirmHold);
      return handle.result();
    });
    expect(result).toEqual({ holdId: 'h-confirm', status: 'CONFIRMED' });
    expect(calls).toEqual(['reserve:h-confirm:hold:h-confirm:reserve-stock']);
  });

  it('releases the stock when the hold expires, days later in skipped time', async () => {
    const { calls, activities } = mockInventory();
    const taskQueue = uniqueTaskQueue('unit-hold');
    const result = await withWorker({ connection: env.nativeConnection, taskQueue, activities }, () =>
      env.client.workflow.execute(stockHold, {
        taskQueue,
        workflowId: 'hold:h-expire',
        args: [{ holdId: 'h-expire', items, holdSeconds: 3 * 24 * 3600 }],
      }),
    );
    expect(result).toEqual({ holdId: 'h-expire', status: 'EXPIRED' });
    expect(calls).toEqual([
      'reserve:h-expire:hold:h-expire:reserve-stock',
      'release:h-expire:hold:h-expire:release-stock',
    ]);
  });

  it('still releases when the reserve fails, and keeps the refusal as the cause', async () => {
    const { calls, activities } = mockInventory(async () => {
      throw ApplicationFailure.nonRetryable('not enough stock of SKU-1', 'OutOfStock');
    });
    const taskQueue = uniqueTaskQueue('unit-hold');
    const error = await withWorker({ connection: env.nativeConnection, taskQueue, activities }, () =>
      env.client.workflow
        .execute(stockHold, {
          taskQueue,
          workflowId: 'hold:h-refused',
          args: [{ holdId: 'h-refused', items, holdSeconds: 60 }],
        })
        .then(
          () => undefined,
          (err: unknown) => err,
        ),
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause?.cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect((cause as ApplicationFailure).type).toBe('OutOfStock');
    // The compensation was registered before the step, so it runs even though the step failed.
    expect(calls).toEqual([
      'reserve:h-refused:hold:h-refused:reserve-stock',
      'release:h-refused:hold:h-refused:release-stock',
    ]);
  });
});
