import {
  CancellationScope,
  condition,
  defineQuery,
  defineSignal,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { InventoryActivities } from '../activities/inventory';
import { FlowType, SagaStatus } from '../temporal-config/search-attributes';
import { presets } from './presets';

/**
 * stockHold (workflow id `hold:<holdId>`): reserve items, then keep them until `confirm` arrives or
 * the hold expires, when they go back to stock. The smallest real saga in the project: one step,
 * one compensation, registered before the step so that a reserve that timed out after the
 * inventory acted is still undone.
 */
export interface StockHoldInput {
  holdId: string;
  items: { sku: string; quantity: number }[];
  /** How long the hold lasts before the stock is released. */
  holdSeconds: number;
}

export type HoldStatus = 'RESERVING' | 'HELD' | 'CONFIRMED' | 'RELEASING' | 'EXPIRED' | 'FAILED';
export interface StockHoldResult {
  holdId: string;
  status: 'CONFIRMED' | 'EXPIRED';
}

export const confirmHold = defineSignal('confirm');
export const holdState = defineQuery<HoldStatus>('state');

export async function stockHold(input: StockHoldInput): Promise<StockHoldResult> {
  const { reserveStock } = proxyActivities<InventoryActivities>(presets.serviceCall);
  const { releaseStock } = proxyActivities<InventoryActivities>(presets.compensation);
  const workflowId = workflowInfo().workflowId;
  let status: HoldStatus = 'RESERVING';
  let confirmed = false;
  setHandler(holdState, () => status);
  setHandler(confirmHold, () => void (confirmed = true));
  const setStatus = (next: HoldStatus) => {
    status = next;
    upsertSearchAttributes([
      { key: FlowType, value: 'stockHold' },
      { key: SagaStatus, value: next },
    ]);
  };
  const releaseHold = async (final: HoldStatus) => {
    setStatus('RELEASING');
    await CancellationScope.nonCancellable(() =>
      releaseStock({ reservationId: input.holdId, idempotencyKey: `${workflowId}:release-stock` }),
    );
    setStatus(final);
  };

  setStatus('RESERVING');
  try {
    await reserveStock({
      reservationId: input.holdId,
      items: input.items,
      idempotencyKey: `${workflowId}:reserve-stock`,
    });
    setStatus('HELD');
    if (await condition(() => confirmed, `${input.holdSeconds} seconds`)) {
      setStatus('CONFIRMED');
      return { holdId: input.holdId, status: 'CONFIRMED' };
    }
  } catch (err) {
    await releaseHold('FAILED');
    throw err;
  }
  await releaseHold('EXPIRED');
  return { holdId: input.holdId, status: 'EXPIRED' };
}
