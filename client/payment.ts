import type { Client, WorkflowHandle } from '@temporalio/client';
import { formatMoney } from '../contracts/money';
import { paymentSagaInput, subtotalCents, type PaymentSagaInput } from '../contracts/payment';
import { AmountCents, CustomerId, FlowType, OrderId } from '../contracts/search-attributes';
import { paymentSaga, type PaymentSagaOptions } from '../workflows';
import { validate } from './errors';
import { startOnce } from './start';

export const paymentWorkflowId = (orderId: string) => `payment:${orderId}`;

/**
 * Starts the payment saga of an order after validating the input (a ValidationError names each
 * bad field; nothing starts). One order has one saga: a second start, while it runs or after it
 * closed, returns the existing run instead of starting another.
 */
export async function startPayment(
  client: Client,
  input: PaymentSagaInput,
  opts: { taskQueue: string; sagaOptions?: PaymentSagaOptions },
): Promise<WorkflowHandle<typeof paymentSaga>> {
  const valid = validate(paymentSagaInput, input);
  const workflowId = paymentWorkflowId(valid.orderId);
  const amount = subtotalCents(valid);
  return startOnce(client, paymentSaga, {
    taskQueue: opts.taskQueue,
    workflowId,
    args: [valid, opts.sagaOptions ?? {}],
    typedSearchAttributes: [
      { key: FlowType, value: 'paymentSaga' },
      { key: OrderId, value: valid.orderId },
      { key: CustomerId, value: valid.customerId },
      { key: AmountCents, value: amount },
    ],
    staticSummary: `Order ${valid.orderId}: ${valid.items.length} line(s), ${formatMoney(amount, valid.currency)}`,
  });
}
