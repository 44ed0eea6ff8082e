import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { businessId } from '../contracts/fields';
import { flowTypes } from '../contracts/flows';
import { sagaStatuses } from '../contracts/saga';
import { FlowType, OrderId, SagaStatus as SagaStatusKey } from '../contracts/search-attributes';

export { flowTypes };

export { sagaStatuses };

export const listFilter = z
  .object({
    status: z.enum(sagaStatuses, { error: `must be one of ${sagaStatuses.join(', ')}` }).optional(),
    flow: z.enum(flowTypes, { error: `must be one of ${flowTypes.join(', ')}` }).optional(),
    orderId: businessId.optional(),
    limit: z.coerce.number().int().min(1, 'must be at least 1').max(1000, 'must be at most 1000').default(50),
  })
  .strict();
export type ListFilter = z.input<typeof listFilter>;

export interface SagaSummary {
  workflowId: string;
  runId: string;
  flow?: string;
  sagaStatus?: string;
  orderId?: string;
  status: string;
  startTime: string;
}

/**
 * The visibility query for a filter, from validated values only (business ids allow no quote), so
 * no input can change the query's shape.
 */
export function listQuery(filter: z.output<typeof listFilter>): string {
  const parts: string[] = [];
  if (filter.flow) parts.push(`${FlowType.name} = '${filter.flow}'`);
  if (filter.status) parts.push(`${SagaStatusKey.name} = '${filter.status}'`);
  if (filter.orderId) parts.push(`${OrderId.name} = '${filter.orderId}'`);
  return parts.join(' AND ');
}

/** Sagas by flow, saga status and order, newest first, with their business state. */
export async function listSagas(client: Client, filter: z.output<typeof listFilter>): Promise<SagaSummary[]> {
  const found: SagaSummary[] = [];
  const query = listQuery(filter);
  for await (const w of client.workflow.list(query ? { query } : {})) {
    const attr = (name: string) => {
      const v = w.searchAttributes?.[name];
      return Array.isArray(v) && v.length > 0 ? String(v[0]) : undefined;
    };
    found.push({
      workflowId: w.workflowId,
      runId: w.runId,
      flow: attr(FlowType.name),
      sagaStatus: attr(SagaStatusKey.name),
      orderId: attr(OrderId.name),
      status: w.status.name,
      startTime: w.startTime.toISOString(),
    });
    if (found.length >= filter.limit) break;
  }
  return found;
}
