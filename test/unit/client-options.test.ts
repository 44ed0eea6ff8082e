import type { Client } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { listFilter, listQuery, startCheckout, startRefund, ValidationError } from '../../client';
import { sagaStatuses } from '../../contracts/saga';
import { ValidationError as ContractsValidationError } from '../../contracts/validation';

// Refused before any call reaches Temporal: a client that is used at all fails the test.
const unreachable = new Proxy({} as Client, {
  get: () => {
    throw new Error('the client must not be used');
  },
});
const refund = {
  refundId: 'co-1',
  orderId: 'co-o-1',
  amountCents: 50_000,
  reason: 'damaged',
  requestedBy: 'agent-1',
};

describe('start options', () => {
  it('refuses a refund approval threshold from a caller, at compile time and at run time', async () => {
    const started = startRefund(unreachable, refund, {
      taskQueue: 'q',
      // @ts-expect-error the threshold is the worker's policy, not a start option
      options: { approvalThresholdCents: 1_000_000 },
    });
    await expect(started).rejects.toBeInstanceOf(ValidationError);
    await expect(started).rejects.toMatchObject({
      fields: [{ path: '(options)', message: expect.stringContaining('approvalThresholdCents') }],
    });
  });

  it('refuses an unknown checkout option by name', async () => {
    const input = {
      orderId: 'co-o-2',
      customerId: 'c-1',
      currency: 'EUR' as const,
      items: [{ sku: 'A', quantity: 1, unitPriceCents: 100 }],
      paymentMethod: 'pm_card_success',
    };
    // @ts-expect-error routing is no checkout option
    const started = startCheckout(unreachable, input, { taskQueue: 'q', options: { routing: {} } });
    await expect(started).rejects.toMatchObject({ fields: [{ message: expect.stringContaining('routing') }] });
  });

  it('has one ValidationError: the client throws the contracts one, which the API and CLI map', () => {
    expect(ValidationError).toBe(ContractsValidationError);
  });
});

describe('list filters', () => {
  it('accepts every saga status the library reports, ABORTED included, and names the field otherwise', () => {
    for (const status of sagaStatuses) expect(listFilter.parse({ status }).status).toBe(status);
    expect(listFilter.parse({ status: 'ABORTED' }).status).toBe('ABORTED');
    // The business outcomes the flows name, so `saga list --status REJECTED` finds rejected approvals.
    for (const status of ['REJECTED', 'WITHDRAWN', 'EXPIRED'])
      expect(listQuery(listFilter.parse({ status, flow: 'approvalFlow' }))).toBe(
        `FlowType = 'approvalFlow' AND SagaStatus = '${status}'`,
      );
    const bad = listFilter.safeParse({ status: 'DONE' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['status']);
  });
});
