import {
  frozenStock,
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
    tryFreezeStock: (input: TccCall & { items: StockLine[] }) =>
      tcc(input, 'try', tccOutcome(frozenStock), { items: input.items }),
    confirmFrozenStock: (input: TccCall) => tcc(input, 'confirm', tccOutcome(settledStock)),
    cancelFrozenStock: (input: TccCall) => tcc(input, 'cancel', tccOutcome(settledStock)),
  };
}
