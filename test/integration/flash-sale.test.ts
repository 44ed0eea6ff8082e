import { describe, expect, it } from 'vitest';
import { testPaymentMethods } from '../../simulators/gateway/cards';
import { startFlashSale } from '../../client';
import { http } from '../support/services';
import { uniqueTaskQueue, withWorker } from '../support/temporal';
import { useStack } from '../support/fixtures';

const stack = useStack();

/** The type of the refusal at the bottom of a failed workflow's cause chain. */
function refusalType(err: unknown): string {
  let current = err as { cause?: unknown; type?: string };
  while (current.cause) current = current.cause;
  return current.type ?? 'unknown';
}

describe('flash sale: a hot SKU with 100 units and 500 concurrent buyers', () => {
  it('sells exactly 100, refuses the rest with OutOfStock, and never goes negative', async () => {
    const base = stack.url('inventory');
    await http('PUT', `${base}/stock/HOT-1`, { available: 100 });
    const answers = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        http(
          'POST',
          `${base}/tcc/flash-${i}/branches/stock/try`,
          { items: [{ sku: 'HOT-1', quantity: 1 }] },
          {
            'idempotency-key': `flash-${i}:try`,
          },
        ),
      ),
    );
    const byStatus = new Map<number, number>();
    for (const a of answers) byStatus.set(a.status, (byStatus.get(a.status) ?? 0) + 1);
    expect(Object.fromEntries(byStatus)).toEqual({ 200: 100, 422: 400 });
    expect(new Set(answers.filter((a) => a.status === 422).map((a) => a.body.error.type))).toEqual(
      new Set(['OutOfStock']),
    );

    // Every buyer who got stock confirms; the counts add up and nothing is left frozen.
    const winners = answers.flatMap((a, i) => (a.status === 200 ? [i] : []));
    await Promise.all(
      winners.map((i) =>
        http('POST', `${base}/tcc/flash-${i}/branches/stock/confirm`, {}, { 'idempotency-key': `flash-${i}:confirm` }),
      ),
    );
    const { body } = await http('GET', `${base}/stock/HOT-1`);
    expect(body).toMatchObject({ available: 0, frozen: 0, sold: 100, stocked: 100 });
  });
});

describe('flash sale as orders: 500 flashSalePurchase workflows for 100 units', () => {
  it('exactly 100 are paid, 400 fail with OutOfStock, nothing stays frozen, one charge per paid order', async () => {
    await http('PUT', `${stack.url('inventory')}/stock/HOT-2`, { available: 100 });
    const taskQueue = uniqueTaskQueue('int-flash');
    const outcomes = await withWorker(
      { connection: stack.nativeConnection, taskQueue, activities: stack.activities },
      () =>
        Promise.all(
          Array.from({ length: 500 }, (_, i) =>
            startFlashSale(
              stack.client,
              {
                orderId: `fs2-${i}`,
                customerId: `buyer-${i}`,
                currency: 'EUR',
                sku: 'HOT-2',
                quantity: 1,
                unitPriceCents: 999,
                paymentMethod: testPaymentMethods.success,
              },
              { taskQueue },
            )
              .then((handle) => handle.result())
              .then(
                (r) => r.status as string,
                (err: unknown) => refusalType(err),
              ),
          ),
        ),
    );
    const counts = outcomes.reduce<Record<string, number>>((acc, o) => ({ ...acc, [o]: (acc[o] ?? 0) + 1 }), {});
    expect(counts).toEqual({ PAID: 100, OutOfStock: 400 });
    const { body } = await http('GET', `${stack.url('inventory')}/stock/HOT-2`);
    expect(body).toMatchObject({ available: 0, frozen: 0, sold: 100, stocked: 100 });
    const charges = await stack.services.pool.query(
      `SELECT count(*)::int AS n FROM payments.charges WHERE order_id LIKE 'fs2-%'`,
    );
    expect(charges.rows[0].n).toBe(100);
  });
});
