import type { Client } from '@temporalio/client';
import { serviceNames, type ServiceName } from '../contracts/services';
import { createApprovalsActivities } from './approvals';
import { createCouponActivities, createCouponTccActivities } from './coupon';
import type { ServiceClientDeps } from './http';
import { createInventoryActivities, createInventoryTccActivities } from './inventory';
import { createOrderActivities } from './order';
import { createPaymentsActivities } from './payments';
import { createReconciliationActivities } from './reconciliation';
import { createRetentionActivities } from './retention';
import { createShippingActivities } from './shipping';
import { createWalletActivities, createWalletTccActivities } from './wallet';

export type ServiceDeps = Record<ServiceName, ServiceClientDeps>;

/**
 * Every activity the worker registers, built from each service's base URL; `client` lets
 * reconciliation ask whether a charge's workflow still runs; `api` lets retention reach the HTTP API.
 */
export function createActivities(deps: ServiceDeps, client?: Client, api?: ServiceClientDeps) {
  return {
    ...createReconciliationActivities({ ...deps, client }),
    ...createRetentionActivities({ ...deps, ...(api ? { api } : {}) }),
    ...createOrderActivities(deps.order),
    ...createInventoryActivities(deps.inventory),
    ...createInventoryTccActivities(deps.inventory),
    ...createPaymentsActivities(deps.payments),
    ...createWalletActivities(deps.wallet),
    ...createWalletTccActivities(deps.wallet),
    ...createCouponActivities(deps.coupon),
    ...createCouponTccActivities(deps.coupon),
    ...createShippingActivities(deps.shipping),
    ...createApprovalsActivities(deps.approvals),
  };
}

export type Activities = ReturnType<typeof createActivities>;

/**
 * Service dependencies from configuration (or any name → URL map, as tests have), every call
 * carrying `token`, the calling process's bearer token.
 */
export function serviceDeps(urls: Record<ServiceName, string>, token: string): ServiceDeps {
  return Object.fromEntries(serviceNames.map((n) => [n, { baseUrl: urls[n], token }])) as ServiceDeps;
}
