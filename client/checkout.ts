import type { Client, WorkflowHandle } from '@temporalio/client';
import { checkoutInput, type CheckoutInput } from '../contracts/checkout';
import { flashSaleInput, type FlashSaleInput } from '../contracts/flash-sale';
import { flows } from '../contracts/flows';
import { formatMoney } from '../contracts/money';
import { subtotalCents } from '../contracts/payment';
import { AmountCents, FlowType, OrderId } from '../contracts/search-attributes';
import type { checkout, CheckoutOptions, FlashSaleOptions, flashSalePurchase } from '../workflows';
import { validate } from './errors';
import { runOptions, type StartOptions } from './options';
import { startOnce } from './start';

/** The run options with the configured payment waits filled in where the caller gave none. */
function withPayment<O extends { payment?: StartOptions['payment'] }>(options: O, opts: StartOptions): O {
  const payment = options.payment ?? opts.payment;
  return payment ? { ...options, payment } : options;
}

/**
 * Starts `checkout:<orderId>` once per order after validating the input and the options
 * (ValidationError otherwise; nothing starts). The configured payment waits (`opts.payment`) reach
 * the run unless `opts.options.payment` says otherwise.
 */
export async function startCheckout(
  client: Client,
  input: CheckoutInput,
  opts: StartOptions & { options?: CheckoutOptions },
): Promise<WorkflowHandle<typeof checkout>> {
  const valid = validate(checkoutInput, input);
  const options = validate(runOptions, opts.options ?? {}, 'options', '(options)');
  const flow = flows.checkout;
  return startOnce<typeof checkout>(client, flow.type, {
    taskQueue: opts.taskQueue,
    workflowId: flow.id(valid.orderId),
    args: [valid, withPayment(options, opts)],
    typedSearchAttributes: [
      { key: FlowType, value: flow.type },
      { key: OrderId, value: valid.orderId },
      { key: AmountCents, value: subtotalCents(valid) },
    ],
    staticSummary: `Checkout ${valid.orderId}: ${formatMoney(subtotalCents(valid), valid.currency)}, ${formatMoney(valid.walletCents, valid.currency)} from the wallet`,
  });
}

/**
 * Starts `flash:<orderId>` once per order after validating the input and the options
 * (ValidationError otherwise; nothing starts), with the configured payment waits as for checkout.
 */
export async function startFlashSale(
  client: Client,
  input: FlashSaleInput,
  opts: StartOptions & { options?: FlashSaleOptions },
): Promise<WorkflowHandle<typeof flashSalePurchase>> {
  const valid = validate(flashSaleInput, input);
  const options = validate(runOptions.omit({ parallelUnwind: true }), opts.options ?? {}, 'options', '(options)');
  const flow = flows.flashSalePurchase;
  return startOnce<typeof flashSalePurchase>(client, flow.type, {
    taskQueue: opts.taskQueue,
    workflowId: flow.id(valid.orderId),
    args: [valid, withPayment(options, opts)],
    typedSearchAttributes: [
      { key: FlowType, value: flow.type },
      { key: OrderId, value: valid.orderId },
      { key: AmountCents, value: valid.quantity * valid.unitPriceCents },
    ],
    staticSummary: `Flash sale ${valid.orderId}: ${valid.quantity} × ${valid.sku}`,
  });
}
