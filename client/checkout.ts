import type { Client, WorkflowHandle } from '@temporalio/client';
import { checkoutInput, type CheckoutInput } from '../contracts/checkout';
import { flashSaleInput, type FlashSaleInput } from '../contracts/flash-sale';
import { formatMoney } from '../contracts/money';
import { subtotalCents } from '../contracts/payment';
import { AmountCents, CustomerId, FlowType, OrderId } from '../contracts/search-attributes';
import { checkout, flashSalePurchase } from '../workflows';
import { validate } from './errors';
import { startOnce } from './start';

/** Starts `checkout:<orderId>` once per order after validating the input (ValidationError otherwise). */
export function startCheckout(
  client: Client,
  input: CheckoutInput,
  opts: { taskQueue: string },
): Promise<WorkflowHandle<typeof checkout>> {
  const valid = validate(checkoutInput, input);
  return startOnce(client, checkout, {
    taskQueue: opts.taskQueue,
    workflowId: `checkout:${valid.orderId}`,
    args: [valid],
    typedSearchAttributes: [
      { key: FlowType, value: 'checkout' },
      { key: OrderId, value: valid.orderId },
      { key: CustomerId, value: valid.customerId },
      { key: AmountCents, value: subtotalCents(valid) },
    ],
    staticSummary: `Checkout ${valid.orderId}: ${formatMoney(subtotalCents(valid), valid.currency)}, ${formatMoney(valid.walletCents, valid.currency)} from the wallet`,
  });
}

/** Starts `flash:<orderId>` once per order after validating the input (ValidationError otherwise). */
export function startFlashSale(
  client: Client,
  input: FlashSaleInput,
  opts: { taskQueue: string },
): Promise<WorkflowHandle<typeof flashSalePurchase>> {
  const valid = validate(flashSaleInput, input);
  return startOnce(client, flashSalePurchase, {
    taskQueue: opts.taskQueue,
    workflowId: `flash:${valid.orderId}`,
    args: [valid],
    typedSearchAttributes: [
      { key: FlowType, value: 'flashSalePurchase' },
      { key: OrderId, value: valid.orderId },
      { key: CustomerId, value: valid.customerId },
      { key: AmountCents, value: valid.quantity * valid.unitPriceCents },
    ],
    staticSummary: `Flash sale ${valid.orderId}: ${valid.quantity} × ${valid.sku}`,
  });
}
