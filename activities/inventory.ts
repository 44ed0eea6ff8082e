import type { Reservation } from '../services/inventory/schema';
import { callService, type ServiceClientDeps } from './http';

export interface ReserveStockInput {
  reservationId: string;
  items: { sku: string; quantity: number }[];
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
    async reserveStock(input: ReserveStockInput): Promise<Reservation> {
      return callService<Reservation>(deps, {
        method: 'POST',
        path: '/reservations',
        body: { reservationId: input.reservationId, items: input.items },
        idempotencyKey: input.idempotencyKey,
      });
    },
    /** Returns a reservation's items to stock; succeeds and changes nothing when there is none. */
    async releaseStock(input: ReleaseStockInput): Promise<Reservation & { returned: boolean }> {
      return callService(deps, {
        method: 'POST',
        path: `/reservations/${encodeURIComponent(input.reservationId)}/release`,
        idempotencyKey: input.idempotencyKey,
      });
    },
  };
}

export type InventoryActivities = ReturnType<typeof createInventoryActivities>;

/** A TCC branch of the inventory, through the participant's barrier. */
export interface StockBranch {
  gid: string;
  branchId: string;
  idempotencyKey: string;
}

/**
 * TCC activities of the inventory. Try refusals: `OutOfStock`, `UnknownSku`, `TryAfterCancel`;
 * confirm/cancel refusals (`ConfirmAfterCancel`, `CancelAfterConfirm`) mean the branch was
 * already settled the other way.
 */
export function createInventoryTccActivities(deps: ServiceClientDeps) {
  const path = (b: StockBranch, op: string) =>
    `/tcc/${encodeURIComponent(b.gid)}/branches/${encodeURIComponent(b.branchId)}/${op}`;
  return {
    async tryFreezeStock(input: StockBranch & { items: { sku: string; quantity: number }[] }): Promise<unknown> {
      return callService(deps, {
        method: 'POST',
        path: path(input, 'try'),
        body: { items: input.items },
        idempotencyKey: input.idempotencyKey,
      });
    },
    async confirmFrozenStock(input: StockBranch): Promise<unknown> {
      return callService(deps, {
        method: 'POST',
        path: path(input, 'confirm'),
        body: {},
        idempotencyKey: input.idempotencyKey,
      });
    },
    async cancelFrozenStock(input: StockBranch): Promise<unknown> {
      return callService(deps, {
        method: 'POST',
        path: path(input, 'cancel'),
        body: {},
        idempotencyKey: input.idempotencyKey,
      });
    },
  };
}
