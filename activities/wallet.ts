import { frozenBalance, pointsAwarded, pointsRevoked, settledBalance } from '../contracts/wire/wallet';
import { tccOutcome } from '../contracts/wire/tcc';
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
    }) {
      const { idempotencyKey, ...body } = input;
      return callService(deps, { method: 'POST', path: '/points/award', body, idempotencyKey }, pointsAwarded);
    },
    /** Takes points back once per entry id; what the balance cannot cover is recorded as debt. */
    async revokePoints(input: {
      entryId: string;
      customerId: string;
      orderId: string;
      points: number;
      idempotencyKey: string;
    }) {
      const { idempotencyKey, ...body } = input;
      return callService(deps, { method: 'POST', path: '/points/revoke', body, idempotencyKey }, pointsRevoked);
    },
  };
}

/** TCC activities of the wallet balance. Try refusal: `InsufficientBalance`, `TryAfterCancel`. */
export function createWalletTccActivities(deps: ServiceClientDeps) {
  const tcc = tccCalls(deps);
  return {
    tryFreezeBalance: (input: TccCall & { customerId: string; amountCents: number }) =>
      tcc(input, 'try', tccOutcome(frozenBalance), { customerId: input.customerId, amountCents: input.amountCents }),
    confirmFrozenBalance: (input: TccCall) => tcc(input, 'confirm', tccOutcome(settledBalance)),
    cancelFrozenBalance: (input: TccCall) => tcc(input, 'cancel', tccOutcome(settledBalance)),
  };
}
