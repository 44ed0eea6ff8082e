import type { AppConfig, ServiceName } from '../temporal-config';
import type { ServiceClientDeps } from './http';
import { createInventoryActivities } from './inventory';

export type ServiceDeps = Record<ServiceName, ServiceClientDeps>;

/** Every activity the worker registers, built from each service's base URL. */
export function createActivities(deps: ServiceDeps) {
  return {
    ...createInventoryActivities(deps.inventory),
  };
}

export type Activities = ReturnType<typeof createActivities>;

/** Service dependencies from configuration. */
export function serviceDepsFromConfig(services: AppConfig['services']): ServiceDeps {
  return { inventory: { baseUrl: services.inventory.url } };
}
