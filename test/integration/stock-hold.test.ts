import type { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStockHold, ValidationError } from '../../client';
import { holdState, confirmHold, stockHold } from '../../workflows';
import { SagaStatus } from '../../temporal-config/search-attributes';
import { http, startTestServices } from '../support/services';
import { devServerConnections, uniqueTaskQueue, withWorker } from '../support/temporal';

let stack: Awaited<ReturnType<typeof startTestServices>>;
let temporal: { client: Client; nativeConnection: NativeConnection; close(): Promise<void> };
beforeAll(async () => {
  stack = await startTestServices();
  temporal = await devServerConnections();
});
afterAll(async () => {
  await temporal?.close();
  await stack?.services.close();
});

const stockOf = async (sku: string) => (await http('GET', `${stack.url('inventory')}/stock/${sku}`)).body;

describe('stockHold on the real dev server, PostgreSQL and inventory service', () => {
  it('gives the stock back when the hold expires', async () => {
    await http('PUT', `${stack.url('inventory')}/stock/SH-1`, { available: 10 });
    const taskQueue = uniqueTaskQueue('int-hold');
    const result = await withWorker(
      { connection: temporal.nativeConnection, taskQueue, activities: stack.activities },
      async () => {
        const handle = await temporal.client.workflow.start(stockHold, {
          taskQueue,
          workflowId: 'hold:sh-1',
          args: [{ holdId: 'sh-1', items: [{ sku: 'SH-1', quantity: 4 }], holdSeconds: 2 }],
        });
        // While held, the stock is really taken.
        await expect.poll(() => handle.query(holdState), { timeout: 10_000 }).toBe('HELD');
        expect(await stockOf('SH-1')).toMatchObject({ available: 6, reserved: 4 });
        return handle.result();
      },
    );
    expect(result.status).toBe('EXPIRED');
    expect(await stockOf('SH-1')).toMatchObject({ available: 10, reserved: 0 });
    const description = await temporal.client.workflow.getHandle('hold:sh-1').describe();
    expect(description.typedSearchAttributes.get(SagaStatus)).toBe('EXPIRED');
  });

  it('keeps the stock when confirmed', async () => {
    await http('PUT', `${stack.url('inventory')}/stock/SH-2`, { available: 10 });
    const taskQueue = uniqueTaskQueue('int-hold');
    const result = await withWorker(
      { connection: temporal.nativeConnection, taskQueue, activities: stack.activities },
      async () => {
        const input = { holdId: 'sh-2', items: [{ sku: 'SH-2', quantity: 3 }], holdSeconds: 600 };
        const handle = await startStockHold(temporal.client, input, taskQueue);
        // The same business key again is the same run, not a second hold.
        const again = await startStockHold(temporal.client, input, taskQueue);
        expect(again.firstExecutionRunId).toBe(handle.firstExecutionRunId);
        await expect.poll(() => handle.query(holdState), { timeout: 10_000 }).toBe('HELD');
        await handle.signal(confirmHold);
        return handle.result();
      },
    );
    expect(result.status).toBe('CONFIRMED');
    expect(await stockOf('SH-2')).toMatchObject({ available: 7, reserved: 3 });
  });

  it('refuses bad input at the client, naming each field, and starts nothing', async () => {
    const err = await startStockHold(
      temporal.client,
      { holdId: 'sh bad', items: [{ sku: 'SH-4', quantity: -1 }], holdSeconds: 0 },
      'unused',
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fields.map((f) => f.path)).toEqual(['holdId', 'items.0.quantity', 'holdSeconds']);
    await expect(temporal.client.workflow.getHandle('hold:sh bad').describe()).rejects.toThrow(/not found/i);
  });

  it('fails with OutOfStock and leaves the stock untouched when there is not enough', async () => {
    await http('PUT', `${stack.url('inventory')}/stock/SH-3`, { available: 1 });
    const taskQueue = uniqueTaskQueue('int-hold');
    const outcome = await withWorker(
      { connection: temporal.nativeConnection, taskQueue, activities: stack.activities },
      () =>
        temporal.client.workflow
          .execute(stockHold, {
            taskQueue,
            workflowId: 'hold:sh-3',
            args: [{ holdId: 'sh-3', items: [{ sku: 'SH-3', quantity: 2 }], holdSeconds: 600 }],
          })
          .then(
            () => 'completed',
            (err: { cause?: { cause?: { type?: string } } }) => err.cause?.cause?.type,
          ),
    );
    expect(outcome).toBe('OutOfStock');
    expect(await stockOf('SH-3')).toMatchObject({ available: 1, reserved: 0 });
  });
});
