import type { ServiceName } from '../contracts/services';
import type { RetentionReport } from '../contracts/retention';
import {
  retentionAnswer,
  retentionReport,
  type RetentionAnswer,
  type RetentionRequest,
} from '../contracts/wire/retention';
import { callService, type ServiceClientDeps } from './http';

/** Retention: one batch at one service (its own `POST /retention`, which owns the SQL). */
export function createRetentionActivities(deps: Record<ServiceName, ServiceClientDeps>) {
  return {
    /**
     * Removes at most `batchSize` rows of each of `service`'s tables past their windows; answers
     * what it removed and whether more is left. Fails as any service call does (transient faults
     * retry; a 400 or 401 does not).
     */
    async purgeExpired(
      input: RetentionRequest & { service: ServiceName; idempotencyKey: string },
    ): Promise<RetentionAnswer> {
      const { service, idempotencyKey, ...body } = input;
      return callService(deps[service], { method: 'POST', path: '/retention', body, idempotencyKey }, retentionAnswer);
    },
    /** Stores a run's report in billing, once per report id; answers it. */
    async storeRetentionReport(input: RetentionReport): Promise<RetentionReport> {
      return callService(
        deps.billing,
        { method: 'POST', path: '/retention/reports', body: input, idempotencyKey: `report:${input.reportId}` },
        retentionReport,
      );
    },
  };
}
