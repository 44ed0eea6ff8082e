import type { WorkerPolicy } from '../../activities/policy';
import { defaultRouting } from '../../contracts/approval';

/** The policy test workers run with unless a test configures another: the configuration's defaults. */
export const testPolicy: WorkerPolicy = {
  refund: {
    approvalThresholdCents: 10_000,
    routing: defaultRouting,
    approvalSlaPerLevelMs: 86_400_000,
    approvalDeadlineMs: 7 * 86_400_000,
  },
};
