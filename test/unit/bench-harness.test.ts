import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { plainPayment } from '../../bench/plain';
import type { PaymentSagaInput } from '../../contracts/payment';
import { metered, ProcessMeter } from '../../bench/procs';
import { percentiles } from '../../bench/stats';
import { testCards } from '../../simulators/gateway/cards';
import { compensationsIn, mockActivities } from '../support/mock-activities';

const order = (card: string): PaymentSagaInput => ({
  orderId: 'p-1',
  customerId: 'c-1',
  currency: 'EUR',
  items: [{ sku: 'A', quantity: 2, unitPriceCents: 1500 }],
  card: { number: card },
});

describe('the benchmark harness', () => {
  it("plain system: the payment saga's steps in order, compensated in reverse when the charge fails", async () => {
    const ok = mockActivities();
    expect(await plainPayment(ok.activities as never, order(testCards.success))).toBe('COMPLETED');
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
      chargeCard: async (i) => ({ ...i, status: 'PENDING', sequence: 1, refundedCents: 0 }),
      getCharge: async (i) => ({ chargeId: i.chargeId, status: ++polls < 3 ? 'PENDING' : 'FAILED', sequence: 2 }),
    });
    expect(await plainPayment(declined.activities as never, order(testCards.declined), 1)).toBe('COMPENSATED');
    expect(polls).toBe(3); // waited for the gateway to settle
    expect(compensationsIn(declined.calls)).toEqual(['releaseStock', 'cancelOrder']);
    expect(declined.calls).not.toContain('awardPoints');
  });

  it('meters the CPU a process tree spends, and its memory', async () => {
    // Busy for 0.6 s, then idle (alive) until killed: the meter reads a live process.
    const child = spawn(
      process.execPath,
      ['-e', 'const end = Date.now() + 600; while (Date.now() < end); setTimeout(() => {}, 10_000);'],
      { stdio: 'ignore' },
    );
    const meter = new ProcessMeter('busy', child.pid!);
    try {
      const { usage } = await metered([meter], () => new Promise((r) => setTimeout(r, 1000)), 50);
      expect(usage.cpuSeconds.busy).toBeGreaterThanOrEqual(0.3);
      expect(usage.cpuSeconds.busy).toBeLessThan(1.5);
      expect(usage.peakRssMiB.busy).toBeGreaterThan(5);
    } finally {
      child.kill();
    }
  });

  it('takes nearest-rank percentiles', () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentiles(samples)).toEqual({ p50: 50, p95: 95, p99: 99, max: 100 });
  });
});
