import type { Client, WorkflowHandle } from '@temporalio/client';
import { z } from 'zod';
import { flows } from '../contracts/flows';
import { formatMoney } from '../contracts/money';
import { paymentSagaInput, subtotalCents, type PaymentSagaInput } from '../contracts/payment';
import { AmountCents, FlowType, OrderId } from '../contracts/search-attributes';
import type { paymentSaga, PaymentSagaOptions } from '../workflows';
import { validate } from './errors';
import { runOptions, type StartOptions } from './options';
import { startOnce } from './start';

const flow = flows.paymentSaga;
export const paymentWorkflowId = flow.id;
const sagaOptionsSchema = runOptions.extend({ localActivities: z.boolean().optional() }).strict();

/**
 * Starts the payment saga of an order after validating the input and the options (a
 * ValidationError names each bad field or unknown option; nothing starts). One order has one saga:
 * a second start, while it runs or after it closed, returns the existing run instead of starting
 * another. `opts.payment` (the configured waits) applies unless `sagaOptions.payment` says otherwise.
 */
export async function startPayment(
  client: Client,
  input: PaymentSagaInput,
  opts: StartOptions & { sagaOptions?: PaymentSagaOptions },
): Promise<WorkflowHandle<typeof paymentSaga>> {
  const valid = validate(paymentSagaInput, input);
  const sagaOptions = validate(sagaOptionsSchema, opts.sagaOptions ?? {}, 'options', '(options)');
  const payment = sagaOptions.payment ?? opts.payment;
  const amount = subtotalCents(valid);
  return startOnce<typeof paymentSaga>(client, flow.type, {
    taskQueue: opts.taskQueue,
    workflowId: flow.id(valid.orderId),
    args: [valid, { ...sagaOptions, ...(payment ? { payment } : {}) }],
    typedSearchAttributes: [
      { key: FlowType, value: flow.type },
      { key: OrderId, value: valid.orderId },
      { key: AmountCents, value: amount },
    ],
    staticSummary: `Order ${valid.orderId}: ${valid.items.length} line(s), ${formatMoney(amount, valid.currency)}`,
  });
}
