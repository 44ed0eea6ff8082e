import { ApplicationFailure } from '@temporalio/common';
import type { ServiceName } from '../contracts/services';
import type { RetentionReport, RetentionTarget } from '../contracts/retention';
import {
  retentionAnswer,
  retentionReport,
  type RetentionAnswer,
  type RetentionRequest,
} from '../contracts/wire/retention';
import { callService, type ServiceClientDeps } from './http';

/**
 * Retention: one batch at one service or the HTTP API (its own `POST /retention`, which owns the
 * SQL). `deps.api` unset: the API is not reached from here, and a call for it fails `NotConfigured`.
 */
export function createRetentionActivities(deps: Record<ServiceName, ServiceClientDeps> & { api?: ServiceClientDeps }) {
  return {
    /**
     * Removes at most `batchSize` rows of each of `service`'s tables past their windows; answers
     * what it removed and whether more is left. Fails as any service call does (transient faults
     * retry; a 400 or 401 does not).
     */
    async purgeExpired(
      input: RetentionRequest & { service: RetentionTarget; idempotencyKey: string },
    ): Promise<RetentionAnswer> {
      const { service, idempotencyKey, ...body } = input;
      const target = deps[service];
      if (target === undefined) throw ApplicationFailure.nonRetryable(`no URL for ${service}`, 'NotConfigured');
      return callService(target, { method: 'POST', path: '/retention', body, idempotencyKey }, retentionAnswer);
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
