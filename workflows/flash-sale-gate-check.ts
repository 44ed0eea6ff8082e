import { log } from '@temporalio/workflow';
import {
  flashSaleGateCheckInput,
  type FlashSaleGateCheckInput,
  type FlashSaleGateCheckReport,
} from '../contracts/flash-sale';
import { narratedActivities } from './narration';
import { presets } from './presets';
import { parseWorkflowInput } from './input';

/**
 * flashSaleGateCheck (run by the `flash-gate-check` Schedule, or on demand): compares the Redis
 * gate of every flash sale that is over with the database and reports each one that drifted
 * (units or buyer counts that differ), with a warning in the worker's log. It repairs nothing:
 * the database is the truth and refuses what the gate lets through wrongly; an operator rebuilds a
 * gate with `POST /flash-sales/:sku/gate/rebuild`. Fails with `InvalidInput` on a bad input.
 */
export async function flashSaleGateCheck(raw: FlashSaleGateCheckInput = {}): Promise<FlashSaleGateCheckReport> {
  const input = parseWorkflowInput(flashSaleGateCheckInput, raw, 'flash-sale gate check');
  const act = narratedActivities(presets.serviceCall);
  const { checked, running } = await act.checkFlashSaleGates({ quietMs: input.quietMs ?? 60_000 });
  const drift = checked
    .filter((r) => r.drift.units !== 0 || r.drift.buyerUnits !== 0)
    .map((r) => ({ sku: r.sku, ...r.drift }));
  for (const d of drift) log.warn('flash-sale gate drifted from the database', { ...d });
  return { checked: checked.map((r) => r.sku), running, drift };
}
