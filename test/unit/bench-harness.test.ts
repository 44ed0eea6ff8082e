import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { plainPayment } from '../../bench/plain';
import type { PaymentSagaInput } from '../../contracts/payment';
import { metered, ProcessMeter } from '../../bench/procs';
import { percentiles } from '../../bench/stats';
import { testPaymentMethods } from '../../simulators/gateway/cards';
import { aCharge, compensationsIn, mockActivities } from '../support/mock-activities';

const order = (card: string): PaymentSagaInput => ({
  orderId: 'p-1',
  customerId: 'c-1',
  currency: 'EUR',
  items: [{ sku: 'A', quantity: 2, unitPriceCents: 1500 }],
  paymentMethod: card,
});

const BUFFER_MIB = 96;
/**
 * A parent process whose child fills a buffer (touched, so it is resident), says "ready" and
 * idles until killed: the meter must read the whole tree, not only the process it was given.
 */
const grandchild = `const b = Buffer.alloc(${BUFFER_MIB} * 2 ** 20, 1); console.log('ready'); setInterval(() => b[0]++, 1000);`;
const parent = `require('node:child_process').spawn(process.execPath, ['-e', ${JSON.stringify(grandchild)}], { stdio: 'inherit' }); setInterval(() => {}, 1000);`;

describe('the benchmark harness', () => {
  it("plain system: the payment saga's steps in order, compensated in reverse when the charge fails", async () => {
    const ok = mockActivities();
    expect(await plainPayment(ok.activities, order(testPaymentMethods.success))).toBe('COMPLETED');
    expect(ok.calls).toEqual([
      'validateOrder',
      'reserveStock',
      'chargeCard',
      'awardPoints',
      'createShipment',
      'markOrderPaid',
    ]);

    let polls = 0;
    const declined = mockActivities({
      chargeCard: async (i) => aCharge({ ...i, reference: `plain:${i.orderId}`, status: 'PENDING', sequence: 1 }),
      getCharge: async (i) => aCharge({ chargeId: i.chargeId, status: ++polls < 3 ? 'PENDING' : 'FAILED' }),
    });
    expect(await plainPayment(declined.activities, order(testPaymentMethods.declined), 1)).toBe('COMPENSATED');
    expect(polls).toBe(3); // waited for the gateway to settle
    expect(compensationsIn(declined.calls)).toEqual(['releaseStock', 'cancelOrder']);
    expect(declined.calls).not.toContain('awardPoints');
  });

  it('meters a process tree: CPU readings never go back, and the memory of the children counts', async () => {
    // Its own process group, so one kill ends the parent and the grandchild together.
    const child = spawn(process.execPath, ['-e', parent], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    try {
      await once(child.stdout, 'data'); // the grandchild's "ready": its buffer is resident
      const tree = new ProcessMeter('tree', child.pid!);
      const alone = new ProcessMeter('alone', child.pid!, false);

      // CPU time is what the processes spent, whatever the load: only its shape is asserted.
      const readings = Array.from({ length: 5 }, () => tree.cpuSeconds());
      for (const [i, r] of readings.entries()) {
        expect(Number.isFinite(r)).toBe(true);
        expect(r).toBeGreaterThanOrEqual(i === 0 ? 0 : readings[i - 1]!);
      }
      expect(tree.cpuSeconds()).toBeGreaterThanOrEqual(alone.cpuSeconds());

      const { usage } = await metered([tree, alone], () => Promise.resolve(), 10);
      expect(usage.cpuSeconds.tree).toBeGreaterThanOrEqual(0);
      expect(usage.peakRssMiB.tree).toBeGreaterThan(BUFFER_MIB);
      expect(usage.peakRssMiB.alone).toBeLessThan(BUFFER_MIB); // the buffer is the grandchild's
    } finally {
      process.kill(-child.pid!, 'SIGKILL');
    }
  });

  it('a process that is gone reads as zero, not as an error', () => {
    const meter = new ProcessMeter('gone', 2 ** 22 + 1); // above Linux's pid_max
    expect(meter.cpuSeconds()).toBe(0);
    expect(meter.rssBytes()).toBe(0);
  });

  it('takes nearest-rank percentiles', () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentiles(samples)).toEqual({ p50: 50, p95: 95, p99: 99, max: 100 });
  });
});
