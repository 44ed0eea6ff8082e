import type { Client, WorkflowHandle } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPayment } from '../../client';
import type { ServiceName } from '../../contracts/services';
import { sagaStateQuery, type paymentSaga, type PaymentSagaOptions } from '../../workflows';
import { freshDatabase, startTestServices } from '../support/services';
import { anOrder, shop } from '../support/shop';
import { devServerConnections, uniqueTaskQueue, withWorker } from '../support/temporal';

type Running = Awaited<ReturnType<typeof startTestServices>>;

const orders = 50;
const outageMs = 90_000;
// Far above the outage: only a refusal or this deadline may give an order up.
const sagaOptions: PaymentSagaOptions = {
  payment: {
    unpaidDeadline: '15 minutes',
    callbackTimeout: '5 seconds',
    poll: { initial: '1 second', max: '5 seconds' },
  },
};

let temporal: { client: Client; nativeConnection: NativeConnection; close(): Promise<void> };
let database: Awaited<ReturnType<typeof freshDatabase>>;
let services: Running;
const db = shop(
  () => services.services.pool,
  (name) => services.url(name),
);

beforeAll(async () => {
  temporal = await devServerConnections();
  database = await freshDatabase();
  services = await startTestServices(temporal.client, database.url);
});
afterAll(async () => {
  await services?.services.close();
  await database?.drop();
  await temporal?.close();
});

/** Brings the participants back on the ports the activities know. */
async function restart(ports: Partial<Record<ServiceName, number>>) {
  services = await startTestServices(temporal.client, database.url, { ports });
}

describe('a participant outage longer than any retry budget (real services over HTTP)', () => {
  it(
    'services down 90 s in the middle of 50 orders: none cancelled, all paid once, stock and coupons right',
    { timeout: 480_000 },
    async () => {
      await db.stock('OUT-a', 1000);
      await db.stock('OUT-b', 1000);
      const withCoupon = (i: number) => i % 5 === 0;
      for (let i = 0; i < orders; i += 5) await db.coupon(`OUT-C-${i}`, 500);
      const input = (i: number) =>
        anOrder(`out-${i}`, ['OUT-a', 'OUT-b'], withCoupon(i) ? { couponCode: `OUT-C-${i}` } : {});
      const ports = Object.fromEntries(
        Object.entries(services.services.urls).map(([name, url]) => [name, Number(new URL(url).port)]),
      ) as Partial<Record<ServiceName, number>>;
      const taskQueue = uniqueTaskQueue('int-outage');
      // The activities keep pointing at the same ports across the restart.
      const { activities } = services;

      const handles = await withWorker({ connection: temporal.nativeConnection, taskQueue, activities }, async () => {
        const start = (i: number) => startPayment(temporal.client, input(i), { taskQueue, sagaOptions });
        const started: WorkflowHandle<typeof paymentSaga>[] = [];
        for (let i = 0; i < orders / 2; i++) started.push(await start(i));
        // Some of the first half are in flight, at one step or another, when everything goes down.
        await expect.poll(() => db.chargesOf('out-0'), { timeout: 30_000, interval: 50 }).toHaveLength(1);
        await services.services.close();
        for (let i = orders / 2; i < orders; i++) started.push(await start(i));
        await new Promise((r) => setTimeout(r, outageMs));
        await restart(ports);
        await Promise.all(started.map((h) => h.result()));
        const states = await Promise.all(started.map((h) => h.query(sagaStateQuery)));
        // Nothing was ever undone: no step failed for good, no compensation ran.
        for (const state of states) {
          expect(state.status).toBe('COMPLETED');
          expect(state.steps.filter((s) => s.compensationAttempts > 0 || s.status !== 'done')).toEqual(
            state.steps.filter((s) => s.status === 'pending'),
          );
        }
        return started;
      });

      for (const [i, handle] of handles.entries()) {
        const orderId = `out-${i}`;
        const amountCents = withCoupon(i) ? 4500 : 5000;
        expect(await handle.result()).toMatchObject({ orderId, status: 'PAID', amountCents });
        expect(await db.orderOf(orderId)).toMatchObject({ status: 'PAID', cancelReason: null });
        expect(await db.chargesOf(orderId)).toEqual([
          { chargeId: `charge:${orderId}`, amountCents, status: 'CAPTURED' },
        ]);
        if (withCoupon(i)) expect(await db.couponOf(`OUT-C-${i}`)).toEqual({ status: 'REDEEMED', orderId });
      }
      const cancelled = await services.services.pool.query(
        `SELECT count(*)::int AS n FROM "order".orders WHERE status = 'CANCELLED'`,
      );
      expect(cancelled.rows[0]).toEqual({ n: 0 });
      expect(await db.stockOf('OUT-a')).toEqual({ available: 1000 - 2 * orders, reserved: 0, sold: 2 * orders });
      expect(await db.stockOf('OUT-b')).toEqual({ available: 1000 - orders, reserved: 0, sold: orders });
      expect(await db.pointsOf('cust-out-1')).toBe(50);
    },
  );
});
