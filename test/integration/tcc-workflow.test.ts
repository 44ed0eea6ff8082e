import { describe, expect, it } from 'vitest';
import type { FlashSaleInput } from '../../contracts/flash-sale';
import { testPaymentMethods } from '../../simulators/gateway/cards';
import { flashSalePurchase } from '../../workflows';
import { http } from '../support/services';
import { uniqueTaskQueue, withWorker } from '../support/temporal';
import { useStack } from '../support/fixtures';

const stack = useStack();

const stockOf = async (sku: string) => (await http('GET', `${stack.url('inventory')}/stock/${sku}`)).body;
/** Resolves once the inventory has recorded the branch's cancel (under load it may take seconds). */
async function cancelRecorded(gid: string, branchId: string): Promise<void> {
  for (let i = 0; i < 600; i += 1) {
    const { rowCount } = await stack.services.pool.query(
      `SELECT 1 FROM inventory.tcc_barrier WHERE gid = $1 AND branch_id = $2 AND op = 'cancel'`,
      [gid, branchId],
    );
    if (rowCount !== null && rowCount > 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no cancel recorded for ${gid}/${branchId} within 60 s`);
}
const purchase = (orderId: string, sku: string, extra: Partial<FlashSaleInput> = {}): FlashSaleInput => ({
  orderId,
  customerId: 'c-1',
  currency: 'EUR',
  sku,
  quantity: 2,
  unitPriceCents: 1000,
  paymentMethod: testPaymentMethods.success,
  ...extra,
});

/** Runs a purchase with the real activities, some of them wrapped to misbehave on the way. */
async function runPurchase(input: FlashSaleInput, wrap: Partial<typeof stack.activities> = {}) {
  const taskQueue = uniqueTaskQueue('int-tcc');
  return withWorker(
    { connection: stack.nativeConnection, taskQueue, activities: { ...stack.activities, ...wrap } },
    () =>
      stack.client.workflow
        .execute(flashSalePurchase, {
          taskQueue,
          workflowId: `flash:${input.orderId}`,
          args: [input, { attemptsBeforeAttention: 3, backoff: { initial: '200 ms', max: '1 second' } }],
        })
        .then(
          (r) => r.status as string,
          () => 'failed',
        ),
  );
}

describe('TCC on the real dev server and inventory', () => {
  it('a successful purchase leaves the units sold, none frozen', async () => {
    await http('PUT', `${stack.url('inventory')}/stock/TCC-1`, { available: 10 });
    expect(await runPurchase(purchase('tcc-1', 'TCC-1'))).toBe('PAID');
    expect(await stockOf('TCC-1')).toMatchObject({ available: 8, frozen: 0, sold: 2 });
  });

  it('a try whose response is lost (the participant froze, the activity failed) is cancelled and the stock comes back', async () => {
    await http('PUT', `${stack.url('inventory')}/stock/TCC-2`, { available: 10 });
    let frozenCalls = 0;
    const outcome = await runPurchase(purchase('tcc-2', 'TCC-2'), {
      tryFreezeStock: async (input) => {
        await stack.activities.tryFreezeStock(input); // the inventory really freezes ...
        frozenCalls += 1;
        throw new Error('response lost'); // ... but the answer never arrives
      },
    });
    expect(outcome).toBe('failed');
    expect(frozenCalls).toBeGreaterThan(0);
    expect(await stockOf('TCC-2')).toMatchObject({ available: 10, frozen: 0, sold: 0 });
  });

  it('a cancel that arrives before its try leaves nothing frozen when the try finally arrives', async () => {
    await http('PUT', `${stack.url('inventory')}/stock/TCC-3`, { available: 10 });
    let lateTry: Promise<string> | undefined;
    const outcome = await runPurchase(purchase('tcc-3', 'TCC-3', { tryTimeoutMs: 500 }), {
      tryFreezeStock: async (input) => {
        // Stuck in the network past the try deadline; it reaches the inventory after the cancel
        // (sent once the inventory has recorded the cancel, however long the machine takes).
        // The request is already on the wire: it reaches the inventory whatever the worker does next.
        lateTry = cancelRecorded(input.gid, input.branchId)
          .then(() =>
            http(
              'POST',
              `${stack.url('inventory')}/tcc/${input.gid}/branches/${input.branchId}/try`,
              { items: input.items },
              { 'idempotency-key': input.idempotencyKey },
            ),
          )
          .then((answer) => (answer.status === 200 ? 'frozen' : String(answer.body.error.type)));
        await lateTry;
        throw new Error('response lost'); // the worker never hears the late answer
      },
    });
    expect(outcome).toBe('failed');
    expect(await lateTry).toBe('TryAfterCancel');
    expect(await stockOf('TCC-3')).toMatchObject({ available: 10, frozen: 0, sold: 0 });
  });
});
