import {
  flashSaleList,
  frozenStock,
  gateReport,
  gateReturn,
  type GateReport,
  releasedReservation,
  reservation,
  returnableItems,
  returnedItems,
  settledStock,
  soldReservation,
  type StockLine,
} from '../contracts/wire/inventory';
import { tccOutcome } from '../contracts/wire/tcc';
import { callService, tccCalls, type ServiceClientDeps, type TccCall } from './http';

export interface ReserveStockInput {
  reservationId: string;
  items: StockLine[];
  idempotencyKey: string;
}

export interface ReleaseStockInput {
  reservationId: string;
  idempotencyKey: string;
}

/**
 * Activities of the inventory service. Refusals (`OutOfStock`, `UnknownSku`, `ReservationReleased`)
 * are non-retryable; network faults and 5xx are retried by Temporal.
 */
export function createInventoryActivities(deps: ServiceClientDeps) {
  return {
    /** Reserves all items or none. */
    async reserveStock(input: ReserveStockInput) {
      return callService(
        deps,
        {
          method: 'POST',
          path: '/reservations',
          body: { reservationId: input.reservationId, items: input.items },
          idempotencyKey: input.idempotencyKey,
        },
        reservation,
      );
    },
    /** Returns a reservation's items to stock; succeeds and changes nothing when there is none. */
    async releaseStock(input: ReleaseStockInput) {
      return callService(
        deps,
        {
          method: 'POST',
          path: `/reservations/${encodeURIComponent(input.reservationId)}/release`,
          idempotencyKey: input.idempotencyKey,
        },
        releasedReservation,
      );
    },
    /**
     * Sells a paid order's reservation (reserved → sold), after the payment's pivot; repeating it
     * changes nothing. Refusals: `ReservationReleased`, `UnknownReservation`.
     */
    async sellStock(input: { reservationId: string; idempotencyKey: string }) {
      return callService(
        deps,
        {
          method: 'POST',
          path: `/reservations/${encodeURIComponent(input.reservationId)}/sell`,
          idempotencyKey: input.idempotencyKey,
        },
        soldReservation,
      );
    },
    /** What a reservation could still take back; changes nothing. Refusal: `UnknownReservation`. */
    async returnableItems(input: { reservationId: string }) {
      return callService(
        deps,
        { method: 'GET', path: `/reservations/${encodeURIComponent(input.reservationId)}/returnable` },
        returnableItems,
      );
    },
    /**
     * Takes returned items of a paid order's reservation back into stock, once per return id.
     * Refusals: `ReturnExceedsReservation`, `ReservationReleased`, `UnknownReservation`.
     */
    async returnItems(input: { reservationId: string; returnId: string; items: StockLine[]; idempotencyKey: string }) {
      const { reservationId, idempotencyKey, ...body } = input;
      return callService(
        deps,
        { method: 'POST', path: `/reservations/${encodeURIComponent(reservationId)}/returns`, body, idempotencyKey },
        returnedItems,
      );
    },
    /**
     * Gives a failed flash-sale purchase's units back to the gate, once per order (a repeat answers
     * `returned: false`). `GateUnavailable` (503) while Redis is away is retried by Temporal.
     */
    async returnGateUnit(input: { sku: string; buyerId: string; orderId: string; idempotencyKey: string }) {
      return callService(
        deps,
        {
          method: 'POST',
          path: `/flash-sales/${encodeURIComponent(input.sku)}/admissions/${encodeURIComponent(input.orderId)}/return`,
          body: { buyerId: input.buyerId },
          idempotencyKey: input.idempotencyKey,
        },
        gateReturn,
      );
    },
    /**
     * Compares the gate with the database for every sale whose stock has not changed for `quietMs`
     * (a sale that is over: purchases in flight would show as drift). Read-only; retried on faults.
     */
    async checkFlashSaleGates(input: { quietMs: number }): Promise<{ checked: GateReport[]; running: string[] }> {
      const sales = await callService(deps, { method: 'GET', path: '/flash-sales' }, flashSaleList);
      const quietBefore = Date.now() - input.quietMs;
      const over = sales.filter((s) => Date.parse(s.lastChangeAt) <= quietBefore);
      const checked = [];
      for (const sale of over) {
        checked.push(
          await callService(
            deps,
            { method: 'GET', path: `/flash-sales/${encodeURIComponent(sale.sku)}/gate` },
            gateReport,
          ),
        );
      }
      return { checked, running: sales.filter((s) => !over.includes(s)).map((s) => s.sku) };
    },
  };
}

export type InventoryActivities = ReturnType<typeof createInventoryActivities>;

/**
 * TCC activities of the inventory. Try refusals: `OutOfStock`, `UnknownSku`, `TryAfterCancel`;
 * confirm/cancel refusals (`ConfirmAfterCancel`, `CancelAfterConfirm`) mean the branch was
 * already settled the other way.
 */
export function createInventoryTccActivities(deps: ServiceClientDeps) {
  const tcc = tccCalls(deps);
  return {
    /** With `buyerId`, the freeze counts against that buyer's limit in the SKU's flash sale (`BuyerLimitReached`). */
    tryFreezeStock: (input: TccCall & { items: StockLine[]; buyerId?: string }) =>
      tcc(input, 'try', tccOutcome(frozenStock), {
        items: input.items,
        ...(input.buyerId === undefined ? {} : { buyerId: input.buyerId }),
      }),
    confirmFrozenStock: (input: TccCall) => tcc(input, 'confirm', tccOutcome(settledStock)),
    cancelFrozenStock: (input: TccCall) => tcc(input, 'cancel', tccOutcome(settledStock)),
  };
}
