import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, startTestServices } from '../support/services';

let stack: Awaited<ReturnType<typeof startTestServices>>;
beforeAll(async () => {
  stack = await startTestServices();
});
afterAll(async () => {
  await stack?.services.close();
});

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
