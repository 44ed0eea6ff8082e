import { workflowInfo } from '@temporalio/workflow';
import { flashSaleRunInput, type FlashSaleInput, type FlashSaleResult } from '../contracts/flash-sale';
import { paymentSourceOf } from '../contracts/payment';
import { flows } from '../contracts/flows';
import { PaymentChannel, type PaymentWaitOptions } from './payment-channel';
import { narratedActivities } from './narration';
import { presets } from './presets';
import { parseWorkflowInput } from './input';
import { Saga, type SagaOptions } from './saga';
import { appSagaOptions } from './saga-options';

/** The type of the refusal at the bottom of a failure's cause chain, if any. */
function refusalType(err: unknown): string | undefined {
  let current = err as { cause?: unknown; type?: unknown } | undefined;
  while (current?.cause) current = current.cause;
  return typeof current?.type === 'string' ? current.type : undefined;
}

export type FlashSaleOptions = Pick<SagaOptions, 'attemptsBeforeAttention' | 'backoff'> & {
  payment?: PaymentWaitOptions;
};

/**
 * flashSalePurchase (workflow id `flash:<orderId>`): freeze the units by TCC (try, within a
 * deadline), charge the card [pivot], confirm the freeze. A failed or late try, or a declined
 * card, cancels the freeze, so no unit stays frozen; a confirm is retried until it succeeds.
 * A purchase the flash-sale gate admitted (`gated`) freezes for its buyer, and a failure gives its
 * unit back to the gate after the freeze is cancelled, unless the database had none to freeze
 * (the gate then let one too many through, and giving it back would let another).
 */
export async function flashSalePurchase(raw: FlashSaleInput, options: FlashSaleOptions = {}): Promise<FlashSaleResult> {
  const input = parseWorkflowInput(flashSaleRunInput, raw, 'flash sale');
  const act = narratedActivities(presets.serviceCall);
  const settle = narratedActivities(presets.compensation);
  const gid = workflowInfo().workflowId;
  const key = (step: string) => `${gid}:${step}`;
  const branch = { gid, branchId: 'inventory' };
  const amount = input.quantity * input.unitPriceCents;
  const chargeId = `charge:${input.orderId}`;

  const { payment, ...sagaOptions } = options;
  const saga = new Saga({
    ...appSagaOptions(flows.flashSalePurchase.type),
    plan: [...(input.gated ? ['gate-admission'] : []), 'freeze-stock', 'charge-card', 'confirm-stock'],
    ...sagaOptions,
  });
  const channel = new PaymentChannel(payment);
  return saga.run(async () => {
    // Only gated inputs (new with the gate) add a step, so recorded histories replay unchanged.
    if (input.gated) {
      const gate = { sku: input.sku, buyerId: input.customerId, orderId: input.orderId };
      await saga.step('gate-admission', () => Promise.resolve(gate), {
        compensate: async (cause) =>
          refusalType(cause) === 'OutOfStock'
            ? undefined
            : settle.returnGateUnit({ ...gate, idempotencyKey: key('gate-admission:return') }),
      });
    }
    const freeze = await saga.tcc(
      'freeze-stock',
      [
        {
          name: 'inventory',
          try: () =>
            act.tryFreezeStock({
              ...branch,
              items: [{ sku: input.sku, quantity: input.quantity }],
              ...(input.gated ? { buyerId: input.customerId } : {}),
              idempotencyKey: key('freeze-stock:try'),
            }),
          confirm: () => settle.confirmFrozenStock({ ...branch, idempotencyKey: key('freeze-stock:confirm') }),
          cancel: () => settle.cancelFrozenStock({ ...branch, idempotencyKey: key('freeze-stock:cancel') }),
        },
      ],
      { tryTimeout: input.tryTimeoutMs ?? 30_000 },
    );
    const card = { chargeId, orderId: input.orderId, amountCents: amount, currency: input.currency };
    await channel.chargeStep(saga, { ...card, ...paymentSourceOf(input) }, key);
    await saga.confirm('confirm-stock', freeze);
    return { orderId: input.orderId, status: 'PAID', chargeId, amountCents: amount };
  });
}
