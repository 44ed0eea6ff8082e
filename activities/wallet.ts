import { callService, type ServiceClientDeps } from './http';

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
  };
}
