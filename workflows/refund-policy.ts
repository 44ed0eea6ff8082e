import { patched, proxyLocalActivities } from '@temporalio/workflow';
import type { PolicyActivities } from '../activities/policy';
import { defaultRouting, type RoutingConfig } from '../contracts/approval';
import type { RefundPolicy } from '../contracts/refund';

/** Runs with this marker read their refund policy from the worker; older ones from their options. */
export const refundPolicyPatch = 'refund-policy-from-worker';

const { refundPolicy } = proxyLocalActivities<PolicyActivities>({ startToCloseTimeout: '10 seconds' });

/** What runs started before the patch carried in their options, where any caller could set it. */
interface LegacyRefundOptions {
  approvalThresholdCents?: number;
  routing?: RoutingConfig;
  approvalSlaPerLevelMs?: number;
  approvalDeadlineMs?: number;
}

/**
 * The refund policy (approval threshold, routing, timers) the worker's configuration decides: a
 * caller cannot lower the threshold. It is a local activity, run by the worker that runs the
 * workflow: a worker built without it cannot run refunds (the call fails and is retried, which the
 * worker's log shows), a deployment error to fix there.
 */
export async function refundPolicyOf(options: object): Promise<RefundPolicy> {
  if (patched(refundPolicyPatch)) return refundPolicy();
  // Replaying a run from before the patch: the values it started with, and the defaults it had.
  const legacy = options as LegacyRefundOptions;
  return {
    approvalThresholdCents: legacy.approvalThresholdCents ?? 10_000,
    routing: legacy.routing ?? defaultRouting,
    approvalSlaPerLevelMs: legacy.approvalSlaPerLevelMs ?? 86_400_000,
    approvalDeadlineMs: legacy.approvalDeadlineMs ?? 7 * 86_400_000,
  };
}
