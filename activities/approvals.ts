import {
  budgetHold,
  decisionStored,
  notificationStored,
  type DecisionRequest,
  type notificationKinds,
} from '../contracts/wire/approvals';
import { callService, type ServiceClientDeps } from './http';

/** Approvals service activities: department budget holds and the approvers' inbox. */
export function createApprovalsActivities(deps: ServiceClientDeps) {
  const hold = (holdId: string, op: string) => `/holds/${encodeURIComponent(holdId)}/${op}`;
  return {
    /** Holds budget for a request. Refusals: `InsufficientBudget`, `UnknownDepartment`, `HoldReleased`. */
    async holdBudget(input: { department: string; holdId: string; amountCents: number; idempotencyKey: string }) {
      const { department, idempotencyKey, ...body } = input;
      return callService(
        deps,
        { method: 'POST', path: `/budgets/${encodeURIComponent(department)}/holds`, body, idempotencyKey },
        budgetHold,
      );
    },
    /** Spends a hold (on approval). Refusal: `HoldNotHeld`. */
    async commitBudget(input: { holdId: string; idempotencyKey: string }) {
      return callService(
        deps,
        { method: 'POST', path: hold(input.holdId, 'commit'), body: {}, idempotencyKey: input.idempotencyKey },
        budgetHold,
      );
    },
    /** Gives a hold back (rejection, withdrawal, deadline); a no-op tombstone when it never was. */
    async releaseBudget(input: { holdId: string; idempotencyKey: string }) {
      return callService(
        deps,
        { method: 'POST', path: hold(input.holdId, 'release'), body: {}, idempotencyKey: input.idempotencyKey },
        budgetHold,
      );
    },
    /** Records a closed request's decision, once per request (the service tells `approval.decided`). */
    async recordDecision(input: DecisionRequest & { idempotencyKey: string }) {
      const { idempotencyKey, ...body } = input;
      return callService(deps, { method: 'POST', path: '/decisions', body, idempotencyKey }, decisionStored);
    },
    /** Puts a message in an approver's (or requester's) inbox, once per notification id. */
    async notify(input: {
      notificationId: string;
      to: string;
      requestId: string;
      kind: (typeof notificationKinds)[number];
      message: string;
    }) {
      return callService(
        deps,
        { method: 'POST', path: '/notifications', body: input, idempotencyKey: `notify:${input.notificationId}` },
        notificationStored,
      );
    },
  };
}
