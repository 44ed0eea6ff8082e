import { describe, expect, it } from 'vitest';
import { testPaymentMethods } from '../../simulators/gateway/cards';
import {
  ensureFlashSaleGateCheckSchedule,
  flashSaleGateCheckScheduleId,
  GateUnavailable,
  httpFlashSaleGate,
  purchaseFlashSale,
  type FlashSalePurchase,
} from '../../client';
import { flows } from '../../contracts/flows';
import type { flashSaleGateCheck } from '../../workflows';
import { http, testServiceTokens } from '../support/services';
import { uniqueTaskQueue, withWorker } from '../support/temporal';
import { useRedis, useStack } from '../support/fixtures';

const SHARDS = 8;
const redis = useRedis();
const stack = useStack({ flashSaleGate: () => ({ url: redis.url, shards: SHARDS }) });

/** Runs `work` over `items` with at most `limit` at a time, answers in the items' order. */
async function bounded<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: limit }, lane));
  return out;
}

const tally = (values: string[]) =>
  values.reduce<Record<string, number>>((a, v) => ({ ...a, [v]: (a[v] ?? 0) + 1 }), {});

/** The type of the refusal at the bottom of a failed workflow's cause chain. */
function refusalType(err: unknown): string {
  let current = err as { cause?: unknown; type?: string };
  while (current.cause) current = current.cause;
  return current.type ?? 'unknown';
}

async function openSale(sku: string, units: number, perBuyerLimit: number) {
  const res = await http('PUT', `${stack.url('inventory')}/flash-sales/${sku}`, { units, perBuyerLimit });
  expect(res.status).toBe(200);
}

const order = (
  sku: string,
  orderId: string,
  customerId: string,
  paymentMethod: string = testPaymentMethods.success,
) => ({
  orderId,
  customerId,
  currency: 'EUR' as const,
  sku,
  quantity: 1,
  unitPriceCents: 1999,
  paymentMethod,
});

