import { type Client, type WorkflowHandle } from '@temporalio/client';
import { flashSaleInput, type FlashSaleInput } from '../contracts/flash-sale';
import { flows } from '../contracts/flows';
import { FlowType } from '../contracts/search-attributes';
import type { flashSaleGateCheck, FlashSaleOptions, flashSalePurchase } from '../workflows';
import { startFlashSale } from './checkout';
import { GateUnavailable, validate } from './errors';
import { ensureSchedule, type ScheduleMode, type ScheduleOutcome } from './schedules';
import type { StartOptions } from './options';

/** Why the gate turned a buyer away: sold out, the buyer's limit, or an order that already gave its unit back. */
export type GateRefusal = 'OutOfStock' | 'BuyerLimitReached' | 'AdmissionReturned';

/** The flash-sale gate as the entry point sees it (the inventory service's, over HTTP, in `httpFlashSaleGate`). */
export interface FlashSaleGatePort {
  /** Admits the order or answers the refusal; throws GateUnavailable when it cannot decide. */
  admit(
    sku: string,
    attempt: { buyerId: string; orderId: string; quantity: number },
  ): Promise<{ admitted: true } | { admitted: false; refusal: GateRefusal; message: string }>;
}

const refusals: readonly string[] = ['OutOfStock', 'BuyerLimitReached', 'AdmissionReturned'];

/**
 * The inventory service's gate (`POST /flash-sales/:sku/admissions`): no answer or a 503 is
 * GateUnavailable; any other unexpected answer (a 400 for bad input, a 500) is an Error naming it.
 */
export function httpFlashSaleGate(inventoryUrl: string, token: string, timeoutMs = 5000): FlashSaleGatePort {
  return {
    async admit(sku, attempt) {
      let res: Response;
      try {
        res = await fetch(`${inventoryUrl}/flash-sales/${encodeURIComponent(sku)}/admissions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(attempt),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (err) {
        throw new GateUnavailable(`the flash-sale gate did not answer (${(err as Error).message}); try again`);
      }
      const body = (await res.json().catch(() => ({}))) as { error?: { type?: string; message?: string } };
      if (res.status === 201) return { admitted: true };
      const type = body.error?.type ?? '';
      if (refusals.includes(type)) {
        return { admitted: false, refusal: type as GateRefusal, message: body.error?.message ?? type };
      }
      const message = body.error?.message ?? `the flash-sale gate answered ${res.status}`;
      if (res.status === 503) throw new GateUnavailable(message);
      throw new Error(`flash-sale gate: ${res.status} ${type || 'error'}: ${message}`);
    },
  };
}

export type FlashSalePurchase =
  | { status: 'STARTED'; handle: WorkflowHandle<typeof flashSalePurchase> }
  | { status: 'REFUSED'; refusal: GateRefusal; message: string };

/**
 * The flash-sale entry point: validates the input (ValidationError; nothing happens), asks the gate,
 * and only when it admits the order starts `flash:<orderId>` (gated, so a failure gives the unit
 * back). A refusal starts nothing and never reaches PostgreSQL. Throws GateUnavailable when the
 * gate cannot decide: repeat with the same order id, which the gate admits at most once.
 */
export async function purchaseFlashSale(
  client: Client,
  gate: FlashSaleGatePort,
  input: FlashSaleInput,
  opts: StartOptions & { options?: FlashSaleOptions },
): Promise<FlashSalePurchase> {
  const valid = validate(flashSaleInput, input);
  const answer = await gate.admit(valid.sku, {
    buyerId: valid.customerId,
    orderId: valid.orderId,
    quantity: valid.quantity,
  });
  if (!answer.admitted) return { status: 'REFUSED', refusal: answer.refusal, message: answer.message };
  return { status: 'STARTED', handle: await startFlashSale(client, { ...valid, gated: true }, opts) };
}

const check = flows.flashSaleGateCheck;
/** The schedule, and the workflow id its runs take: the flow's bare prefix. */
export const flashSaleGateCheckScheduleId = check.prefix;

/**
 * Creates the `flash-gate-check` Schedule (the gate of every sale that is over, compared with the
 * database, every `intervalMs`), with `apply` (the default, `npm run schedules`) or brings an
 * existing one up to these options; with `keep` (every worker start) only creates a missing one and
 * answers how a running one differs, changing nothing. Runs never overlap.
 */
export async function ensureFlashSaleGateCheckSchedule(
  client: Client,
  opts: { taskQueue: string; intervalMs: number; quietMs: number },
  mode: ScheduleMode = 'apply',
): Promise<ScheduleOutcome> {
  const action = {
    type: 'startWorkflow' as const,
    workflowType: check.type,
    taskQueue: opts.taskQueue,
    workflowId: flashSaleGateCheckScheduleId,
    args: [{ quietMs: opts.quietMs }] as Parameters<typeof flashSaleGateCheck>,
    typedSearchAttributes: [{ key: FlowType, value: check.type }],
    staticSummary: 'Flash-sale gates in Redis against the database',
  };
  return ensureSchedule(client, { scheduleId: flashSaleGateCheckScheduleId, everyMs: opts.intervalMs, action }, mode);
}
