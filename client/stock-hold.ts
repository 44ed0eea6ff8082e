import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { z } from 'zod';
import { businessId, reserveInput } from '../services/inventory/schema';
import { FlowType } from '../temporal-config/search-attributes';
import { stockHold } from '../workflows';
import { validate } from './errors';

export const stockHoldInput = z.object({
  holdId: businessId,
  items: reserveInput.shape.items,
  holdSeconds: z
    .number()
    .int()
    .min(1)
    .max(30 * 24 * 3600),
});

/**
 * Starts `hold:<holdId>` after validating the input (a ValidationError names each bad field and
 * nothing starts). Starting a hold that is already running returns the running one.
 */
export async function startStockHold(
  client: Client,
  input: z.input<typeof stockHoldInput>,
  taskQueue: string,
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof stockHold>> {
  const valid = validate(stockHoldInput, input);
  return client.workflow.start(stockHold, {
    taskQueue,
    workflowId: `hold:${valid.holdId}`,
    args: [valid],
    workflowIdConflictPolicy: 'USE_EXISTING',
    typedSearchAttributes: [{ key: FlowType, value: 'stockHold' }],
    staticSummary: `Hold ${valid.items.map((i) => `${i.quantity}× ${i.sku}`).join(', ')} for ${valid.holdSeconds}s`,
  });
}