/** Attempts until the gate decides: a GateUnavailable (Redis away) is repeated with the same order. */
async function purchaseUntilDecided(
  taskQueue: string,
  input: ReturnType<typeof order>,
  onUnavailable: () => void = () => undefined,
): Promise<FlashSalePurchase> {
  const gate = httpFlashSaleGate(stack.url('inventory'), testServiceTokens.callers.api);
  for (;;) {
    try {
      return await purchaseFlashSale(stack.client, gate, input, { taskQueue });
    } catch (err) {
      if (!(err instanceof GateUnavailable)) throw err;
      onUnavailable();
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function outcome(p: FlashSalePurchase): Promise<string> {
  if (p.status === 'REFUSED') return p.refusal;
  return p.handle.result().then(
    (r) => r.status,
    (err: unknown) => `failed:${refusalType(err)}`,
  );
}

async function dbState(sku: string) {
  const stock = await http('GET', `${stack.url('inventory')}/stock/${sku}`);
  const buyers = await stack.services.pool.query<{ max: number | null; holders: number }>(
    `SELECT max(units) AS max, count(*) FILTER (WHERE units > 0)::int AS holders
     FROM inventory.flash_sale_buyers WHERE sku = $1`,
    [sku],
  );
  return { stock: stock.body, maxPerBuyer: buyers.rows[0]!.max, holders: buyers.rows[0]!.holders };
}

describe('flash-sale gate: 100 units, 5,000 buyers at the gate, only winners start sagas', () => {
  it('exactly 100 are paid, each buyer at most its limit, the rest refused at the gate, gate and database agree', async () => {
    const sku = 'GATE-1';
    await openSale(sku, 100, 1);
    const taskQueue = uniqueTaskQueue('int-gate');
    // 2,500 buyers try twice each (two orders): the second order of a winner meets the limit.
    const attempts = Array.from({ length: 5000 }, (_, i) => order(sku, `g1-${i}`, `buyer-${i % 2500}`));
    const outcomes = await withWorker(
      { connection: stack.nativeConnection, taskQueue, activities: stack.activities },
      async () => {
        const purchases = await bounded(attempts, 64, (a) => purchaseUntilDecided(taskQueue, a));
        return Promise.all(purchases.map(outcome));
      },
    );
    const counts = tally(outcomes);
    expect(counts.PAID).toBe(100);
    expect((counts.OutOfStock ?? 0) + (counts.BuyerLimitReached ?? 0)).toBe(4900);
    expect(Object.keys(counts).sort()).toEqual(['BuyerLimitReached', 'OutOfStock', 'PAID'].filter((k) => counts[k]));

    const db = await dbState(sku);
    expect(db.stock).toMatchObject({ available: 0, frozen: 0, sold: 100, stocked: 100 });
    expect(db.maxPerBuyer).toBe(1);
    expect(db.holders).toBe(100);
    const paidBuyers = new Set(attempts.filter((_, i) => outcomes[i] === 'PAID').map((a) => a.customerId));
    expect(paidBuyers.size).toBe(100);
    const charges = await stack.services.pool.query(
      `SELECT count(*)::int AS n FROM payments.charges WHERE order_id LIKE 'g1-%'`,
    );
    expect(charges.rows[0].n).toBe(100);
    // Only the winners' sagas ever reached the freeze.
    const tries = await stack.services.pool.query(`SELECT count(*)::int AS n FROM inventory.tcc_lines WHERE sku = $1`, [
      sku,
    ]);
    expect(tries.rows[0].n).toBe(100);

    const report = await http('GET', `${stack.url('inventory')}/flash-sales/${sku}/gate`);
    expect(report.body).toMatchObject({
      gate: { remaining: 0, buyerUnits: 100, shards: SHARDS, loadedShards: SHARDS },
      database: { available: 0, sold: 100, buyerUnits: 100 },
      drift: { units: 0, buyerUnits: 0 },
    });
  });
});

describe('flash-sale gate: a declined card gives its unit back', () => {
  it('the unit returns to the gate once, and another buyer then gets it', async () => {
    const sku = 'GATE-2';
    await openSale(sku, 1, 1);
    const taskQueue = uniqueTaskQueue('int-gate-decline');
    const base = stack.url('inventory');
    await withWorker({ connection: stack.nativeConnection, taskQueue, activities: stack.activities }, async () => {
      const declined = await purchaseUntilDecided(
        taskQueue,
        order(sku, 'g2-a', 'buyer-a', testPaymentMethods.declined),
      );
      expect(declined.status).toBe('STARTED');
      // While the declined purchase holds the one unit, the gate turns the next buyer away.
      const early = await purchaseUntilDecided(taskQueue, order(sku, 'g2-b', 'buyer-b'));
      expect(early).toMatchObject({ status: 'REFUSED', refusal: 'OutOfStock' });
      expect(await outcome(declined)).toBe('failed:CardDeclined');

      const after = await http('GET', `${base}/flash-sales/${sku}/gate`);
      expect(after.body).toMatchObject({ gate: { remaining: 1, buyerUnits: 0 }, drift: { units: 0, buyerUnits: 0 } });
      // Given back once: a second give-back changes nothing.
      const again = await http('POST', `${base}/flash-sales/${sku}/admissions/g2-a/return`, { buyerId: 'buyer-a' });
      expect(again.body).toEqual({ orderId: 'g2-a', returned: false });
      // The refused order may not come back through the gate with the same id either.
      const reused = await purchaseUntilDecided(taskQueue, order(sku, 'g2-a', 'buyer-a'));
      expect(reused).toMatchObject({ status: 'REFUSED', refusal: 'AdmissionReturned' });

      const later = await purchaseUntilDecided(taskQueue, order(sku, 'g2-c', 'buyer-c'));
      expect(await outcome(later)).toBe('PAID');
    });
    const db = await dbState(sku);
    expect(db.stock).toMatchObject({ available: 0, frozen: 0, sold: 1 });
    expect(db.holders).toBe(1);
    const report = await http('GET', `${base}/flash-sales/${sku}/gate`);
    expect(report.body).toMatchObject({ gate: { remaining: 0, buyerUnits: 1 }, drift: { units: 0, buyerUnits: 0 } });
  });
});

describe('flash-sale gate: Redis killed mid-sale', () => {
  /** 5,000 buyers (one order each) while Redis is SIGKILLed once a tenth of them are answered and restarted. */
  async function saleThroughACrash(sku: string, restart: { wipe: boolean }) {
    await openSale(sku, 100, 1);
    const taskQueue = uniqueTaskQueue('int-gate-crash');
    const attempts = Array.from({ length: 5000 }, (_, i) => order(sku, `${sku}-${i}`, `${sku}-buyer-${i}`));
    let answered = 0;
    let unavailable = 0;
    let crash: Promise<void> | undefined;
    const outcomes = await withWorker(
      { connection: stack.nativeConnection, taskQueue, activities: stack.activities },
      async () => {
        const purchases = await bounded(attempts, 64, async (a) => {
          const p = await purchaseUntilDecided(taskQueue, a, () => (unavailable += 1));
          if (++answered === 500) {
            crash = (async () => {
              await redis.kill();
              await new Promise((r) => setTimeout(r, 1000));
              await redis.start(restart);
            })();
          }
          return p;
        });
        await crash;
        return Promise.all(purchases.map(outcome));
      },
    );
    return { counts: tally(outcomes), unavailable };
  }

  it('with its append-only file: still exactly 100 paid, the outage answered as "try again", never a 500', async () => {
    const { counts, unavailable } = await saleThroughACrash('GATE-3', { wipe: false });
    expect(counts).toEqual({ PAID: 100, OutOfStock: 4900 });
    expect(unavailable).toBeGreaterThan(0);
    const db = await dbState('GATE-3');
    expect(db.stock).toMatchObject({ available: 0, frozen: 0, sold: 100 });
    expect(db.maxPerBuyer).toBe(1);
    const report = await http('GET', `${stack.url('inventory')}/flash-sales/GATE-3/gate`);
    expect(report.body).toMatchObject({ gate: { remaining: 0 }, drift: { units: 0 } });
  });

  it('having lost its data: the gate is rebuilt from the database, and the database still sells exactly 100', async () => {
    const { counts, unavailable } = await saleThroughACrash('GATE-4', { wipe: true });
    expect(counts.PAID).toBe(100);
    expect(unavailable).toBeGreaterThan(0);
    // Units admitted but not yet frozen when Redis lost them are admitted again: the database refuses the extra.
    const other = Object.keys(counts).filter((k) => k !== 'PAID' && k !== 'OutOfStock' && k !== 'failed:OutOfStock');
    expect(other).toEqual([]);
    const db = await dbState('GATE-4');
    expect(db.stock).toMatchObject({ available: 0, frozen: 0, sold: 100 });
    expect(db.maxPerBuyer).toBe(1);
    const report = await http('GET', `${stack.url('inventory')}/flash-sales/GATE-4/gate`);
    expect(report.body).toMatchObject({ gate: { loadedShards: SHARDS }, database: { available: 0, sold: 100 } });
  });
});

describe('flash-sale gate check: the scheduled comparison of gate and database', () => {
  it('reports a sale whose gate drifted, and none once the gate is rebuilt from the database', async () => {
    const sku = 'GATE-5';
    const base = stack.url('inventory');
    await openSale(sku, 10, 1);
    // An admission whose purchase never started (its caller gave up): the gate holds a unit the database still has.
    const admitted = await http('POST', `${base}/flash-sales/${sku}/admissions`, {
      buyerId: 'quitter',
      orderId: 'g5-quit',
      quantity: 1,
    });
    expect(admitted.status).toBe(201);
    const taskQueue = uniqueTaskQueue('int-gate-check');
    const run = (id: string) =>
      withWorker({ connection: stack.nativeConnection, taskQueue, activities: stack.activities }, () =>
        stack.client.workflow.execute<typeof flashSaleGateCheck>(flows.flashSaleGateCheck.type, {
          taskQueue,
          workflowId: `${flashSaleGateCheckScheduleId}:${id}`,
          args: [{ quietMs: 0 }],
        }),
      );
    const before = await run('drift');
    expect(before.checked).toContain(sku);
    expect(before.drift.filter((d) => d.sku === sku)).toEqual([{ sku, units: -1, buyerUnits: 1 }]);

    const rebuilt = await http('POST', `${base}/flash-sales/${sku}/gate/rebuild`);
    expect(rebuilt.body).toMatchObject({ gate: { remaining: 10, buyerUnits: 0 }, drift: { units: 0, buyerUnits: 0 } });
    const after = await run('rebuilt');
    expect(after.drift.filter((d) => d.sku === sku)).toEqual([]);
  });

  it('the schedule is created once and brought up to date on every worker start', async () => {
    const opts = { taskQueue: 'gate-check-schedule', intervalMs: 3_600_000, quietMs: 60_000 };
    await ensureFlashSaleGateCheckSchedule(stack.client, opts);
    await ensureFlashSaleGateCheckSchedule(stack.client, { ...opts, quietMs: 120_000 });
    const handle = stack.client.schedule.getHandle(flashSaleGateCheckScheduleId);
    try {
      const described = await handle.describe();
      expect(described.action).toMatchObject({ workflowType: 'flashSaleGateCheck', args: [{ quietMs: 120_000 }] });
    } finally {
      await handle.delete();
    }
  });
});
