import { callService, tccCalls, type ServiceClientDeps, type TccCall } from './http';

/** Wallet (reward points) activities. */
export function createWalletActivities(deps: ServiceClientDeps) {
  return {
    /** Awards points once per entry id. */
    async awardPoints(input: {
      entryId: string;
      customerId: string;
      orderId: string;
      points: number;
      idempotencyKey: string;
    }): Promise<{ entryId: string; points: number; awarded: boolean }> {
      const { idempotencyKey, ...body } = input;
      return callService(deps, { method: 'POST', path: '/points/award', body, idempotencyKey });
    },
    /** Takes points back once per entry id; what the balance cannot cover is recorded as debt. */
    async revokePoints(input: {
      entryId: string;
      customerId: string;
      orderId: string;
      points: number;
      idempotencyKey: string;
    }): Promise<{ entryId: string; points: number; revoked: number; debt: number }> {
      const { idempotencyKey, ...body } = input;
      return callService(deps, { method: 'POST', path: '/points/revoke', body, idempotencyKey });
    },
  };
}

/** TCC activities of the wallet balance. Try refusal: `InsufficientBalance`, `TryAfterCancel`. */
export function createWalletTccActivities(deps: ServiceClientDeps) {
  const tcc = tccCalls(deps);
  return {
    tryFreezeBalance: (input: TccCall & { customerId: string; amountCents: number }) =>
      tcc(input, 'try', { customerId: input.customerId, amountCents: input.amountCents }),
    confirmFrozenBalance: (input: TccCall) => tcc(input, 'confirm'),
    cancelFrozenBalance: (input: TccCall) => tcc(input, 'cancel'),
  };
}
