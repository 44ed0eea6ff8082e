import { refundPolicy, type RefundPolicy } from '../contracts/refund';
import { parseOrThrow } from '../contracts/validation';

/** The rules the worker's configuration decides for its workflows, beyond any caller's reach. */
export interface WorkerPolicy {
  refund: RefundPolicy;
}

/**
 * Activities that answer the worker's policy, so a workflow reads it as an input the client cannot
 * set. Throws a ValidationError naming the field when the policy is malformed (the worker does not start).
 */
export function createPolicyActivities(policy: WorkerPolicy) {
  const refund = parseOrThrow(refundPolicy, policy.refund, 'refund policy', 'refund');
  return {
    /** The refund approval threshold, routing and timers from the worker's configuration. */
    refundPolicy: (): Promise<RefundPolicy> => Promise.resolve(refund),
  };
}
export type PolicyActivities = ReturnType<typeof createPolicyActivities>;
