import { describe, expect, it } from 'vitest';
import { narrate } from '../../workflows/narration';

describe('activity summaries', () => {
  it('say the business action with its amounts and ids', () => {
    expect(
      narrate('chargeCard', {
        chargeId: 'charge:o-1',
        orderId: 'o-1',
        amountCents: 4505,
        currency: 'EUR',
        paymentMethod: 'pm_card_success',
        idempotencyKey: 'k',
      }),
    ).toBe('Charge 45.05 EUR for order o-1 (charge:o-1)');
    expect(
      narrate('returnItems', {
        reservationId: 'o-1',
        returnId: 'r-1',
        items: [{ sku: 'A', quantity: 1 }],
        idempotencyKey: 'k',
      }),
    ).toBe('Return 1 unit to stock (r-1)');
  });

  it('keep to one short line when the input is long (a cancel reason carrying a stack)', () => {
    const line = narrate('cancelOrder', {
      orderId: 'o-1',
      reason: `Error: boom\n    at ${'x'.repeat(5000)}`,
      idempotencyKey: 'k',
    });
    expect(line).toHaveLength(200);
    expect(line.startsWith('Cancel order o-1: Error: boom at xxx')).toBe(true);
    expect(line.endsWith('…')).toBe(true);
  });
});
